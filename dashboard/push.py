"""What the dashboard renders for its websocket: the live part of a store's board."""

from django.template.loader import render_to_string

from catalog.models import Store

from .selectors import floor_board


def board_live_html(store_id: int) -> str:
    """The live part of a store's board, as an out-of-band swap for the websocket."""
    board = floor_board(Store.objects.get(pk=store_id))
    return render_to_string("dashboard/board.html#live", {"board": board, "oob": True})
