"""Request helpers every page uses: where a form goes back to, and whether to answer with
the fragment only."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request, fallback: str) -> str:
    """Where a form asked to go back to (``next``), if it is on this site; else ``fallback``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def wants_fragment(request) -> bool:
    """An htmx swap inside the page gets only the fragment it swaps; a full load, a boosted
    link and a history restore (htmx asks for the whole page again) get the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
