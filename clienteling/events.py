"""Live pushes. Only services call this, and only through ``*_on_commit``: a push is a
hint sent after the write is committed, never the truth (the page resyncs on connect)."""

from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def floor_group(store_id: int) -> str:
    return f"store.{store_id}.floor"


def _send(group: str, message: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)


def send_on_commit(group: str, message: dict) -> None:
    transaction.on_commit(partial(_send, group, message))


def managers_group(store_id: int) -> str:
    return f"store.{store_id}.managers"


def board_refresh_on_commit(*, store_id: int) -> None:
    """Tell the store's manager boards that the floor changed; each re-reads it from the
    database. Called by every service that changes a visit (arrival, claim, departure)."""
    send_on_commit(managers_group(store_id), {"type": "dashboard.refresh"})
