"""Store and associate figures for a day.

Today's figures are computed live from the floor's own tables (cheap: every query is
bounded by a store and an arrival-time range on an index). Past days are rolled up each
night into ``DailyStoreFigures`` / ``DailyAssociateFigures`` by ``daily_figures_rollup``
(idempotent: it recomputes a day and upserts it). A past day that has not been rolled up
yet is computed live, so no page depends on the nightly task having run.

The figures:
- recognised visits: visits of a known client who arrived that day;
- anonymous visits: traffic the store counted without knowing who it was;
- visits served: recognised visits an associate claimed;
- median time to serve: from arrival to the claim, over the visits served;
- notes written, offers mentioned, orders for delivery (count and value);
- conversion: recognised visits with an order (by that client, in that store, that day,
  after arrival) / recognised visits. For an associate: served visits with an order /
  visits served.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Protocol

from django.apps import apps
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import Store
from floor.models import Visit

from .models import DailyAssociateFigures, DailyStoreFigures

ZERO = Decimal("0.00")


class Median(Aggregate):
    """The median (PostgreSQL ``percentile_cont``; a registered aggregate on SQLite)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, function="median", template="%(function)s(%(expressions)s)"
        )


class SQLiteMedian:
    """``median(x)`` for the SQLite demo database (registered in ``apps.py``)."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        values = sorted(self.values)
        n = len(values)
        if not n:
            return None
        return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


# --- Day boundaries ------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in the current time zone (the stores' local time)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    return day_start(first), day_start(last + timedelta(days=1))


def local_day(field) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


# --- What the figures count ------------------------------------------------------------------


@dataclass
class Figures:
    served_visits: int = 0
    median_time_to_serve: timedelta | None = None
    notes_written: int = 0
    offers_mentioned: int = 0
    orders: int = 0
    orders_value: Decimal = ZERO
    converted_visits: int = 0

    @property
    def visits_for_conversion(self) -> int:
        return self.served_visits

    @property
    def conversion(self) -> float | None:
        """Visits with an order / visits, from 0 to 1; None without visits."""
        base = self.visits_for_conversion
        return self.converted_visits / base if base else None

    def as_row(self) -> dict:
        return asdict(self)


@dataclass
class StoreFigures(Figures):
    recognised_visits: int = 0
    anonymous_visits: int = 0

    @property
    def visits_for_conversion(self) -> int:
        return self.recognised_visits


@dataclass
class AssociateFigures(Figures):
    pass


# --- Activity counted from other areas -------------------------------------------------------


class Activity(Protocol):
    """Something done in a store that the figures count (notes, offers mentioned, orders)."""

    def totals(self, *, store_ids, first: date, last: date, by_staff: bool) -> dict:
        """``{(store_id, day): (count, value)}`` over the days from ``first`` to ``last``,
        or ``{(store_id, staff_id, day): ...}`` with ``by_staff``."""
        ...

    def converted(self) -> Q | None:
        """A condition on ``Visit`` rows: the client has one of these that day, after
        arrival (None when this activity does not convert visits)."""
        ...


class ModelActivity:
    """Counts rows of a model with a store, a customer, a timestamp (``at``) and, unless
    ``staff`` is None, the staff member who did it; sums ``value`` if given."""

    def __init__(self, model: str, *, at: str, staff: str | None, value=None, exclude=None):
        self.model_label, self.at, self.staff = model, at, staff
        self.value, self.exclude = value, exclude

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def _rows(self):
        rows = self.model._default_manager.all()
        return rows.exclude(self.exclude) if self.exclude is not None else rows

    def totals(self, *, store_ids, first, last, by_staff) -> dict[tuple, tuple[int, Decimal]]:
        if by_staff and not self.staff:
            return {}
        start, end = day_range(first, last)
        rows = self._rows().filter(
            store_id__in=list(store_ids), **{f"{self.at}__gte": start, f"{self.at}__lt": end}
        )
        keys = {"s": F("store_id")}
        if by_staff:
            rows = rows.filter(**{f"{self.staff}__isnull": False})
            keys["u"] = F(f"{self.staff}_id")
        if first != last:
            keys["d"] = local_day(self.at)
        totals = {"n": Count("pk")}
        if self.value:
            totals["v"] = Sum(self.value)
        return {
            (r["s"], *([r["u"]] if by_staff else []), r.get("d", first)): (
                r["n"],
                r.get("v") or ZERO,
            )
            for r in rows.values(**keys).annotate(**totals).order_by()
        }

    def converted(self) -> Q:
        arrived = OuterRef("arrived_at")
        return Q(
            Exists(
                self._rows()
                .filter(
                    customer=OuterRef("customer"),
                    store=OuterRef("store"),
                    **{f"{self.at}__gte": arrived},
                )
                .alias(local_day=local_day(self.at))
                .filter(
                    local_day=local_day(ExpressionWrapper(arrived, output_field=DateTimeField()))
                )
            )
        )


NOTES: Activity = ModelActivity("customers.Note", at="created_at", staff="author")

# Offers an associate told a client about, from the card (one per offer, client and day).
OFFERS_MENTIONED: Activity = ModelActivity(
    "offers.OfferMention", at="mentioned_at", staff="mentioned_by"
)
# Orders for delivery taken in the store; a cancelled order does not count.
ORDERS: Activity = ModelActivity(
    "orders.Order",
    at="created_at",
    staff="created_by",
    value="total",
    exclude=Q(status="cancelled"),
)


# --- Live computation ------------------------------------------------------------------------


def _visit_figures(store_ids, first: date, last: date, *, by_associate: bool) -> dict:
    """Visit counts and the median time to serve, per (store[, associate], day).

    One pass over the visits that arrived in the range, on the (store, arrival) index that
    covers the columns read. For a single day there is no per-row day to compute, and the
    rows come grouped by store straight from the index."""
    start, end = day_range(first, last)
    visits = Visit.objects.filter(
        store_id__in=list(store_ids), arrived_at__gte=start, arrived_at__lt=end
    ).order_by()
    known = Q(customer__isnull=False)
    served = known & Q(attended_since__isnull=False)
    aggregates = {
        "served_visits": Count("store", filter=served),
        "median_time_to_serve": Median(
            F("attended_since") - F("arrived_at"), filter=served, output_field=DurationField()
        ),
    }
    if by_associate:
        keys = ["store_id", "attended_by_id"]
        visits = visits.filter(served, attended_by__isnull=False)
        counted = served
    else:
        keys = ["store_id"]
        aggregates["recognised_visits"] = Count("store", filter=known)
        aggregates["anonymous_visits"] = Count("store", filter=~known)
        counted = known
    per_day = {} if first == last else {"day": local_day("arrived_at")}

    def key(row) -> tuple:
        return (*(row.pop(k) for k in keys), row.pop("day", first))

    figures = {key(r): r for r in visits.values(*keys, **per_day).annotate(**aggregates)}
    converted = ORDERS.converted()
    if converted is not None:
        # In WHERE (not in an aggregate's FILTER) the database can run it as a semi-join.
        with_order = visits.filter(counted).filter(converted)
        for r in with_order.values(*keys, **per_day).annotate(n=Count("store")):
            n = r.pop("n")
            figures.setdefault(key(r), {})["converted_visits"] = n
    return figures


def _add_activity(figures: dict, factory, *, store_ids, first, last, by_staff) -> None:
    for field, activity in (
        ("notes_written", NOTES),
        ("offers_mentioned", OFFERS_MENTIONED),
        ("orders", ORDERS),
    ):
        totals = activity.totals(store_ids=store_ids, first=first, last=last, by_staff=by_staff)
        for key, (n, value) in totals.items():
            f = figures.setdefault(key, factory())
            setattr(f, field, getattr(f, field) + n)
            if field == "orders":
                f.orders_value += value


def compute_store_figures(
    store_ids: Iterable[int], first: date, last: date
) -> dict[tuple[int, date], StoreFigures]:
    """Live figures per (store, day) from ``first`` to ``last`` (included); only days
    with some activity are in the result."""
    store_ids = list(store_ids)
    figures = {
        k: StoreFigures(**r)
        for k, r in _visit_figures(store_ids, first, last, by_associate=False).items()
    }
    _add_activity(
        figures, StoreFigures, store_ids=store_ids, first=first, last=last, by_staff=False
    )
    return figures


def compute_associate_figures(
    store_ids: Iterable[int], first: date, last: date
) -> dict[tuple[int, int, date], AssociateFigures]:
    """Live figures per (store, staff member, day); activity with no known author (a
    deleted account) is left out."""
    store_ids = list(store_ids)
    figures = {
        k: AssociateFigures(**r)
        for k, r in _visit_figures(store_ids, first, last, by_associate=True).items()
    }
    _add_activity(
        figures, AssociateFigures, store_ids=store_ids, first=first, last=last, by_staff=True
    )
    return figures


# --- Rolled-up past days, live today ---------------------------------------------------------

_STORE_FIELDS = [f.name for f in fields(StoreFigures)]
_ASSOCIATE_FIELDS = [f.name for f in fields(AssociateFigures)]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def store_figures(
    store_ids: Iterable[int], first: date, last: date
) -> dict[tuple[int, date], StoreFigures]:
    """Figures per (store, day) for every store and day asked: rolled-up rows for past
    days, live figures for today and for any past day not rolled up yet. At most a few
    queries, whatever the range."""
    store_ids = list(store_ids)
    today = timezone.localdate()
    last = min(last, today)
    result = {}
    if first < today:  # today is never rolled up
        result = {
            (r["store_id"], r["day"]): StoreFigures(**{f: r[f] for f in _STORE_FIELDS})
            for r in DailyStoreFigures.objects.filter(
                store_id__in=store_ids, day__gte=first, day__lte=min(last, today - timedelta(1))
            ).values("store_id", "day", *_STORE_FIELDS)
        }
    missing = [(s, d) for d in _days(first, last) for s in store_ids if (s, d) not in result]
    if missing:
        live = compute_store_figures(
            {s for s, _ in missing}, min(d for _, d in missing), max(d for _, d in missing)
        )
        for key in missing:
            result[key] = live.get(key) or StoreFigures()
    return result


def associate_figures(
    store_ids: Iterable[int], first: date, last: date
) -> dict[tuple[int, int, date], AssociateFigures]:
    """Figures per (store, staff member, day) with some activity; like ``store_figures``."""
    store_ids = list(store_ids)
    today = timezone.localdate()
    last = min(last, today)
    done, result = set(), {}
    if first < today:  # today is never rolled up
        # A store's day is rolled up when its store row is there (both are written together).
        done = set(
            DailyStoreFigures.objects.filter(
                store_id__in=store_ids, day__gte=first, day__lte=min(last, today - timedelta(1))
            ).values_list("store_id", "day")
        )
        result = {
            (r["store_id"], r["associate_id"], r["day"]): AssociateFigures(
                **{f: r[f] for f in _ASSOCIATE_FIELDS}
            )
            for r in DailyAssociateFigures.objects.filter(
                store_id__in=store_ids, day__gte=first, day__lte=last
            ).values("store_id", "associate_id", "day", *_ASSOCIATE_FIELDS)
            if (r["store_id"], r["day"]) in done
        }
    missing = [(s, d) for d in _days(first, last) for s in store_ids if (s, d) not in done]
    if missing:
        wanted = set(missing)
        live = compute_associate_figures(
            {s for s, _ in missing}, min(d for _, d in missing), max(d for _, d in missing)
        )
        result.update({k: v for k, v in live.items() if (k[0], k[2]) in wanted})
    return result


def selling_store_ids() -> list[int]:
    return list(Store.objects.filter(is_warehouse=False).values_list("pk", flat=True))
