"""The full customer card: everything an associate needs about one client, read in a
fixed number of queries however long their history."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from catalog.models import Product, Store, Variant
from customers.models import (
    Customer,
    Interaction,
    Note,
    PurchaseLine,
    SizePreference,
    WishlistItem,
)
from customers.selectors import (
    consents_current,
    customer_interests,
    purchase_summary,
    purchases_page,
)
from inventory.availability import availability_for
from inventory.models import StockLevel
from offers.pricing import prices_for
from offers.selectors import offers_for_customer
from orders.selectors import open_orders_for
from products.selectors import complements_for, photos_attach

from .models import Visit, present_condition
from .selectors import INTEREST_DAYS, present_visits

HISTORY_PER_PAGE = 10
NOTES_SHOWN = 20
SUGGESTIONS = 4
COMPLEMENT_DAYS = 30


def customer_for_card(customer_id: int) -> Customer:
    return (
        Customer.objects.active()
        .select_related("home_store", "preference")
        .prefetch_related("preference__brands", "preference__categories")
        .get(pk=customer_id)
    )


def card_history(customer: Customer, page: str | int | None):
    return Paginator(purchases_page(customer.pk), HISTORY_PER_PAGE).get_page(page)


def card_notes(customer: Customer) -> list[Note]:
    return list(
        customer.notes.select_related("author", "store").order_by("-created_at", "-pk")[
            :NOTES_SHOWN
        ]
    )


def _visit_stats(customer: Customer, store: Store | None) -> dict:
    """Visits everywhere, the last one before today's, and the visit in this store now."""
    now = timezone.now()
    ongoing = present_condition(now)
    stats = Visit.objects.filter(customer=customer).aggregate(
        count=Count("pk"), last=Max("arrived_at", filter=~ongoing)
    )
    here = None
    if store is not None:
        here = (
            present_visits(store.pk, now=now)
            .filter(customer=customer)
            .select_related("attended_by", "store")
            .first()
        )
    return {"visit_count": stats["count"], "last_visit_at": stats["last"], "visit_here": here}


def _wishlist(customer: Customer, store: Store | None) -> list[dict]:
    items = list(
        WishlistItem.objects.filter(customer=customer)
        .select_related("variant__product__brand")
        .order_by("-added_at")
    )
    variants = [item.variant for item in items]
    availability = availability_for([v.pk for v in variants], store=store)
    prices = prices_for(variants, customer=customer)
    return [
        {
            "item": item,
            "variant": item.variant,
            "availability": availability[item.variant_id],
            "price": prices[item.variant_id],
        }
        for item in items
    ]


def _similar_in_stock(customer: Customer, store: Store | None, exclude: set[int]) -> list[dict]:
    """In-stock products here close to what the client looked at online lately: same
    category, the same brands first, then the nearest price."""
    if store is None:
        return []
    since = timezone.now() - timedelta(days=INTEREST_DAYS)
    looked = Interaction.objects.filter(customer=customer, occurred_at__gte=since)
    variants = (
        Variant.objects.filter(
            Exists(StockLevel.objects.filter(store=store, variant=OuterRef("pk")).in_stock()),
            product__is_active=True,
            product__category__in=looked.values("product__category"),
        )
        .exclude(product__in=looked.values("product"))
        .exclude(product__in=exclude)
        .select_related("product__brand")
        .annotate(
            same_brand=Count("pk", filter=Q(product__brand__in=looked.values("product__brand")))
        )
        .order_by("-same_brand", "product__name", "pk")[: SUGGESTIONS * 5]
    )
    chosen: dict[int, Variant] = {}
    for variant in variants:
        chosen.setdefault(variant.product_id, variant)
        if len(chosen) == SUGGESTIONS:
            break
    prices = prices_for(list(chosen.values()), customer=customer)
    return [{"variant": v, "price": prices[v.pk]} for v in chosen.values()]


def _card_products(customer: Customer, store: Store | None, ctx: dict) -> dict:
    """Photos of the suggested products, and complements of what the client looked at online
    lately or bought in the last ``COMPLEMENT_DAYS`` days, with their stock here. A fixed
    number of queries (products.selectors)."""
    suggested = [row["variant"] for row in ctx["suggest_wishlist_here"] + ctx["suggest_similar"]]
    since = timezone.now() - timedelta(days=COMPLEMENT_DAYS)
    bought = list(
        Product.objects.filter(
            pk__in=PurchaseLine.objects.filter(
                purchase__customer=customer, purchase__purchased_at__gte=since
            ).values("variant__product")
        ).select_related("category")[:SUGGESTIONS]
    )
    sources = list({p.pk: p for p in [i.product for i in ctx["interests"]] + bought}.values())
    complements = complements_for(sources, store=store, limit=SUGGESTIONS)
    shown = [c.shown_variant for c in complements if c.shown_variant]
    prices = prices_for(shown, customer=customer)
    for complement in complements:
        complement.price = prices[complement.shown_variant.pk] if complement.shown_variant else None
    photos_attach([], suggested)
    return {"complements": complements}


def customer_card(*, customer_id: int, store: Store | None, page: str | int | None = None) -> dict:
    """The card's context; ``store`` is the associate's (None for head office)."""
    customer = customer_for_card(customer_id)
    preference = getattr(customer, "preference", None)
    wishlist = _wishlist(customer, store)
    wished_products = {row["variant"].product_id for row in wishlist}
    ctx = {
        "customer": customer,
        "store": store,
        "preference": preference,
        "sizes": list(
            SizePreference.objects.filter(customer=customer)
            .select_related("category")
            .order_by("category__name")
        ),
        "summary": purchase_summary(customer.pk),
        **_visit_stats(customer, store),
        "wishlist": wishlist,
        "history": card_history(customer, page),
        "interests": customer_interests(customer.pk, days=INTEREST_DAYS),
        "notes": card_notes(customer),
        "consents": consents_current(customer.pk),
        "open_orders": open_orders_for(customer_id=customer.pk),
        "offers": offers_for_customer(customer=customer),
        "suggest_wishlist_here": [row for row in wishlist if row["availability"].in_stock_here],
        "suggest_similar": _similar_in_stock(customer, store, wished_products),
    }
    return ctx | _card_products(customer, store, ctx)
