"""Addresses (``reverse``) remembered per process: a page writes dozens, Django works each
out anew (about 15 µs), and for a view name and plain arguments the answer cannot change
while the process runs. Used by ``{% url %}`` (``clienteling/templatetags/steady.py``) and
by the tags that write their links in Python."""

from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


@lru_cache(maxsize=4096)
def _address(view_name, args, kwargs, current_app, resolver, prefix, language):
    """``reverse``'s answer, remembered for these values (``resolver``, the URLconf's: a
    new one after ``clear_url_caches``; the script prefix and the language: the address
    may depend on them)."""
    return reverse(
        view_name,
        urlconf=resolver.urlconf_name,
        args=args,
        kwargs=dict(kwargs),
        current_app=current_app,
    )


def address(view_name: str, args=(), kwargs=None, current_app=None) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs)``, remembered per process for these
    arguments (ints or text): for the tags that write their links in Python too."""
    return _address(
        view_name,
        tuple(args),
        tuple((kwargs or {}).items()),
        current_app,
        get_resolver(get_urlconf()),
        get_script_prefix(),
        get_language(),
    )
