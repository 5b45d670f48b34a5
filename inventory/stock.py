"""Where a variant's units are: stock across stores, nearest first.

Reads only. Distances are great-circle (haversine) kilometres from each store's
coordinates, computed by the database (``distance_from``) so that the radius and the
order are applied in the query and a page gets only the rows it shows, as plain values.
Units held for orders are read with ``StockLevel.objects.with_available``: a pickup hold
that ran out is not held."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from math import cos, radians

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Q,
    Value,
    When,
)
from django.db.models.functions import ASin, Coalesce, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils import timezone

from catalog.models import Store

from .geo import EARTH_RADIUS_KM
from .models import StockLevel, held_units

LAST_UNITS = 2
"""At most this many available units: the shelf shows "last units"."""


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


def distance_from(origin: Store, *, prefix: str = ""):
    """The haversine distance in kilometres from ``origin`` to the store at ``prefix``
    (``""``: the row is a store; ``"store__"``: a row pointing at one), as a database
    expression, so that distances filter and sort in the query (SQLite and PostgreSQL)."""
    lat, lng = F(f"{prefix}latitude"), F(f"{prefix}longitude")
    phi1 = Value(radians(origin.latitude))
    dphi = Radians(lat) - phi1
    dlambda = Radians(lng) - Value(radians(origin.longitude))
    a = Power(Sin(dphi / 2), 2) + Value(cos(radians(origin.latitude))) * Cos(Radians(lat)) * Power(
        Sin(dlambda / 2), 2
    )
    # Least: rounding must never take asin() out of its domain.
    return ExpressionWrapper(
        2 * EARTH_RADIUS_KM * ASin(Sqrt(Least(a, Value(1.0)))), output_field=FloatField()
    )


def _rank(origin: Store, *, prefix: str = ""):
    """The origin first (0), then stores (1), then warehouses (2)."""
    return Case(
        When(**{f"{prefix}pk": origin.pk}, then=0),
        When(**{f"{prefix}is_warehouse": True}, then=2),
        default=1,
    )


def stock_across_stores(
    variant_id: int, *, origin: Store, radius_km: float | None = None, at: datetime | None = None
) -> list[PlaceStock]:
    """One variant in every active store and warehouse, in one query: the origin first
    whatever it holds, then the other stores that have units on hand, nearest first
    (within ``radius_km`` if given), then the warehouses. No stock row counts as 0.
    Units held are counted as ``StockLevel.objects.with_available`` counts them
    (``held_units``); distances, the radius and the order are computed by the database."""
    shown = Q(row__on_hand__gt=0)
    if radius_km is not None:
        shown &= Q(distance_km__lte=radius_km)
    rows = (
        Store.objects.annotate(
            row=FilteredRelation("stock", condition=Q(stock__variant_id=variant_id))
        )
        .annotate(
            on_hand=Coalesce(F("row__on_hand"), 0),
            held=Coalesce(held_units(at or timezone.now(), row="row__"), 0),
            distance_km=distance_from(origin),
        )
        .filter(Q(pk=origin.pk) | Q(is_warehouse=True) | shown, is_active=True)
        .order_by("is_warehouse", "distance_km", "name")
        .values_list("pk", "code", "name", "city", "is_warehouse", "distance_km", "on_hand", "held")
    )
    places = [
        PlaceStock(Place(pk, code, name, city, is_warehouse), distance, on_hand, held)
        for pk, code, name, city, is_warehouse, distance, on_hand, held in rows
    ]
    # The origin first (the nearest store to itself but for one at the same address).
    places.sort(key=lambda place: place.store.pk != origin.pk)
    return places


def stock_rows_near(
    variant_ids: Iterable[int], *, near: Store, at: datetime | None = None
) -> list[StockLevel]:
    """Stock rows with units available of several variants in active stores and
    warehouses, ``store`` loaded, ``held``/``available``/``distance_km`` annotated from
    ``near``; per variant in the order a fulfilment source is chosen: ``near`` itself,
    stores by distance, warehouses (sorted by the database)."""
    return list(
        StockLevel.objects.filter(variant_id__in=list(variant_ids), store__is_active=True)
        .in_stock(at)
        .select_related("store")
        .annotate(
            distance_km=distance_from(near, prefix="store__"),
            rank=_rank(near, prefix="store__"),
        )
        .order_by("variant_id", "rank", "distance_km", "store__name")
    )


def stores_by_distance(near: Store) -> list[Store]:
    """Active stores (not warehouses), nearest to ``near`` first, with ``distance_km``."""
    return list(
        Store.objects.filter(is_active=True, is_warehouse=False)
        .annotate(distance_km=distance_from(near))
        .order_by("distance_km", "name")
    )
