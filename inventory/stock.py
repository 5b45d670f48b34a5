"""Where a variant's units are: stock across stores, nearest first.

Reads only. Distances are great-circle (haversine) kilometres from each store's
coordinates, computed in Python over the store rows: a few hundred stores cost well under
a millisecond, and the queries stay plain and quick to build. Units held for orders are
read with ``StockLevel.objects.with_available``: a pickup hold that ran out is not held."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from catalog.models import Store
from catalog.prepared import Prepared

from .geo import distance_km
from .models import StockLevel

LAST_UNITS = 2
"""At most this many available units: the shelf shows "last units"."""


def distance_between(a: Store, b: Store) -> float:
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _rank(store_id: int, is_warehouse: bool, distance: float, name: str, origin_id: int):
    """The origin first, then stores, then warehouses; nearest first within each."""
    return (0 if store_id == origin_id else 2 if is_warehouse else 1, distance, name)


@dataclass(frozen=True, slots=True)
class Place:
    """A store as a stock page shows it (lighter than a ``Store`` for 200 rows)."""

    pk: int
    code: str
    name: str
    city: str
    is_warehouse: bool

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class PlaceStock:
    store: Place
    distance_km: float
    on_hand: int
    reserved: int


# The stock page's two reads, from statements built once per process.
_levels = Prepared(
    lambda variant_id, at: (
        StockLevel.objects.filter(variant_id=variant_id)
        .with_available(at)
        .values_list("store_id", "on_hand", "held")
    )
)
_places = Prepared(
    lambda: Store.objects.filter(is_active=True).values_list(
        "pk", "code", "name", "city", "is_warehouse", "latitude", "longitude"
    )
)


def stock_across_stores(
    variant_id: int, *, origin: Store, radius_km: float | None = None, at: datetime | None = None
) -> list[PlaceStock]:
    """One variant in every active store and warehouse, in two plain queries: the origin
    first whatever it holds, then the other stores that have units on hand, nearest first
    (within ``radius_km`` if given), then the warehouses. No stock row counts as 0."""
    levels = {
        store_id: (on_hand, reserved)
        for store_id, on_hand, reserved in _levels(variant_id, at or timezone.now())
    }
    places = []
    for pk, code, name, city, is_warehouse, lat, lng in _places():
        on_hand, reserved = levels.get(pk, (0, 0))
        another_store = pk != origin.pk and not is_warehouse
        if another_store and on_hand <= 0:
            continue
        distance = distance_km(origin.latitude, origin.longitude, lat, lng)
        if another_store and radius_km is not None and distance > radius_km:
            continue
        places.append(
            PlaceStock(Place(pk, code, name, city, is_warehouse), distance, on_hand, reserved)
        )
    places.sort(
        key=lambda p: _rank(
            p.store.pk, p.store.is_warehouse, p.distance_km, p.store.name, origin.pk
        )
    )
    return places


def stock_rows_near(
    variant_ids: Iterable[int], *, near: Store, at: datetime | None = None
) -> list[StockLevel]:
    """Stock rows with units available of several variants in active stores and
    warehouses, ``store`` loaded, ``held``/``available`` annotated and ``distance_km`` set
    from ``near``; per variant in the order a fulfilment source is chosen: ``near``
    itself, stores by distance, warehouses."""
    rows = list(
        StockLevel.objects.filter(variant_id__in=list(variant_ids), store__is_active=True)
        .in_stock(at)
        .select_related("store")
    )
    for row in rows:
        row.distance_km = distance_between(near, row.store)
    rows.sort(
        key=lambda r: (
            r.variant_id,
            *_rank(r.store_id, r.store.is_warehouse, r.distance_km, r.store.name, near.pk),
        )
    )
    return rows


def stores_by_distance(near: Store) -> list[Store]:
    """Active stores (not warehouses), nearest to ``near`` first, with ``distance_km``."""
    stores = list(Store.objects.filter(is_active=True, is_warehouse=False))
    for store in stores:
        store.distance_km = distance_between(near, store)
    return sorted(stores, key=lambda s: (s.distance_km, s.name))
