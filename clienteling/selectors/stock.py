"""Stock as an associate reads it: what is available where, holds for orders taken off.

``catalog.stock`` gives the rows, the distances and the counters; here the pickup holds
that have run out are taken back out of ``reserved`` by their timestamp, so what a page
shows never depends on the periodic sweep having run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Store
from catalog.stock import LAST_UNITS, stock_across_stores, stock_rows_near

from ..models import Reservation


@dataclass(frozen=True)
class StockAt:
    """One place's stock of one variant."""

    store: Store
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


def lapsed_holds(*, store, variant, now: datetime):
    """SQL: units still counted in ``StockLevel.reserved`` whose pickup hold has run out."""
    return Coalesce(
        Subquery(
            Reservation.objects.past_hold(now)
            .filter(store=store, variant=variant)
            .order_by()
            .values("store")
            .annotate(units=Sum("quantity"))
            .values("units"),
            output_field=IntegerField(),
        ),
        0,
    )


def stock_lookup(
    *,
    variant_id: int,
    origin: Store,
    radius_km: float | None = None,
    now: datetime | None = None,
) -> list[StockAt]:
    """One variant across stores, in one query: ``origin`` first, then the stores with
    units on hand by distance (within ``radius_km``), then the warehouses."""
    now = now or timezone.now()
    stores = stock_across_stores(variant_id, origin=origin, radius_km=radius_km).annotate(
        lapsed=lapsed_holds(store=OuterRef("pk"), variant=variant_id, now=now)
    )
    return [
        StockAt(
            store=store,
            distance_km=store.distance_km,
            on_hand=store.on_hand,
            reserved=store.reserved - store.lapsed,
            is_origin=store.pk == origin.pk,
        )
        for store in stores
    ]


def fulfilment_options(
    variant_ids: Iterable[int], *, near: Store, now: datetime | None = None
) -> dict[int, list[StockAt]]:
    """Per variant, the places with units available, in the order a source is chosen:
    ``near`` itself, other stores by distance, then warehouses. One query."""
    now = now or timezone.now()
    rows = stock_rows_near(variant_ids, near=near).annotate(
        lapsed=lapsed_holds(store=OuterRef("store_id"), variant=OuterRef("variant_id"), now=now)
    )
    options: dict[int, list[StockAt]] = {}
    for row in rows:
        place = StockAt(
            store=row.store,
            distance_km=row.distance_km,
            on_hand=row.on_hand,
            reserved=row.reserved - row.lapsed,
            is_origin=row.store_id == near.pk,
        )
        if place.available > 0:
            options.setdefault(row.variant_id, []).append(place)
    return options


def default_source(options: list[StockAt], quantity: int) -> StockAt | None:
    """The nearest store with enough units, else the nearest warehouse with enough."""
    return next((place for place in options if place.available >= quantity), None)
