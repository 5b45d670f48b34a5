"""The floor's live pushes. Only services call this, and only through ``*_on_commit``.

Floor messages are HTML for htmx's websocket extension, which swaps every top-level
element out of band. A fragment is rendered once per language (not once per tablet);
each tablet's consumer forwards the one in its language."""

from django.template.loader import render_to_string
from django.utils import translation

from integrations.push import (
    board_refresh_on_commit,
    floor_group,
    on_commit,
    render_by_language,
    send,
    send_on_commit,
)

from .models import Visit
from .selectors import floor_cards, floor_list

FLOOR_PARTIALS = "floor/partials.html"


def floor_list_html(store_id: int, language: str) -> str:
    """The whole list of clients present, replacing the tablet's (on every connect)."""
    with translation.override(language):
        return render_to_string(f"{FLOOR_PARTIALS}#floor_clients", floor_list(store_id))


def _push_card(store_id: int, visit_id: int, how: str, card: Visit | None = None) -> None:
    if card is None:
        cards = floor_cards(store_id, visit_ids=[visit_id])
        if not cards:  # gone again before the push left: the list is already right
            return
        card = cards[0]
    html = render_by_language(f"{FLOOR_PARTIALS}#push_{how}", {"visit": card})
    send(floor_group(store_id), {"type": "floor.html", "html": html})


def card_arrive_on_commit(*, store_id: int, visit_id: int, card: Visit | None = None) -> None:
    """A client appears on the store's tablets (at the top of the list). ``card``: the
    visit as committed with its figures (``selectors.arrival_card``), sent as it is;
    else the card is read after commit."""
    on_commit(_push_card, store_id, visit_id, "arrive", card)
    board_refresh_on_commit(store_id=store_id)


def card_update_on_commit(*, store_id: int, visit_id: int) -> None:
    """A card changes in place (claimed, released, done)."""
    on_commit(_push_card, store_id, visit_id, "update")
    board_refresh_on_commit(store_id=store_id)


def card_remove_on_commit(*, store_id: int, visit_id: int) -> None:
    """A client left: their card leaves every tablet."""
    html = f'<article id="visit-{int(visit_id)}" hx-swap-oob="delete"></article>'
    send_on_commit(floor_group(store_id), {"type": "floor.html", "html": html})
    board_refresh_on_commit(store_id=store_id)
