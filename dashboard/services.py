"""The nightly roll-up of the floor figures (a write; the figures themselves are read
in ``dashboard.figures``)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from .figures import (
    _ASSOCIATE_FIELDS,
    _STORE_FIELDS,
    StoreFigures,
    compute_associate_figures,
    compute_store_figures,
    selling_store_ids,
)
from .models import DailyAssociateFigures, DailyStoreFigures


@transaction.atomic
def daily_figures_rollup(*, day: date) -> tuple[int, int]:
    """Recompute ``day`` (a past day) for every selling store and upsert it: safe to run
    again, concurrently too. Returns (store rows, associate rows) written."""
    if day >= timezone.localdate():
        raise ValueError("Only a day that is over can be rolled up.")
    now = timezone.now()
    store_ids = selling_store_ids()
    stores = compute_store_figures(store_ids, day, day)
    DailyStoreFigures.objects.bulk_create(
        [
            DailyStoreFigures(
                store_id=s,
                day=day,
                computed_at=now,
                **(stores.get((s, day)) or StoreFigures()).as_row(),
            )
            for s in store_ids
        ],
        update_conflicts=True,
        unique_fields=["store", "day"],
        update_fields=[*_STORE_FIELDS, "computed_at"],
    )
    associates = compute_associate_figures(store_ids, day, day)
    DailyAssociateFigures.objects.bulk_create(
        [
            DailyAssociateFigures(store_id=s, associate_id=u, day=d, computed_at=now, **f.as_row())
            for (s, u, d), f in associates.items()
        ],
        update_conflicts=True,
        unique_fields=["store", "day", "associate"],
        update_fields=[*_ASSOCIATE_FIELDS, "computed_at"],
    )
    # Someone whose activity that day is gone (e.g. a claim reassigned) loses their row.
    stale = [
        pk
        for pk, s, u in DailyAssociateFigures.objects.filter(day=day).values_list(
            "pk", "store_id", "associate_id"
        )
        if (s, u, day) not in associates
    ]
    if stale:
        DailyAssociateFigures.objects.filter(pk__in=stale).delete()
    return len(store_ids), len(associates)
