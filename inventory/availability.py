"""Where a variant can be had: here, in another store (which, how far), or from a
warehouse. Available as ``StockLevel.objects.with_available`` says (pickup holds that
ran out no longer count). One query for any number of variants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from catalog.models import Store
from catalog.prepared import Prepared

from .geo import distance_km
from .models import StockLevel


@dataclass
class NearbyStock:
    store: Store
    available: int
    distance_km: float


@dataclass
class Availability:
    here: int = 0
    nearest: NearbyStock | None = None  # the closest other store that has it
    warehouse: int = 0
    other_stores: list[NearbyStock] = field(default_factory=list)

    @property
    def in_stock_here(self) -> bool:
        return self.here > 0

    @property
    def orderable(self) -> bool:
        return self.warehouse > 0

    @property
    def anywhere(self) -> bool:
        return self.here > 0 or self.nearest is not None or self.warehouse > 0


_STORE_FIELDS = ("id", "name", "is_warehouse", "latitude", "longitude")


def _stock_rows_query(*args):
    """Stock rows of active stores with units available, for the variant ids of ``args``
    (then the moment): variant id, units available, then the store's ``_STORE_FIELDS``."""
    *variant_ids, at = args
    return (
        StockLevel.objects.filter(variant_id__in=variant_ids, store__is_active=True)
        .in_stock(at)
        .values_list("variant_id", "available", *(f"store__{f}" for f in _STORE_FIELDS))
    )


_stock_rows = Prepared(_stock_rows_query)


def availability_for(variant_ids: Iterable[int], *, store: Store | None) -> dict[int, Availability]:
    """Availability of each variant seen from ``store`` (None: head office, no "here").
    The other stores are given with their name, place and kind (their other fields
    deferred), one object per store."""
    variant_ids = set(variant_ids)
    result = {pk: Availability() for pk in variant_ids}
    if not variant_ids:
        return result
    stores: dict[int, Store] = {}
    here = store.pk if store is not None else None
    for variant_id, available, *store_row in _stock_rows(*variant_ids, timezone.now()):
        availability = result[variant_id]
        store_id, _name, is_warehouse, latitude, longitude = store_row
        if store_id == here:
            availability.here += available
        elif is_warehouse:
            availability.warehouse += available
        else:
            other = stores.get(store_id)
            if other is None:
                other = stores[store_id] = Store.from_db(DEFAULT_DB_ALIAS, _STORE_FIELDS, store_row)
            km = (
                distance_km(store.latitude, store.longitude, latitude, longitude)
                if store is not None
                else 0.0
            )
            availability.other_stores.append(NearbyStock(other, available, km))
    for availability in result.values():
        availability.other_stores.sort(key=lambda s: (s.distance_km, s.store.name))
        availability.nearest = availability.other_stores[0] if availability.other_stores else None
    return result
