"""The full customer card: everything an associate needs about one client, read in a
fixed number of queries however long their history."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Coalesce
from django.utils import timezone

from catalog.models import Brand, Category, Product, Store, Variant
from catalog.prepared import Prepared
from customers.models import (
    Channel,
    Consent,
    Customer,
    Interaction,
    Note,
    Preference,
    PurchaseLine,
    SizePreference,
    WishlistItem,
)
from customers.selectors import (
    INTEREST_DAYS,
    Interest,
    consents_current,
    customer_interests,
    interest_since,
    purchase_lines_attach,
    purchase_summary,
    purchases_page,
)
from inventory.availability import availability_for
from inventory.models import StockLevel
from offers.pricing import OfferBook, ancestor_ids, with_offers_version
from offers.selectors import offers_for_customer
from orders.models import Order
from orders.selectors import open_orders_for
from products.selectors import complements_for, photos_attach

from .models import Visit, present_condition
from .selectors import present_visits

HISTORY_PER_PAGE = 10
NOTES_SHOWN = 20
SUGGESTIONS = 4
COMPLEMENT_DAYS = 30


def card_customers(at=None):
    """Active clients, each with what the offers' targeting would otherwise read on its
    own: their consent to personalised offers in force at ``at`` (``offers_personalised``,
    None for none) and the offers' version (``offers_version``)."""
    at = at or timezone.now()
    consent = Consent.objects.granted_subquery(Consent.Purpose.PERSONALISED_OFFERS, at)
    return with_offers_version(Customer.objects.active().annotate(offers_personalised=consent))


_card_customer = Prepared(lambda customer_id, now: card_customers(now).filter(pk=customer_id))


def card_customer(customer_id: int) -> Customer:
    """The client as ``card_customers`` gives them. Raises ``Customer.DoesNotExist``."""
    for customer in _card_customer(customer_id, timezone.now()):
        return customer
    raise Customer.DoesNotExist(f"No active customer {customer_id}.")


def _customer_for_card_query(customer_id: int, store_id: int, now) -> QuerySet[Customer]:
    visits = Visit.objects.filter(customer=OuterRef("pk")).order_by().values("customer")
    ended = visits.filter(~present_condition(now))
    here = present_visits(store_id, now=now).filter(customer=OuterRef("pk")).order_by("-arrived_at")
    return (
        card_customers(now)
        .filter(pk=customer_id)
        .select_related("home_store", "preference")
        .annotate(
            visit_count=Coalesce(Subquery(visits.annotate(n=Count("pk")).values("n")), 0),
            last_visit_at=Subquery(ended.annotate(last=Max("arrived_at")).values("last")),
            visit_here_id=Subquery(here.values("pk")[:1]),
            has_sizes=Exists(SizePreference.objects.filter(customer=OuterRef("pk"))),
            has_notes=Exists(Note.objects.filter(customer=OuterRef("pk"))),
            has_wishlist=Exists(WishlistItem.objects.filter(customer=OuterRef("pk"))),
            has_interests=Exists(
                Interaction.objects.filter(
                    customer=OuterRef("pk"), occurred_at__gte=interest_since(now)
                )
            ),
            has_open_orders=Exists(
                Order.objects.filter(customer=OuterRef("pk"), status__in=Order.OPEN_STATUSES)
            ),
        )
    )


def _idle_minutes() -> int:
    return settings.VISIT_IDLE_MINUTES


_customer_for_card = Prepared(_customer_for_card_query, depends_on=_idle_minutes)


_preference_brands = Prepared(
    lambda preference_id: Brand.objects.filter(
        pk__in=Preference.brands.through.objects.filter(preference_id=preference_id).values(
            "brand_id"
        )
    )
)
_preference_categories = Prepared(
    lambda preference_id: Category.objects.filter(
        pk__in=Preference.categories.through.objects.filter(preference_id=preference_id).values(
            "category_id"
        )
    )
)


def customer_for_card(customer_id: int, store: Store | None = None) -> Customer:
    """The client as ``card_customers`` gives them, with their home store and preferences,
    their visits everywhere (``visit_count``) and the last one before today's
    (``last_visit_at``), their visit in ``store`` now (``visit_here_id``, None without
    one), and whether they have sizes, notes, a wishlist, online interests and open orders
    to read at all (``has_sizes``, ``has_notes``, ``has_wishlist``, ``has_interests``,
    ``has_open_orders``), in the same query; with preferences, their brands and categories
    (``preferred_brands``, ``preferred_categories``, lists in their default order: one
    query each). Raises ``Customer.DoesNotExist``."""
    for customer in _customer_for_card(customer_id, store.pk if store else 0, timezone.now()):
        preference = getattr(customer, "preference", None)
        if preference is None:
            customer.preferred_brands = customer.preferred_categories = []
        else:
            customer.preferred_brands = _preference_brands(preference.pk)
            customer.preferred_categories = _preference_categories(preference.pk)
        return customer
    raise Customer.DoesNotExist(f"No active customer {customer_id}.")


_sizes = Prepared(
    lambda customer_id: (
        SizePreference.objects.filter(customer_id=customer_id)
        .select_related("category")
        .order_by("category__name")
    )
)

_first_purchases = Prepared(lambda customer_id: purchases_page(customer_id)[:HISTORY_PER_PAGE])


class _History(Paginator):
    """The client's purchases, newest first; the first page, the one the card opens on,
    from a statement built once."""

    def __init__(self, customer: Customer):
        super().__init__(purchases_page(customer.pk), HISTORY_PER_PAGE)
        self.customer_id = customer.pk

    def page(self, number):
        number = self.validate_number(number)
        if number != 1:
            return super().page(number)
        purchases = _first_purchases(self.customer_id) if self.count else []
        return self._get_page(purchases, number, self)

    def _get_page(self, purchases, number, paginator):
        """The page's purchases, each with its lines (``shown_lines``)."""
        return super()._get_page(purchase_lines_attach(list(purchases)), number, paginator)


def card_history(customer: Customer, page: str | int | None, *, count: int | None = None):
    """A page of the history; ``count``, the number of purchases when already known, spares
    the paginator its count query."""
    paginator = _History(customer)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not counted again
    return paginator.get_page(page)


_notes = Prepared(
    lambda customer_id: (
        Note.objects.filter(customer_id=customer_id)
        .select_related("author", "store")
        .order_by("-created_at", "-pk")[:NOTES_SHOWN]
    ),
)


def card_notes(customer: Customer) -> list[Note]:
    if not getattr(customer, "has_notes", True):
        return []
    return _notes(customer.pk)


_visits_here = Prepared(
    lambda store_id, customer_id, now: (
        present_visits(store_id, now=now)
        .filter(customer_id=customer_id)
        .select_related("attended_by", "store")[:1]
    ),
    depends_on=_idle_minutes,
)


def _visit_here(customer: Customer, store: Store | None) -> Visit | None:
    """The client's visit in this store now (the latest, should there be two)."""
    if store is None or getattr(customer, "visit_here_id", True) is None:
        return None
    return _visits_here.first(store.pk, customer.pk, timezone.now())


_wishlist = Prepared(
    lambda customer_id: (
        WishlistItem.objects.filter(customer_id=customer_id)
        .select_related("variant__product__brand", "variant__product__category")
        .order_by("-added_at", "-pk")
    ),
)


def _wishlist_items(customer: Customer) -> list[WishlistItem]:
    if not getattr(customer, "has_wishlist", True):
        return []
    return _wishlist(customer.pk)


def _offer_book(
    customer: Customer, items: list[WishlistItem], at, *, preferences: bool, wishlist_only: bool
):
    """The live offers and this client's facts, from what the card has read of them: the
    client from ``card_customers`` (consent, offers' version), their whole wishlist and, with
    ``preferences``, their preferences (``customer_for_card`` reads them). With
    ``wishlist_only``, only the offers that list a wishlist item's product, brand or
    category (enough to price the wishlist)."""
    known: dict = {"wishlist_product_ids": [item.variant.product_id for item in items]}
    if hasattr(customer, "offers_personalised"):
        known["personalised"] = bool(customer.offers_personalised)
    if preferences:
        known["preferences"] = (
            [b.pk for b in customer.preferred_brands],
            [c.pk for c in customer.preferred_categories],
        )
    listing = {}
    if wishlist_only:
        products = [item.variant.product for item in items]
        listing = {
            "product_ids": [p.pk for p in products],
            "brand_ids": {p.brand_id for p in products},
            "category_ids": set().union(*(ancestor_ids(p.category.path) for p in products)),
        }
    return OfferBook.load(
        customer=customer,
        channel=Channel.STORE,
        at=at,
        known=known,
        token=getattr(customer, "offers_version", None),
        **listing,
    )


def _wishlist_and_interests(
    customer: Customer, store: Store | None, book: OfferBook, items: list[WishlistItem]
) -> tuple[list, list]:
    """The wishlist (with prices) and the online interests, strongest first, each with
    where its variant can be had (read once for both)."""
    interests = customer_interests(customer.pk) if getattr(customer, "has_interests", True) else []
    variants = [item.variant for item in items]
    availability = availability_for(
        [v.pk for v in variants] + [i.variant_id for i in interests if i.variant_id],
        store=store,
    )
    prices = book.prices(variants) if book else {}
    wishlist = [
        {
            "item": item,
            "variant": item.variant,
            "availability": availability[item.variant_id],
            "price": prices[item.variant_id],
        }
        for item in items
    ]
    interesting = [
        {"interest": i, "availability": availability.get(i.variant_id)} for i in interests
    ]
    return wishlist, interesting


def _similar_in_stock(
    customer: Customer, store: Store | None, interests: list[Interest], book: OfferBook
) -> list[dict]:
    """Products in stock here close to what the client looked at online lately: in the
    category of a product they showed interest in (or, at half the weight, a sister
    category), ranked by that interest's strength divided by how far the price is from it
    (1 + the gap as a share of its price), so a strong interest in a TV brings the TVs of
    its price first. Neither what they already looked at nor their wishlist. One query
    (and the prices')."""
    if store is None or not interests:
        return []
    same: dict[int, Interest] = {}
    sister: dict[int, Interest] = {}
    for interest in interests:  # strongest first: each category follows its strongest
        same.setdefault(interest.product.category_id, interest)
        if interest.product.category.parent_id is not None:
            sister.setdefault(interest.product.category.parent_id, interest)
    product = "variant__product__"
    price = Cast(f"{product}list_price", FloatField())

    def closeness(interest: Interest, weight: float):
        ref = Value(max(float(interest.product.list_price), 1.0))  # no division by zero
        return Value(weight * interest.strength) / (Value(1.0) + Abs(price - ref) / ref)

    rank = Case(
        *[When(**{f"{product}category_id": c}, then=closeness(i, 1.0)) for c, i in same.items()],
        *[
            When(**{f"{product}category__parent_id": p}, then=closeness(i, 0.5))
            for p, i in sister.items()
        ],
        default=Value(0.0),
        output_field=FloatField(),
    )
    looked = Interaction.objects.filter(
        customer=customer,
        product_id=OuterRef(f"{product}id"),
        occurred_at__gte=interest_since(),
    )
    wished = WishlistItem.objects.filter(
        customer=customer, variant__product_id=OuterRef(f"{product}id")
    )
    # From this store's stock rows (a few thousand at most), not from the whole catalogue.
    rows = (
        StockLevel.objects.filter(store=store)
        .in_stock()
        .filter(
            ~Exists(looked),
            ~Exists(wished),
            Q(**{f"{product}category_id__in": list(same)})
            | Q(**{f"{product}category__parent_id__in": list(sister)}),
            **{f"{product}is_active": True},
        )
        .select_related("variant__product__brand", "variant__product__category")
        .annotate(rank=rank)
        .order_by("-rank", f"{product}name", f"{product}id", "variant_id")[: SUGGESTIONS * 5]
    )
    variants = [row.variant for row in rows]
    chosen: dict[int, Variant] = {}
    for variant in variants:
        chosen.setdefault(variant.product_id, variant)
        if len(chosen) == SUGGESTIONS:
            break
    prices = book.prices(list(chosen.values()))
    return [{"variant": v, "price": prices[v.pk]} for v in chosen.values()]


_bought_lately = Prepared(
    lambda customer_id, now: Product.objects.filter(
        pk__in=PurchaseLine.objects.filter(
            purchase__customer_id=customer_id,
            purchase__purchased_at__gte=now - timedelta(days=COMPLEMENT_DAYS),
        ).values("variant__product")
    ).select_related("category")[:SUGGESTIONS],
)


def _card_products(customer: Customer, store: Store | None, ctx: dict, book: OfferBook) -> dict:
    """Photos of the suggested products, and complements of what the client looked at online
    lately or bought in the last ``COMPLEMENT_DAYS`` days, with their stock here. A fixed
    number of queries (products.selectors)."""
    suggested = [row["variant"] for row in ctx["suggest_wishlist_here"] + ctx["suggest_similar"]]
    bought = _bought_lately(customer.pk, timezone.now())
    looked = [row["interest"].product for row in ctx["interests"]]
    sources = list({p.pk: p for p in looked + bought}.values())
    complements = complements_for(sources, store=store, limit=SUGGESTIONS)
    shown = [c.shown_variant for c in complements if c.shown_variant]
    prices = book.prices(shown)
    for complement in complements:
        complement.price = prices[complement.shown_variant.pk] if complement.shown_variant else None
    photos_attach([], suggested)
    return {"complements": complements}


def customer_card(
    *,
    customer_id: int | None = None,
    store: Store | None,
    page: str | int | None = None,
    customer: Customer | None = None,
) -> dict:
    """The card's context; ``store`` is the associate's (None for head office); the client
    from ``customer_for_card`` when the caller has read them. The suggestions and offers
    come after the first paint (``card_suggestions``)."""
    if customer is None:
        customer = customer_for_card(customer_id, store)
    items = _wishlist_items(customer)
    # The offers, for the wishlist's prices only.
    book = (
        _offer_book(customer, items, timezone.now(), preferences=True, wishlist_only=True)
        if items
        else None
    )
    wishlist, interests = _wishlist_and_interests(customer, store, book, items)
    summary = purchase_summary(customer.pk)
    return {
        "customer": customer,
        "store": store,
        "preference": getattr(customer, "preference", None),
        "preferred_brands": customer.preferred_brands,
        "preferred_categories": customer.preferred_categories,
        "sizes": _sizes(customer.pk) if getattr(customer, "has_sizes", True) else [],
        "summary": summary,
        "visit_count": customer.visit_count,
        "last_visit_at": customer.last_visit_at,
        "visit_here": _visit_here(customer, store),
        "wishlist": wishlist,
        "history": card_history(customer, page, count=summary["purchase_count"]),
        "interests": interests,
        "interest_days": INTEREST_DAYS,
        "notes": card_notes(customer),
        "consents": consents_current(customer.pk),
        "open_orders": open_orders_for(customer_id=customer.pk)
        if getattr(customer, "has_open_orders", True)
        else [],
    }


def card_suggestions(*, customer: Customer, store: Store | None) -> dict:
    """The card's slower blocks, loaded after its first paint: what to show the client
    (wishlist in stock here, similar products in stock here, complements) and the offers
    for them, all priced from one load of the live offers."""
    now = timezone.now()
    items = _wishlist_items(customer)
    book = _offer_book(customer, items, now, preferences=False, wishlist_only=False)
    wishlist, interests = _wishlist_and_interests(customer, store, book, items)
    ctx = {
        "customer": customer,
        "store": store,
        "interests": interests,
        "offers": offers_for_customer(customer=customer, at=now, book=book, wishlist=items),
        "suggest_wishlist_here": [row for row in wishlist if row["availability"].in_stock_here],
        "suggest_similar": _similar_in_stock(
            customer, store, [row["interest"] for row in interests], book
        ),
    }
    return ctx | _card_products(customer, store, ctx, book)
