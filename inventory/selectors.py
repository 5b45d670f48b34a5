"""Stock as an associate reads it: what is available where, holds for orders taken off.

``inventory.stock`` gives the places, the distances and the counters, with the units held
read as ``StockLevel.objects.with_available`` defines them: a pickup hold that ran out no
longer counts the moment it lapses, whether or not the periodic sweep ran."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from catalog.models import Store

from .stock import LAST_UNITS, Place, stock_across_stores, stock_rows_near


@dataclass(frozen=True)
class StockAt:
    """One place's stock of one variant."""

    store: Store | Place
    distance_km: float | None
    on_hand: int
    reserved: int  # held for orders right now
    is_origin: bool = False

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved, 0)

    @property
    def state(self) -> str:
        """``none``, ``last`` (last units) or ``in_stock``."""
        if self.available <= 0:
            return "none"
        return "last" if self.available <= LAST_UNITS else "in_stock"


def stock_lookup(
    *,
    variant_id: int,
    origin: Store,
    radius_km: float | None = None,
    now: datetime | None = None,
) -> list[StockAt]:
    """One variant across stores: ``origin`` first, then the stores with units on hand
    by distance (within ``radius_km``), then the warehouses. Two plain queries."""
    return [
        StockAt(
            store=place.store,
            distance_km=place.distance_km,
            on_hand=place.on_hand,
            reserved=place.reserved,
            is_origin=place.store.pk == origin.pk,
        )
        for place in stock_across_stores(variant_id, origin=origin, radius_km=radius_km, at=now)
    ]


def fulfilment_options(
    variant_ids: Iterable[int], *, near: Store, now: datetime | None = None
) -> dict[int, list[StockAt]]:
    """Per variant, the places with units available, in the order a source is chosen:
    ``near`` itself, other stores by distance, then warehouses. Two queries."""
    variant_ids = list(variant_ids)
    options: dict[int, list[StockAt]] = {}
    for row in stock_rows_near(variant_ids, near=near, at=now):
        place = StockAt(
            store=row.store,
            distance_km=row.distance_km,
            on_hand=row.on_hand,
            reserved=row.held,
            is_origin=row.store_id == near.pk,
        )
        if place.available > 0:
            options.setdefault(row.variant_id, []).append(place)
    return options


def default_source(options: list[StockAt], quantity: int) -> StockAt | None:
    """The nearest store with enough units, else the nearest warehouse with enough."""
    return next((place for place in options if place.available >= quantity), None)
