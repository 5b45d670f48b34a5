"""Where a variant's units are: stock rows across stores, nearest first.

Reads only. Distances are great-circle (haversine) kilometres computed in SQL from each
store's coordinates, so the radius filter and the ordering happen in the one query.
Units held for orders are in ``StockLevel.reserved``; the layer that owns reservations
(``clienteling``) subtracts lapsed pickup holds on top of these querysets.
"""

from __future__ import annotations

import math

from django.db.models import Case, F, FilteredRelation, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ASin, Coalesce, Cos, Least, Power, Radians, Sin, Sqrt

from .models import StockLevel, Store, Variant

EARTH_RADIUS_KM = 6371.0088
LAST_UNITS = 2
"""At most this many available units: the shelf shows "last units"."""


def distance_km(latitude: float, longitude: float, *, prefix: str = ""):
    """SQL expression: haversine distance in km from (latitude, longitude) to the store
    whose coordinate fields are reached through ``prefix`` (e.g. ``"store__"``)."""
    lat0, lng0 = math.radians(latitude), math.radians(longitude)
    lat = Radians(f"{prefix}latitude")
    half_dlat = Sin((lat - lat0) / 2)
    half_dlng = Sin((Radians(f"{prefix}longitude") - lng0) / 2)
    a = Power(half_dlat, 2) + math.cos(lat0) * Cos(lat) * Power(half_dlng, 2)
    return 2 * EARTH_RADIUS_KM * ASin(Sqrt(Least(a, Value(1.0))))


def _place_rank(origin_id: int, *, prefix: str = "") -> Case:
    """0 for the origin store, 1 for other stores, 2 for warehouses."""
    return Case(
        When(**{f"{prefix}pk": origin_id}, then=0),
        When(**{f"{prefix}is_warehouse": True}, then=2),
        default=1,
        output_field=IntegerField(),
    )


def stock_across_stores(
    variant_id: int, *, origin: Store, radius_km: float | None = None
) -> QuerySet[Store]:
    """Active stores and warehouses for one variant's lookup, annotated with
    ``stock_id``, ``on_hand``, ``reserved`` (0 without a stock row) and ``distance_km``
    from ``origin``. The origin comes first whatever it holds, then the other stores that
    have units on hand, nearest first (within ``radius_km`` if given), then warehouses."""
    others = Q(level__on_hand__gt=0)
    if radius_km is not None:
        others &= Q(distance_km__lte=radius_km)
    return (
        Store.objects.filter(is_active=True)
        .annotate(level=FilteredRelation("stock", condition=Q(stock__variant_id=variant_id)))
        .annotate(
            stock_id=F("level__id"),
            on_hand=Coalesce(F("level__on_hand"), 0),
            reserved=Coalesce(F("level__reserved"), 0),
            distance_km=distance_km(origin.latitude, origin.longitude),
            place_rank=_place_rank(origin.pk),
        )
        .filter(Q(pk=origin.pk) | Q(is_warehouse=True) | others)
        .order_by("place_rank", "distance_km", "name")
    )


def stock_rows_near(variant_ids, *, near: Store) -> QuerySet[StockLevel]:
    """Stock rows with units on hand for several variants in active stores and
    warehouses, with ``store`` loaded and ``distance_km`` from ``near``; per variant in
    the order a fulfilment source is chosen: ``near`` itself, stores by distance, then
    warehouses by distance."""
    return (
        StockLevel.objects.filter(
            variant_id__in=list(variant_ids), store__is_active=True, on_hand__gt=0
        )
        .select_related("store")
        .annotate(
            distance_km=distance_km(near.latitude, near.longitude, prefix="store__"),
            place_rank=_place_rank(near.pk, prefix="store__"),
        )
        .order_by("variant_id", "place_rank", "distance_km", "store__name")
    )


def variant_by_code(code: str) -> Variant | None:
    """A variant by its EAN (scanned) or its SKU (typed, any case)."""
    code = code.strip()
    if not code:
        return None
    return (
        Variant.objects.select_related("product__brand")
        .filter(Q(ean=code) | Q(sku__iexact=code))
        .first()
    )
