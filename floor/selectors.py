"""Reads for the Floor page and its pushes: the clients in a store now, each with the
figures its card summary shows, in one query whatever their number."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from catalog.prepared import Prepared
from customers.models import Interaction, Purchase, WishlistItem
from customers.selectors import (
    KIND_OF_RANK,
    interest_kind_rank,
    interest_since,
    interest_strength,
)
from inventory.models import StockLevel

from .models import Visit

# The floor lists the clients who came in last, up to this many: beyond, a page of cards
# costs more to read and render than anyone scrolls (check-in search finds the others).
FLOOR_SHOWN = 50


def dedup_window() -> timedelta:
    return timedelta(minutes=settings.VISIT_DEDUP_MINUTES)


def present_visits(store_id: int, *, now: datetime | None = None) -> QuerySet[Visit]:
    """Known clients in the store now (timestamps decide, not the tidy-up task)."""
    return Visit.objects.present(now).filter(store_id=store_id, customer__isnull=False)


def _per_customer(queryset, aggregate):
    return Subquery(
        queryset.filter(customer_id=OuterRef("customer_id"))
        .order_by()
        .values("customer_id")
        .annotate(value=aggregate)
        .values("value")
    )


def _with_figures(visits: QuerySet[Visit], store_id, now) -> QuerySet[Visit]:
    """``visits`` with the figures a card summary shows, as of ``now``."""
    in_stock_here = WishlistItem.objects.filter(
        Exists(
            StockLevel.objects.filter(
                store_id=store_id, variant_id=OuterRef("variant_id")
            ).in_stock(now)
        )
    )
    # The customer's strongest online interest lately (customers.selectors says how it is
    # weighed), and the strongest thing they did with it (saved, left in a cart, viewed).
    strongest = (
        Interaction.objects.filter(
            customer_id=OuterRef("customer_id"), occurred_at__gte=interest_since(now)
        )
        .values("product_id", "product__name")
        .annotate(
            strength=Sum(interest_strength(now)),
            last_at=Max("occurred_at"),
            top_kind=Max(interest_kind_rank()),
        )
        .order_by("-strength", "-last_at", "product_id")
    )
    return visits.annotate(
        lifetime_spend=_per_customer(Purchase.objects.all(), Sum("total")),
        visit_count=_per_customer(Visit.objects.all(), Count("pk")),
        previous_visit_at=Subquery(
            Visit.objects.filter(
                customer_id=OuterRef("customer_id"), arrived_at__lt=OuterRef("arrived_at")
            )
            .order_by("-arrived_at")
            .values("arrived_at")[:1]
        ),
        wishlist_here=_per_customer(in_stock_here, Count("pk", distinct=True)),
        interest_product=Subquery(strongest.values("product__name")[:1]),
        interest_top_kind=Subquery(strongest.values("top_kind")[:1]),
    )


FIGURES = (
    "lifetime_spend",
    "visit_count",
    "previous_visit_at",
    "wishlist_here",
    "interest_product",
    "interest_top_kind",
)


def _name_interest(visit: Visit) -> None:
    kind = KIND_OF_RANK.get(visit.interest_top_kind)
    visit.interest_kind = Interaction.Kind(kind).label if kind else ""


def floor_cards(
    store_id: int, *, visit_ids: list[int] | None = None, limit: int | None = None
) -> list[Visit]:
    """The card summaries of the clients present (or of ``visit_ids`` among them), newest
    arrival first, at most ``limit``. One query."""
    visits = present_visits(store_id)
    if visit_ids is not None:
        visits = visits.filter(pk__in=visit_ids)
    cards = _with_figures(
        visits.select_related("customer", "attended_by", "store", "sent_to", "sent_by"),
        store_id,
        timezone.now(),
    ).order_by("-arrived_at", "-pk")
    visits = list(cards if limit is None else cards[:limit])
    for visit in visits:
        _name_interest(visit)
    return visits


# The figures of one visit, and of the floor list, from statements built once per process
# (building and compiling those queries costs several times running them); the idle limit
# is a setting, part of the statement.
_figures = Prepared(
    lambda visit_id, store_id, now: _with_figures(
        Visit.objects.filter(pk=visit_id), store_id, now
    ).values_list(*FIGURES),
    depends_on=lambda: settings.VISIT_IDLE_MINUTES,
)
_listed = Prepared(  # the latest arrivals present in a store, with their figures
    lambda store_id, now: (
        _with_figures(present_visits(store_id, now=now), store_id, now)
        .order_by("-arrived_at", "-pk")
        .values_list("pk", *FIGURES)[: FLOOR_SHOWN + 1]
    ),
    depends_on=lambda: settings.VISIT_IDLE_MINUTES,
)


def arrival_card(visit: Visit, customer, store) -> Visit | None:
    """The card of a visit that just appeared, from the visit, customer and store in hand
    and its figures read in one statement; ``None`` where it needs more (someone is with
    the client or was sent to them: the push reads the card then)."""
    if visit.attended_by_id or visit.sent_to_id or visit.sent_by_id:
        return None
    visit.customer, visit.store = customer, store
    (values,) = _figures(visit.pk, store.pk, timezone.now())
    for name, value in zip(FIGURES, values, strict=True):
        setattr(visit, name, value)
    _name_interest(visit)
    return visit


def floor_list(store_id: int) -> dict:
    """The floor list's context: the latest ``FLOOR_SHOWN`` arrivals, and whether more
    clients are in the store (two queries: the figures from a statement built once, then
    the visits with their client and associates)."""
    rows = _listed(store_id, timezone.now())
    visits = Visit.objects.select_related(
        "customer", "attended_by", "store", "sent_to", "sent_by"
    ).in_bulk([row[0] for row in rows])
    cards = []
    for pk, *values in rows:
        if (visit := visits.get(pk)) is None:  # gone in between
            continue
        for name, value in zip(FIGURES, values, strict=True):
            setattr(visit, name, value)
        _name_interest(visit)
        cards.append(visit)
    return {"cards": cards[:FLOOR_SHOWN], "more_present": len(cards) > FLOOR_SHOWN}
