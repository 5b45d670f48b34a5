from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse
from django.shortcuts import resolve_url

from .access import first_store, remember_current_store, staff_profile

SESSION_STORE_KEY = "current_store_id"


def current_store(request):
    """The store the signed-in staff member works in now: an associate's own store, or the
    one a manager or head office picked (remembered in the session), else the first."""
    return first_store(request.user, chosen=request.session.get(SESSION_STORE_KEY))


def store_visit(request, store) -> None:
    """A store-scoped page (floor, board) makes its store the current one, so the header,
    product availability and orders all speak of the store on screen."""
    if request.store is None or request.store.pk != store.pk:
        request.session[SESSION_STORE_KEY] = store.pk
        request.store = store


class StaffMiddleware:
    """Sets ``request.staff`` (a StaffProfile or None) and ``request.store`` (or None)."""

    skip_prefixes = ("/api/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.staff = None
        request.store = None
        if request.user.is_authenticated and not request.path.startswith(self.skip_prefixes):
            request.staff = staff_profile(request.user)
            if request.staff is not None:
                request.store = current_store(request)
                remember_current_store(request.user, request.store)
        return self.get_response(request)


class HtmxSignInMiddleware:
    """A signed-out htmx request (a tap on "claim", the floor's 60 s poll) is sent to the
    sign-in page as a whole page, never answered with the sign-in form inside a card.

    Every staff view sends a signed-out visitor to the sign-in page (``staff_required``,
    ``login_required``); for htmx requests that redirect becomes ``401`` with
    ``HX-Redirect`` to the sign-in page, whose ``next`` is the page on screen (htmx's
    ``HX-Current-URL``), not the fragment's URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (301, 302):
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        page = request.htmx.current_url_abs_path or request.get_full_path()
        redirect = HttpResponse(status=401)
        redirect["HX-Redirect"] = f"{login}?{urlencode({REDIRECT_FIELD_NAME: page})}"
        return redirect
