"""Stock as an associate reads it: what is available where, holds for orders taken off.

``catalog.stock`` gives the places, the distances and the counters; here the pickup holds
that have run out are taken back out of ``reserved`` by their timestamp, so what a page
shows never depends on the periodic sweep having run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum
from django.utils import timezone

from catalog.models import Store
from catalog.stock import LAST_UNITS, Place, stock_across_stores, stock_rows_near

from ..models import Reservation


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


def lapsed_units(variant_ids: Iterable[int], *, now: datetime) -> dict[tuple[int, int], int]:
    """Units still counted in ``StockLevel.reserved`` whose pickup hold has run out, by
    (store id, variant id)."""
    rows = (
        Reservation.objects.past_hold(now)
        .filter(variant_id__in=list(variant_ids))
        .values("store_id", "variant_id")
        .annotate(units=Sum("quantity"))
        .values_list("store_id", "variant_id", "units")
    )
    return {(store_id, variant_id): units for store_id, variant_id, units in rows}


def stock_lookup(
    *,
    variant_id: int,
    origin: Store,
    radius_km: float | None = None,
    now: datetime | None = None,
) -> list[StockAt]:
    """One variant across stores: ``origin`` first, then the stores with units on hand
    by distance (within ``radius_km``), then the warehouses. Three plain queries."""
    lapsed = lapsed_units([variant_id], now=now or timezone.now())
    return [
        StockAt(
            store=place.store,
            distance_km=place.distance_km,
            on_hand=place.on_hand,
            reserved=place.reserved - lapsed.get((place.store.pk, variant_id), 0),
            is_origin=place.store.pk == origin.pk,
        )
        for place in stock_across_stores(variant_id, origin=origin, radius_km=radius_km)
    ]


def fulfilment_options(
    variant_ids: Iterable[int], *, near: Store, now: datetime | None = None
) -> dict[int, list[StockAt]]:
    """Per variant, the places with units available, in the order a source is chosen:
    ``near`` itself, other stores by distance, then warehouses. Two queries."""
    variant_ids = list(variant_ids)
    lapsed = lapsed_units(variant_ids, now=now or timezone.now())
    options: dict[int, list[StockAt]] = {}
    for row in stock_rows_near(variant_ids, near=near):
        place = StockAt(
            store=row.store,
            distance_km=row.distance_km,
            on_hand=row.on_hand,
            reserved=row.reserved - lapsed.get((row.store_id, row.variant_id), 0),
            is_origin=row.store_id == near.pk,
        )
        if place.available > 0:
            options.setdefault(row.variant_id, []).append(place)
    return options


def default_source(options: list[StockAt], quantity: int) -> StockAt | None:
    """The nearest store with enough units, else the nearest warehouse with enough."""
    return next((place for place in options if place.available >= quantity), None)
