"""The one way code sends to websocket groups (the channel layer, Redis in production).

A push is a hint sent after the write is committed, never the truth: every page resyncs
from the database on (re)connect. So sending never fails a request: a channel-layer error
after a committed write is logged and counted, and the request answers what was saved.

Group names live here, so that any feature can tell a store's tablets or boards that
something changed without importing the feature that renders for them."""

import logging
from collections import Counter
from contextlib import suppress
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .request_id import request_id

logger = logging.getLogger(__name__)

# Pushes that could not be sent, by group kind, since the process started.
failures: Counter[str] = Counter()


def floor_group(store_id: int) -> str:
    """Every associate tablet showing a store's floor."""
    return f"store.{store_id}.floor"


def board_group(store_id: int) -> str:
    """Every manager board of a store."""
    return f"store.{store_id}.managers"


def user_group(user_id: int) -> str:
    """Every live socket of one staff member (told to re-check their access)."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """Every live socket opened with one session (closed when it signs out)."""
    return f"session.{session_key}"


def send(group: str, message: dict) -> bool:
    """Send now; ``False`` (logged) when the channel layer could not take it. The message
    carries the request id of what caused it, for the consumers' logs."""
    message = {**message, "request_id": request_id.get()}
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:
        personal = group.startswith(("user.", "session."))
        kind = group.split(".", 1)[0] if personal else group.rsplit(".", 1)[-1]
        failures[kind] += 1
        # A session key is a credential: never write it to the logs.
        logger.exception(
            "Push to %s failed; tablets resync when they reconnect.",
            kind if personal else group,
        )
        return False
    return True


def on_commit(func, *args, **kwargs) -> None:
    """Run ``func`` once the current transaction commits (at once outside one). A failure
    there is logged, never raised into the request whose write succeeded."""
    transaction.on_commit(partial(_robust, func, *args, **kwargs))


def _robust(func, *args, **kwargs) -> None:
    try:
        func(*args, **kwargs)
    except Exception:
        failures["render"] += 1
        logger.exception("Push %s failed after commit.", getattr(func, "__name__", func))


def send_on_commit(group: str, message: dict) -> None:
    on_commit(send, group, message)


# How many manager boards are open per store, counted in the cache (Redis) by the boards'
# consumers in every process, so that a floor change is published to a store's boards only
# while one is open. Kept a day after the last board opened: a process that died with
# boards open leaves the count high, which only costs pushes nobody reads; a board open a
# whole day without any reconnect still has the page's poll.
BOARDS_OPEN_SECONDS = 24 * 3600


def _boards_key(store_id: int) -> str:
    return f"push.boards-open.{store_id}"


def board_opened(store_id: int) -> None:
    key = _boards_key(store_id)
    cache.add(key, 0, BOARDS_OPEN_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # gone between add and incr (evicted, Redis restarted)
        cache.set(key, 1, BOARDS_OPEN_SECONDS)
    cache.touch(key, BOARDS_OPEN_SECONDS)


def board_closed(store_id: int) -> None:
    with suppress(ValueError):  # expired meanwhile: nothing to count down
        cache.decr(_boards_key(store_id))


def boards_open(store_id: int) -> bool:
    return (cache.get(_boards_key(store_id)) or 0) > 0


def _board_refresh(store_id: int) -> None:
    if boards_open(store_id):
        send(board_group(store_id), {"type": "dashboard.refresh"})


def board_refresh_on_commit(*, store_id: int) -> None:
    """Tell the store's manager boards that the floor changed; each re-reads it from the
    database. Called by every service that changes a visit or an order; sent only while a
    board of the store is open (``board_opened``)."""
    on_commit(_board_refresh, store_id)


def render_by_language(template: str, context: dict) -> dict[str, str]:
    """A fragment rendered once per language (not once per tablet); each consumer
    forwards the one in its tablet's language."""
    by_language = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            by_language[code] = render_to_string(template, context)
    return by_language
