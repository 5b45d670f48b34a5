"""Reads for the manager's dashboard: the live floor board, today's figures per store and
per associate, trends, and the multi-store overview. Each is a handful of queries, however
many visits lie behind it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Store
from floor.models import Visit
from staff.models import StaffProfile

from .charts import Chart, part_of_total_chart
from .figures import AssociateFigures, StoreFigures, associate_figures, store_figures

TREND_DAYS = 30


def wait_alert() -> timedelta:
    return timedelta(minutes=settings.DASHBOARD_WAIT_ALERT_MINUTES)


@dataclass
class PresentClient:
    visit: Visit
    waited: timedelta
    served_for: timedelta | None = None
    alert: bool = False

    @property
    def customer(self):
        return self.visit.customer


@dataclass
class AssociateRow:
    user: object
    figures: AssociateFigures


@dataclass
class Board:
    store: Store
    now: datetime
    waiting: list[PresentClient]
    served: list[PresentClient]
    anonymous_present: int
    wait_alert: timedelta
    today: StoreFigures
    associates: list[AssociateRow]

    @property
    def present(self) -> int:
        return len(self.waiting) + len(self.served)

    @property
    def alerts(self) -> int:
        return sum(1 for c in self.waiting if c.alert)


def floor_board(store: Store, *, now: datetime | None = None) -> Board:
    """Who is in the store now, who serves them, who waits (VIPs over the threshold first,
    then the longest wait), and today's figures for the store and its staff."""
    now = now or timezone.now()
    threshold = wait_alert()
    present = Visit.objects.present(now).filter(store=store)
    waiting, served = [], []
    for visit in (
        present.filter(customer__isnull=False)
        .select_related("customer", "attended_by", "sent_to")
        .order_by("arrived_at", "pk")
    ):
        waited = now - visit.arrived_at
        if visit.attended_since is None:
            alert = visit.customer.is_vip and waited >= threshold
            waiting.append(PresentClient(visit, waited, alert=alert))
        else:
            # Finished (done) clients still in the store show how long they were served.
            until = visit.done_at or now
            served.append(PresentClient(visit, waited, served_for=until - visit.attended_since))
    waiting.sort(key=lambda c: not c.alert)  # stable: longest wait first within each group
    served.sort(key=lambda c: c.visit.attended_since)
    today = timezone.localdate(now)
    return Board(
        store=store,
        now=now,
        waiting=waiting,
        served=served,
        anonymous_present=present.filter(customer__isnull=True).count(),
        wait_alert=threshold,
        today=store_figures([store.pk], today, today)[(store.pk, today)],
        associates=associate_rows(store, today),
    )


def associate_rows(store: Store, day) -> list[AssociateRow]:
    """The store's associates (even with nothing yet today) and anyone else active there."""
    figures = {u: f for (_s, u, _d), f in associate_figures([store.pk], day, day).items()}
    users = (
        get_user_model()
        .objects.filter(
            Q(pk__in=list(figures))
            | Q(
                staff_profile__stores=store,
                staff_profile__role=StaffProfile.Role.ASSOCIATE,
                is_active=True,
            )
        )
        .distinct()
        .only("pk", "first_name", "last_name", "email")
    )
    rows = [AssociateRow(u, figures.get(u.pk) or AssociateFigures()) for u in users]
    rows.sort(key=lambda r: (-r.figures.served_visits, r.user.get_full_name() or r.user.email))
    return rows


@dataclass
class TrendDay:
    day: object
    figures: StoreFigures


def store_trend(
    store: Store, *, days: int = TREND_DAYS, today: StoreFigures | None = None
) -> list[TrendDay]:
    """The last ``days`` days, today included (``today``'s figures when already known),
    oldest first."""
    day = timezone.localdate()
    first = day - timedelta(days=days - 1)
    figures = store_figures([store.pk], first, day - timedelta(days=1)) if days > 1 else {}
    figures[(store.pk, day)] = today or store_figures([store.pk], day, day)[(store.pk, day)]
    return [TrendDay(d, figures[(store.pk, d)]) for d in sorted(d for _s, d in figures)]


def period_totals(trend: list[TrendDay]) -> StoreFigures:
    """Sums over a period (the median of a period is not a sum of medians: left out)."""
    total = StoreFigures()
    for t in trend:
        f = t.figures
        for name in (
            "recognised_visits",
            "served_visits",
            "anonymous_visits",
            "notes_written",
            "offers_mentioned",
            "orders",
            "orders_value",
            "converted_visits",
        ):
            setattr(total, name, getattr(total, name) + getattr(f, name))
    return total


@dataclass
class StoreRow:
    store: Store
    present: int
    waiting: int
    served_now: int
    anonymous_now: int
    today: StoreFigures


SORTS = {
    "name": lambda r: r.store.name.lower(),
    "present": lambda r: r.present,
    "waiting": lambda r: r.waiting,
    "recognised": lambda r: r.today.recognised_visits,
    "served": lambda r: r.today.served_visits,
    "median": lambda r: r.today.median_time_to_serve,
    "anonymous": lambda r: r.today.anonymous_visits,
    "orders": lambda r: r.today.orders,
    "value": lambda r: r.today.orders_value,
    "conversion": lambda r: r.today.conversion,
}


def stores_overview(
    stores: QuerySet[Store], *, sort: str = "name", descending: bool = False, now=None
) -> list[StoreRow]:
    """One row per store: who is there now and today's figures. Sorted by ``sort`` (a key
    of ``SORTS``); stores without a value for it (no median yet) come last."""
    now = now or timezone.now()
    stores = list(stores.order_by("name"))
    ids = [s.pk for s in stores]
    known = Q(customer__isnull=False)
    live = {
        r["store_id"]: r
        for r in Visit.objects.present(now)
        .filter(store_id__in=ids)
        .values("store_id")
        .annotate(
            present=Count("pk", filter=known),
            waiting=Count("pk", filter=known & Q(attended_since__isnull=True)),
            served_now=Count(
                "pk", filter=known & Q(attended_since__isnull=False, done_at__isnull=True)
            ),
            anonymous_now=Count("pk", filter=~known),
        )
        .order_by()
    }
    today = timezone.localdate(now)
    figures = _today_figures(ids, today)
    rows = []
    for s in stores:
        counts = live.get(s.pk, {})
        rows.append(
            StoreRow(
                store=s,
                present=counts.get("present", 0),
                waiting=counts.get("waiting", 0),
                served_now=counts.get("served_now", 0),
                anonymous_now=counts.get("anonymous_now", 0),
                today=figures[(s.pk, today)],
            )
        )
    key = SORTS.get(sort, SORTS["name"])
    valued = sorted((r for r in rows if key(r) is not None), key=key, reverse=descending)
    return valued + [r for r in rows if key(r) is None]


# Today's figures on the overview (visits, medians, orders over every store) are read from
# the cache for up to this long: at 200 stores a day's medians take most of the page's time,
# and a minute-old figure reads the same. Who is in each store now is always read live.
OVERVIEW_FIGURES_SECONDS = 60


def overview_figures_key(ids: list[int], today) -> str:
    digest = hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()
    return f"dashboard.overview.{today.isoformat()}.{digest}"


def _today_figures(ids: list[int], today) -> dict:
    key = overview_figures_key(ids, today)
    figures = cache.get(key)
    if figures is None:
        figures = store_figures(ids, today, today)
        cache.set(key, figures, OVERVIEW_FIGURES_SECONDS)
    return figures


@dataclass
class TrendPanel:
    days: int
    chart: Chart
    totals: StoreFigures


def trend_panels(store: Store, *, today: StoreFigures | None = None) -> list[TrendPanel]:
    """The 7-day and 30-day trends: recognised visits with the share served, day by day."""
    trend = store_trend(store, days=TREND_DAYS, today=today)
    panels = []
    for days, label_every in ((7, 1), (TREND_DAYS, 5)):
        period = trend[-days:]
        points = [(t.day, t.figures.recognised_visits, t.figures.served_visits) for t in period]
        panels.append(
            TrendPanel(
                days=days,
                chart=part_of_total_chart(points, label_every=label_every),
                totals=period_totals(period),
            )
        )
    return panels


def _minutes(value: timedelta | None) -> Decimal | str:
    return "" if value is None else Decimal(f"{value.total_seconds() / 60:.1f}")


def _percent(value: float | None) -> Decimal | str:
    return "" if value is None else Decimal(f"{100 * value:.1f}")


def figures_table(stores: list[Store], first, last, *, level: str) -> tuple[list, list[list]]:
    """The figures from ``first`` to ``last`` as a header and rows (for CSV): one row per
    store and day, or per associate, store and day when ``level`` is "associates".
    Fractional figures are Decimals, for the export to write with the decimal mark asked."""
    ids = [s.pk for s in stores]
    by_id = {s.pk: s for s in stores}
    common = [
        _("Visits served"),
        _("Median time to serve (min)"),
        _("Notes written"),
        _("Offers mentioned"),
        _("Orders for delivery"),
        _("Orders value (EUR)"),
        _("Visits with an order"),
        _("Conversion (%)"),
    ]

    def values(f) -> list:
        return [
            f.served_visits,
            _minutes(f.median_time_to_serve),
            f.notes_written,
            f.offers_mentioned,
            f.orders,
            Decimal(f"{f.orders_value:.2f}"),
            f.converted_visits,
            _percent(f.conversion),
        ]

    if level == "associates":
        figures = associate_figures(ids, first, last)
        users = get_user_model().objects.in_bulk({u for _s, u, _d in figures})
        header = [_("Day"), _("Store code"), _("Store"), _("Associate"), _("Email"), *common]
        rows = []
        for (s, u, d), f in figures.items():
            user = users.get(u)
            name = (user.get_full_name() or user.email) if user else ""
            rows.append(
                [d, by_id[s].code, by_id[s].name, name, user.email if user else "", *values(f)]
            )
        rows.sort(key=lambda r: (r[0], r[2], r[3]))
        return header, rows
    figures = store_figures(ids, first, last)
    header = [
        _("Day"),
        _("Store code"),
        _("Store"),
        _("Recognised visits"),
        _("Anonymous traffic"),
        *common,
    ]
    rows = [
        [d, by_id[s].code, by_id[s].name, f.recognised_visits, f.anonymous_visits, *values(f)]
        for (s, d), f in figures.items()
    ]
    rows.sort(key=lambda r: (r[0], r[2]))
    return header, rows
