"""Reads of the client book, each in a fixed number of queries whatever the book's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Store
from catalog.prepared import Prepared
from customers.models import Customer, Purchase, WishlistItem
from inventory.models import StockLevel
from orders.models import Order
from staff.access import Role
from staff.models import StaffProfile

from .models import BookEntry, FollowUp, TouchPoint

HISTORY_SHOWN = 20
CONVERSION_DAYS = 7


def _count(queryset) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.order_by().values("customer").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def book_entries(*, store: Store, associate_id: int | None = None):
    """The book of one associate in ``store`` (all the store's books without one), with
    for each client: last contact, lifetime spend, open orders, wishlist items in stock
    here. Two queries with the associates' names."""
    spend = (
        Purchase.objects.filter(customer=OuterRef("customer"))
        .order_by()
        .values("customer")
        .annotate(total=Sum("total"))
        .values("total")[:1]
    )
    last_contact = (
        TouchPoint.objects.filter(customer=OuterRef("customer"))
        .exclude(outcome=TouchPoint.Outcome.SNOOZED)
        .order_by("-at")
        .values("at")[:1]
    )
    in_stock_here = StockLevel.objects.in_stock().filter(store=store, variant=OuterRef("variant"))
    entries = BookEntry.objects.filter(store=store, customer__erased_at__isnull=True)
    if associate_id is not None:
        entries = entries.filter(associate_id=associate_id)
    return (
        entries.select_related("customer", "associate")
        .annotate(
            spend=Subquery(spend),
            last_contact=Subquery(last_contact),
            open_orders=_count(
                Order.objects.filter(customer=OuterRef("customer"), status__in=Order.OPEN_STATUSES)
            ),
            wishlist_here=_count(
                WishlistItem.objects.filter(customer=OuterRef("customer")).filter(
                    Exists(in_stock_here)
                )
            ),
        )
        .order_by("customer__last_name", "customer__first_name", "pk")
    )


def store_associates(store: Store, *, with_books: bool = False) -> list:
    """The associates and managers working in ``store`` now, each with ``book_size`` (their
    clients there) and ``works_here``; with ``with_books``, also whoever still has a book
    in the store though they left it or were deactivated (to hand it over). One query."""
    User = get_user_model()
    book_size = (
        BookEntry.objects.filter(associate=OuterRef("pk"), store=store)
        .order_by()
        .values("associate")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    works = StaffProfile.objects.filter(
        user=OuterRef("pk"), stores=store, role__in=[Role.ASSOCIATE, Role.MANAGER]
    )
    shown = Q(is_active=True, works_here=True)
    if with_books:
        shown |= Q(book_size__gt=0)
    return list(
        User.objects.annotate(
            book_size=Coalesce(Subquery(book_size, output_field=IntegerField()), 0),
            works_here=Exists(works),
        )
        .filter(shown)
        .order_by("first_name", "last_name", "pk")
    )


def stores_books(stores) -> list[dict]:
    """Head office: per store, how many clients are in a book and in whose (one query)."""
    rows = (
        BookEntry.objects.filter(store__in=stores)
        .values("store_id", "associate_id", "associate__first_name", "associate__last_name")
        .annotate(clients=Count("pk"))
        .order_by("store_id", "associate__first_name", "associate__last_name")
    )
    by_store: dict[int, list] = {}
    for row in rows:
        by_store.setdefault(row["store_id"], []).append(row)
    rows_of = [(s, by_store.get(s.pk, [])) for s in stores]
    return [
        {"store": s, "books": books, "clients": sum(r["clients"] for r in books)}
        for s, books in rows_of
    ]


def follow_ups_today(*, user, store: Store, day: date | None = None):
    """What this associate should do today in ``store``, oldest first."""
    day = day or timezone.localdate()
    return (
        FollowUp.objects.for_associate(user, store)
        .due(day)
        .filter(customer__erased_at__isnull=True)
        .select_related("customer", "variant__product", "order", "associate")
        .order_by("due_on", "pk")
    )


def follow_ups_due_count(*, user, store: Store) -> int:
    return follow_ups_today(user=user, store=store).count()


_book_of = Prepared(
    lambda customer_id: (
        Customer.objects.filter(pk=customer_id)
        .annotate(
            has_entry=Exists(BookEntry.objects.filter(customer=OuterRef("pk"))),
            has_planned=Exists(FollowUp.objects.open().filter(customer=OuterRef("pk"))),
            has_touch_points=Exists(TouchPoint.objects.filter(customer=OuterRef("pk"))),
        )
        .values_list("has_entry", "has_planned", "has_touch_points")
    ),
)
_book_entry = Prepared(
    lambda customer_id: BookEntry.objects.filter(customer_id=customer_id).select_related(
        "associate", "store"
    ),
)
_planned = Prepared(
    lambda customer_id: (
        FollowUp.objects.open()
        .filter(customer_id=customer_id)
        .select_related("associate", "store")
        .order_by("due_on", "pk")
    ),
)
_touch_points = Prepared(
    lambda customer_id: (
        TouchPoint.objects.filter(customer_id=customer_id)
        .select_related("by", "store")
        .order_by("-at", "-pk")[:HISTORY_SHOWN]
    ),
)


def card_book(*, customer: Customer, store: Store | None) -> dict:
    """The card's client-book section: who keeps them, what is planned, what was done. One
    query for a client in nobody's book with nothing planned nor done, else up to four."""
    entry, planned, done = next(iter(_book_of(customer.pk)), (False, False, False))
    return {
        "entry": _book_entry.first(customer.pk) if entry else None,
        "planned": _planned(customer.pk) if planned else [],
        "touch_points": _touch_points(customer.pk) if done else [],
    }


def customer_book_counts(customer_id: int) -> dict[str, int]:
    """How many book entries, follow-ups and touch points one client has (one query: the
    privacy pages show them)."""
    counts = (
        Customer.objects.filter(pk=customer_id)
        .annotate(
            n_book_entries=_count(BookEntry.objects.filter(customer=OuterRef("pk"))),
            n_follow_ups=_count(FollowUp.objects.filter(customer=OuterRef("pk"))),
            n_touch_points=_count(TouchPoint.objects.filter(customer=OuterRef("pk"))),
        )
        .values("n_book_entries", "n_follow_ups", "n_touch_points")
        .get()
    )
    return {key.removeprefix("n_"): value for key, value in counts.items()}


@dataclass(frozen=True)
class BookFigures:
    due: int  # open follow-ups due today or before
    done: int  # contacts made in the period
    unreachable: int
    orders_after_contact: int  # orders taken within 7 days after a contact
    first: date
    last: date


def book_figures(*, store: Store, first: date, last: date) -> BookFigures:
    """The manager's follow-up figures for ``store`` over ``first``…``last`` (local days):
    three queries."""
    return book_figures_periods(store=store, periods=[(first, last)])[0]


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def book_figures_periods(*, store: Store, periods: list[tuple[date, date]]) -> list[BookFigures]:
    """``book_figures`` for several periods ending on the same day (today, the last 7
    days…), still in three queries. ``due`` is counted at the end of the periods."""
    ranges = [(_start(first), _start(last + timedelta(days=1))) for first, last in periods]
    Outcome = TouchPoint.Outcome
    aggregates = {}
    for i, (start, end) in enumerate(ranges):
        within = Q(at__gte=start, at__lt=end)
        aggregates[f"done{i}"] = Count("pk", filter=within & Q(outcome=Outcome.DONE))
        aggregates[f"unreachable{i}"] = Count("pk", filter=within & Q(outcome=Outcome.UNREACHABLE))
    earliest = min(start for start, _end in ranges)
    latest = max(end for _start_, end in ranges)
    touches = TouchPoint.objects.filter(store=store, at__gte=earliest, at__lt=latest).aggregate(
        **aggregates
    )
    contact_before = TouchPoint.objects.filter(
        customer=OuterRef("customer"),
        store=store,
        outcome=Outcome.DONE,
        at__lte=OuterRef("created_at"),
        at__gte=OuterRef("created_at") - timedelta(days=CONVERSION_DAYS),
    )
    orders = (
        Order.objects.filter(store=store, created_at__gte=earliest, created_at__lt=latest)
        .exclude(status=Order.Status.CANCELLED)
        .filter(Exists(contact_before))
        .aggregate(
            **{
                f"orders{i}": Count("pk", filter=Q(created_at__gte=start, created_at__lt=end))
                for i, (start, end) in enumerate(ranges)
            }
        )
    )
    last_day = max(last for _first, last in periods)
    due = FollowUp.objects.filter(store=store, customer__erased_at__isnull=True).due(last_day)
    due = due.count()
    return [
        BookFigures(
            due=due,
            done=touches[f"done{i}"],
            unreachable=touches[f"unreachable{i}"],
            orders_after_contact=orders[f"orders{i}"],
            first=first,
            last=last,
        )
        for i, (first, last) in enumerate(periods)
    ]
