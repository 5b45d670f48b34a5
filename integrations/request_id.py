"""One id per request, in every log line it causes, here and in the Celery tasks and
pushes it starts: a webhook's push and its task log the same id as the webhook.

The id comes from the proxy's ``X-Request-ID`` when it is a sane token, else is made
here; it is answered in ``X-Request-ID``. It lives in a context variable: the logging
filter puts it on each record, ``push.send`` puts it in each message, and Celery
carries it in each task's headers (``clienteling/celery.py`` connects the signals).
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
NONE = "-"
request_id: ContextVar[str] = ContextVar("request_id", default=NONE)
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost: the id is set before anything can log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        rid = given if _SANE.fullmatch(given) else new_id()
        # Set for this request's context; Django logs the response (4xx, 5xx) after the
        # middleware returns, so it is not reset here: the next request sets its own.
        request_id.set(rid)
        request.request_id = rid
        # When the request began, before anything was read: what it hands out (a live
        # socket's ticket) is dated from then, not from when its page was drawn.
        request.started_at = time.time()
        response = self.get_response(request)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Gives every record a ``request_id`` (``-`` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message (and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NONE),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# --- Celery: the id travels in the task's message headers -------------------------------


def task_headers_add(headers=None, **kwargs) -> None:
    """``before_task_publish``: the publishing context's id goes with the task."""
    if headers is not None and "request_id" not in headers:
        headers["request_id"] = request_id.get()


def task_context_set(task=None, **kwargs) -> None:
    """``task_prerun``: the task logs under the id it was published with (or a new one)."""
    given = getattr(task.request, "request_id", None) or (task.request.headers or {}).get(
        "request_id"
    )
    request_id.set(given if given and given != NONE else new_id())


def task_context_clear(**kwargs) -> None:
    """``task_postrun``: a worker's next task does not inherit the id."""
    request_id.set(NONE)
