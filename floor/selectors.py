"""Reads for the Floor page and its pushes: the clients in a store now, each with the
figures its card summary shows, in one query whatever their number."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

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


def floor_cards(
    store_id: int, *, visit_ids: list[int] | None = None, limit: int | None = None
) -> list[Visit]:
    """The card summaries of the clients present (or of ``visit_ids`` among them), newest
    arrival first, at most ``limit``. One query."""
    visits = present_visits(store_id)
    if visit_ids is not None:
        visits = visits.filter(pk__in=visit_ids)
    in_stock_here = WishlistItem.objects.filter(
        Exists(
            StockLevel.objects.filter(
                store_id=store_id, variant_id=OuterRef("variant_id")
            ).in_stock()
        )
    )
    now = timezone.now()
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
    cards = (
        visits.select_related("customer", "attended_by", "store", "sent_to", "sent_by")
        .annotate(
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
        .order_by("-arrived_at", "-pk")
    )
    visits = list(cards if limit is None else cards[:limit])
    for visit in visits:
        kind = KIND_OF_RANK.get(visit.interest_top_kind)
        visit.interest_kind = Interaction.Kind(kind).label if kind else ""
    return visits


def floor_list(store_id: int) -> dict:
    """The floor list's context: the latest ``FLOOR_SHOWN`` arrivals, and whether more
    clients are in the store (one query)."""
    cards = floor_cards(store_id, limit=FLOOR_SHOWN + 1)
    return {"cards": cards[:FLOOR_SHOWN], "more_present": len(cards) > FLOOR_SHOWN}
