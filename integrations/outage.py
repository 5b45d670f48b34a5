"""The database unreachable is an outage, not a bug: answer 503 with ``Retry-After``.

While PostgreSQL is down (or the pool has no connection to give), pages get a clear 503
page and the webhooks (``/api/``) a short JSON 503, both telling when to retry; nothing
is half-written, since every write is one transaction. ``OutageMiddleware`` turns a view's
database error into that answer, and the 500 Django made of one raised in an inner
middleware (sessions, authentication) too: it sits outside them.
"""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

try:
    from psycopg_pool import PoolTimeout
except ImportError:  # pragma: no cover - the SQLite demo
    PoolTimeout = OperationalError

logger = logging.getLogger(__name__)
OUTAGE = (OperationalError, InterfaceError, PoolTimeout)


def outage_response(request) -> HttpResponse:
    retry_after = settings.OUTAGE_RETRY_AFTER
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": "unavailable", "detail": "Database unavailable, retry later."},
            status=503,
        )
    else:
        # No request context: its processors would query the database that is down.
        html = render_to_string("503.html", {"retry_after": retry_after})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_database_outage", False):
            return outage_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGE):
            logger.error("Database unreachable on %s: %s", request.path, exception)
            return outage_response(request)
        return None


def _note_outage(sender, request=None, **kwargs):
    """An exception an inner middleware raised became a 500: note if it was an outage."""
    if request is not None and isinstance(sys.exc_info()[1], OUTAGE):
        request._database_outage = True


got_request_exception.connect(_note_outage, dispatch_uid="integrations.outage")
