"""Overload is a 503 with ``Retry-After``, never a 500.

Two bounds keep a rush from turning into server errors:

- ``AdmissionLimit`` (ASGI, around Django): a process serves at most
  ``MAX_CONCURRENT_REQUESTS`` HTTP requests at once. One more is answered at once, before
  Django or the database sees it, with a 503 and ``Retry-After: OVERLOAD_RETRY_AFTER``.
- ``server_error`` (``handler500``): a request that waited ``DB_POOL_TIMEOUT`` seconds for
  a pooled database connection in vain answers the same 503 instead of a 500.

The 503 is JSON for ``/api/`` callers (``{"error": "overloaded", …}``), a small page for
people, and for htmx requests the page's script (``static/js/busy.js``) reads
``Retry-After``, says "busy, retrying" and sends the same request again after that delay
(the order form's idempotency key makes a repeated "place" one order).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults
from psycopg_pool import PoolTimeout

API_PREFIX = "/api/"


def _busy_page(*, reload: bool) -> str:
    """A page that reloads itself after the delay (a GET), or asks to send again (a form
    post must not be replayed as a GET that would empty the form)."""
    with translation.override(settings.LANGUAGE_CODE):
        if reload:
            title = escape(_("Busy, retrying…"))
            text = escape(_("The server is busy. This page will try again in a few seconds."))
            refresh = f'<meta http-equiv="refresh" content="{settings.OVERLOAD_RETRY_AFTER}">'
        else:
            title = escape(_("The server is busy"))
            text = escape(_("Nothing was saved. Go back and send the form again in a moment."))
            refresh = ""
        return (
            f'<!DOCTYPE html><html lang="{settings.LANGUAGE_CODE}"><head><meta charset="utf-8">'
            f"{refresh}<title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{text}</p></body></html>"
        )


def busy_parts(path: str, method: str = "GET") -> tuple[bytes, str]:
    """The body and content type of the 503 for ``path``."""
    if path.startswith(API_PREFIX):
        detail = "The server is busy; retry after the delay in Retry-After."
        return (
            json.dumps({"error": "overloaded", "detail": detail}).encode(),
            "application/json",
        )
    page = _busy_page(reload=method in ("GET", "HEAD"))
    return page.encode(), "text/html; charset=utf-8"


def busy_response(request) -> HttpResponse:
    body, content_type = busy_parts(request.path, request.method)
    response = HttpResponse(body, content_type=content_type, status=503)
    response["Retry-After"] = str(settings.OVERLOAD_RETRY_AFTER)
    return response


class AdmissionLimit:
    """ASGI middleware: at most ``MAX_CONCURRENT_REQUESTS`` HTTP requests in this process
    at once; the next ones get an immediate 503. One event loop per process: a plain
    counter is exact (nothing awaits between the check and the increment)."""

    def __init__(self, app):
        self.app = app
        self.in_flight = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.in_flight >= settings.MAX_CONCURRENT_REQUESTS:
            return await self._refuse(scope, send)
        self.in_flight += 1
        try:
            return await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, scope, send):
        body, content_type = busy_parts(scope.get("path", ""), scope.get("method", "GET"))
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(settings.OVERLOAD_RETRY_AFTER).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _caused_by_pool_timeout(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, PoolTimeout):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """``handler500``: a wait for a pooled connection that ran out is overload (503 with
    Retry-After), not a bug; anything else is the usual 500."""
    import sys

    if _caused_by_pool_timeout(sys.exc_info()[1]):
        return busy_response(request)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": "server_error", "detail": "Server error."}, status=500)
    return defaults.server_error(request, template_name)
