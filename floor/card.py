"""The full customer card: everything an associate needs about one client, read in a
fixed number of queries however long their history."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Value, When
from django.utils import timezone

from catalog.models import Store, Variant
from customers.models import Channel, Customer, Interaction, Note, SizePreference, WishlistItem
from customers.selectors import (
    consents_current,
    customer_interests,
    purchase_summary,
    purchases_page,
)
from inventory.availability import availability_for
from inventory.models import StockLevel
from offers.pricing import OfferBook
from offers.selectors import offers_for_customer
from orders.selectors import open_orders_for

from .models import Visit, present_condition
from .selectors import INTEREST_DAYS, present_visits

HISTORY_PER_PAGE = 10
NOTES_SHOWN = 20
SUGGESTIONS = 4


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


def _wishlist(customer: Customer, store: Store | None, book: OfferBook) -> list[dict]:
    items = list(
        WishlistItem.objects.filter(customer=customer)
        .select_related("variant__product__brand")
        .order_by("-added_at")
    )
    variants = [item.variant for item in items]
    availability = availability_for([v.pk for v in variants], store=store)
    prices = book.prices(variants)
    return [
        {
            "item": item,
            "variant": item.variant,
            "availability": availability[item.variant_id],
            "price": prices[item.variant_id],
        }
        for item in items
    ]


def _similar_in_stock(
    customer: Customer, store: Store | None, exclude: set[int], book: OfferBook
) -> list[dict]:
    """In-stock products here close to what the client looked at online lately: same
    category, the same brands first, then the nearest price. Two queries: what they looked
    at, then the store's in-stock variants of those categories (the looked-at and wished-for
    products left out by id, which keeps the plan on the categories' rows)."""
    if store is None:
        return []
    since = timezone.now() - timedelta(days=INTEREST_DAYS)
    looked = set(
        Interaction.objects.filter(customer=customer, occurred_at__gte=since).values_list(
            "product_id", "product__category_id", "product__brand_id"
        )
    )
    if not looked:
        return []
    categories = {category for _product, category, _brand in looked}
    brands = {brand for _product, _category, brand in looked}
    variants = (
        Variant.objects.filter(
            Exists(StockLevel.objects.filter(store=store, variant=OuterRef("pk")).in_stock()),
            product__is_active=True,
            product__category_id__in=categories,
        )
        .exclude(product_id__in={product for product, _category, _brand in looked} | exclude)
        .select_related("product__brand")
        .annotate(
            same_brand=Case(
                When(product__brand_id__in=brands, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-same_brand", "product__name", "pk")[: SUGGESTIONS * 5]
    )
    chosen: dict[int, Variant] = {}
    for variant in variants:
        chosen.setdefault(variant.product_id, variant)
        if len(chosen) == SUGGESTIONS:
            break
    prices = book.prices(list(chosen.values()))
    return [{"variant": v, "price": prices[v.pk]} for v in chosen.values()]


def customer_card(*, customer_id: int, store: Store | None, page: str | int | None = None) -> dict:
    """The card's context; ``store`` is the associate's (None for head office)."""
    customer = customer_for_card(customer_id)
    preference = getattr(customer, "preference", None)
    # The live offers and this client's facts, loaded once for every price on the card.
    now = timezone.now()
    book = OfferBook.load(customer=customer, channel=Channel.STORE, at=now)
    wishlist = _wishlist(customer, store, book)
    wished_products = {row["variant"].product_id for row in wishlist}
    return {
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
        "offers": offers_for_customer(customer=customer, at=now, book=book),
        "suggest_wishlist_here": [row for row in wishlist if row["availability"].in_stock_here],
        "suggest_similar": _similar_in_stock(customer, store, wished_products, book),
    }
