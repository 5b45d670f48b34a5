"""The comparison tray: up to four products an associate is comparing, remembered in their
session so it follows them from page to page."""

from __future__ import annotations

from catalog.models import Product

SESSION_COMPARE_KEY = "compare_product_ids"
COMPARE_MAX = 4


class TrayFull(Exception):
    """The tray already holds ``COMPARE_MAX`` products."""


def tray_ids(request) -> list[int]:
    return list(request.session.get(SESSION_COMPARE_KEY, []))


def tray_products(request) -> list[Product]:
    """The tray's products, in the order they were added (one query; none when empty)."""
    ids = tray_ids(request)
    if not ids:
        return []
    found = Product.objects.only("pk", "name").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def tray_add(request, product_id: int) -> None:
    """Add a product (no change when it is already there); ``TrayFull`` past four."""
    ids = tray_ids(request)
    if product_id in ids:
        return
    if len(ids) >= COMPARE_MAX:
        raise TrayFull
    request.session[SESSION_COMPARE_KEY] = [*ids, product_id]


def tray_remove(request, product_id: int) -> None:
    request.session[SESSION_COMPARE_KEY] = [i for i in tray_ids(request) if i != product_id]


def tray_set(request, product_ids: list[int]) -> None:
    """Replace the tray (a shared comparison link was opened)."""
    ids = list(dict.fromkeys(product_ids))[:COMPARE_MAX]
    if ids != tray_ids(request):
        request.session[SESSION_COMPARE_KEY] = ids


def parse_ids(raw: str) -> list[int]:
    """``"3,1,7"`` -> ``[3, 1, 7]``; anything that is not a positive id is dropped."""
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit() and 0 < int(part) < 2**63:
            ids.append(int(part))
    return list(dict.fromkeys(ids))
