"""Live pushes. Only services call this, and only through ``*_on_commit``: a push is a
hint sent after the write is committed, never the truth (the page resyncs on connect).

Floor messages are HTML for htmx's websocket extension, which swaps every top-level
element out of band. A fragment is rendered once per language (not once per tablet);
each tablet's consumer forwards the one in its language."""

from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from catalog.models import Store

from .selectors.dashboard import floor_board
from .selectors.floor import floor_cards

FLOOR_PARTIALS = "clienteling/floor/partials.html"


def floor_group(store_id: int) -> str:
    return f"store.{store_id}.floor"


def _send(group: str, message: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)


def send_on_commit(group: str, message: dict) -> None:
    transaction.on_commit(partial(_send, group, message))


def render_by_language(template: str, context: dict) -> dict[str, str]:
    by_language = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            by_language[code] = render_to_string(template, context)
    return by_language


def floor_list_html(store_id: int, language: str) -> str:
    """The whole list of clients present, replacing the tablet's (on every connect)."""
    with translation.override(language):
        return render_to_string(f"{FLOOR_PARTIALS}#floor_clients", {"cards": floor_cards(store_id)})


def _push_card(store_id: int, visit_id: int, how: str) -> None:
    cards = floor_cards(store_id, visit_ids=[visit_id])
    if not cards:  # gone again before the push left: the list is already right
        return
    html = render_by_language(f"{FLOOR_PARTIALS}#push_{how}", {"visit": cards[0]})
    _send(floor_group(store_id), {"type": "floor.html", "html": html})


def card_arrive_on_commit(*, store_id: int, visit_id: int) -> None:
    """A client appears on the store's tablets (at the top of the list)."""
    transaction.on_commit(partial(_push_card, store_id, visit_id, "arrive"))
    board_refresh_on_commit(store_id=store_id)


def card_update_on_commit(*, store_id: int, visit_id: int) -> None:
    """A card changes in place (claimed, released, done)."""
    transaction.on_commit(partial(_push_card, store_id, visit_id, "update"))
    board_refresh_on_commit(store_id=store_id)


def card_remove_on_commit(*, store_id: int, visit_id: int) -> None:
    """A client left: their card leaves every tablet."""
    html = f'<article id="visit-{int(visit_id)}" hx-swap-oob="delete"></article>'
    send_on_commit(floor_group(store_id), {"type": "floor.html", "html": html})
    board_refresh_on_commit(store_id=store_id)


def managers_group(store_id: int) -> str:
    return f"store.{store_id}.managers"


def board_refresh_on_commit(*, store_id: int) -> None:
    """Tell the store's manager boards that the floor changed; each re-reads it from the
    database. Called by every service that changes a visit (arrival, claim, departure)."""
    send_on_commit(managers_group(store_id), {"type": "dashboard.refresh"})


def board_live_html(store_id: int) -> str:
    """The live part of a store's board, as an out-of-band swap for the websocket."""
    board = floor_board(Store.objects.get(pk=store_id))
    return render_to_string("clienteling/dashboard/board.html#live", {"board": board, "oob": True})
