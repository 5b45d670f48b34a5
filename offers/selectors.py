"""Reads about offers, shaped for the customer card and the head-office screens."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from itertools import chain
from math import inf
from operator import or_

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from catalog.formats import day_time
from catalog.models import Category, Product, Variant
from customers.models import Channel, Consent, Customer, Interaction, Preference, WishlistItem

from .models import Offer, OfferChange, OfferMention
from .pricing import (
    FIRST_PRODUCTS_SECONDS,
    CustomerFacts,
    OfferBook,
    Price,
    ancestor_ids,
    offer_label,
)
from .services import MANY_TO_MANY, TRACKED_FIELDS

NOTHING = Q(pk__in=[])
Tree = dict[int, frozenset[int]]  # a category id -> its own and its sub-categories' ids

# --- Which products an offer covers, as a query -------------------------------------------


def subtrees(category_ids: Iterable[int]) -> Tree:
    """For each category id, its own id and its sub-categories' (one query; a category's id
    is in the path of everything under it)."""
    ids = set(category_ids)
    if not ids:
        return {}
    rows = list(
        Category.objects.filter(
            reduce(or_, (Q(path__contains=f"/{pk}/") for pk in ids))
        ).values_list("pk", "path")
    )
    return {pk: frozenset(c for c, path in rows if f"/{pk}/" in path) for pk in ids}


def _under(category_ids: Iterable[int], tree: Tree) -> set[int]:
    return set().union(*(tree.get(pk, ()) for pk in category_ids))


def scope_q(scope: str, ids: Iterable[int], tree: Tree) -> Q:
    """Products covered by an offer of ``scope`` listing ``ids``; ``tree`` (from
    ``subtrees``) gives a listed category's sub-categories."""
    ids = list(ids)
    if not ids:
        return NOTHING
    if scope == Offer.Scope.PRODUCT:
        return Q(pk__in=ids)
    if scope == Offer.Scope.BRAND:
        return Q(brand_id__in=ids)
    return Q(category_id__in=_under(ids, tree))


def preferred_q(facts: CustomerFacts, tree: Tree) -> Q:
    """Products of the customer's preferred brands or under their preferred categories."""
    return Q(brand_id__in=facts.preferred_brand_ids) | Q(
        category_id__in=_under(facts.preferred_category_ids, tree)
    )


def products_in_scope(offer: Offer, *, ids: list[int] | None = None) -> QuerySet[Product]:
    """The active products ``offer`` covers (two queries at most for its list, then lazy);
    ``ids``: the products, categories or brands it lists, for an offer not saved yet."""
    if ids is None:
        ids = list(getattr(offer, offer.scope_field).values_list("pk", flat=True))
    tree = subtrees(ids) if offer.scope == Offer.Scope.CATEGORY else {}
    return Product.objects.filter(is_active=True).filter(scope_q(offer.scope, ids, tree))


# --- The card: offers for this client -----------------------------------------------------


@dataclass
class OfferExample:
    variant: Variant
    price: Price
    on_wishlist: bool = False

    @property
    def product(self) -> Product:
        return self.variant.product


@dataclass
class CustomerOffer:
    offer: Offer
    customer_id: int
    reasons: list[str] = field(default_factory=list)
    examples: list[OfferExample] = field(default_factory=list)
    mentioned: bool = False

    @property
    def label(self) -> str:
        return offer_label(self.offer.kind, self.offer.value)


def _reasons(offer: Offer, on_wishlist: bool) -> list[str]:
    reasons = []
    if on_wishlist:
        reasons.append(_("on their wishlist"))
    if offer.audience == Offer.Audience.PREFERENCES:
        reasons.append(_("matches their preferences"))
    if offer.target_tiers:
        labels = dict(Customer.Tier.choices)
        tiers = ", ".join(str(labels[t]) for t in Customer.Tier.values if t in offer.target_tiers)
        reasons.append(_("%(tiers)s members") % {"tiers": tiers})
    if not reasons:
        reasons.append(_("for everyone"))
    return reasons


def _reaching_preferences(offers: list[Offer], book: OfferBook, tree: Tree) -> set[int]:
    """Of ``offers``, those covering at least one product the customer prefers (one query)."""
    facts = book.facts
    if not offers or not (facts.preferred_brand_ids or facts.preferred_category_ids):
        return set()
    preferred = Product.objects.filter(is_active=True).filter(preferred_q(facts, tree))
    hit = Case(
        *(
            When(
                pk=o.pk,
                then=Exists(preferred.filter(scope_q(o.scope, book.covers[o.pk][o.scope], tree))),
            )
            for o in offers
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    return set(
        Offer.objects.filter(pk__in=[o.pk for o in offers])
        .annotate(hit=hit)
        .filter(hit=True)
        .values_list("pk", flat=True)
    )


def offers_for_customer(
    *,
    customer: Customer,
    at: datetime | None = None,
    limit: int | None = 5,
    examples: int = 3,
    channel: str = Channel.STORE,
    book: OfferBook | None = None,
    wishlist: list[WishlistItem] | None = None,
) -> list[CustomerOffer]:
    """The offers that apply to this client now, most relevant first: those touching their
    wishlist, then those made for them (preferences, tier), then the rest, each group by
    the soonest end. Each comes with up to ``examples`` products priced for the client —
    wishlist first, then what they looked at online, then their preferred brands and
    categories — and whether it was already mentioned to them today.

    Queries: at most 13 + ``limit`` (one per offer for examples beyond the wishlist),
    whatever the number of offers, products or wishlist items. ``book``: every live offer
    for this client (``OfferBook.load`` without ids), when the caller already has it;
    ``wishlist``: their wishlist items (variant, product and category loaded), newest first,
    when the caller has read them."""
    at = at or timezone.now()
    book = book or OfferBook.load(customer=customer, channel=channel, at=at)
    candidates = [o for o in book.offers.values() if book.targets_customer(o)]
    if not candidates:
        return []
    if wishlist is None:
        wishlist = (
            WishlistItem.objects.filter(customer=customer)
            .select_related("variant__product__category")
            .order_by("-added_at", "-pk")
        )
    wished: dict[int, list[Variant]] = defaultdict(list)
    for item in wishlist[:200]:
        product = item.variant.product
        for offer in book.applicable(product, ancestor_ids(product.category.path)):
            wished[offer.pk].append(item.variant)
    # The sub-categories of the categories that matter here, for the queries below.
    tree = subtrees(
        book.facts.preferred_category_ids.union(
            *(book.covers[o.pk]["category"] for o in candidates)
        )
    )
    reaching = _reaching_preferences(
        [o for o in candidates if o.audience == Offer.Audience.PREFERENCES and o.pk not in wished],
        book,
        tree,
    )
    applying = [
        o
        for o in candidates
        if o.pk in wished or o.pk in reaching or o.audience == Offer.Audience.EVERYONE
    ]
    applying.sort(
        key=lambda o: (
            o.pk not in wished,
            not (o.is_personalised or o.target_tiers),
            o.ends_at,
            o.pk,
        )
    )
    if limit is not None:
        applying = applying[:limit]
    items = [
        CustomerOffer(offer=o, customer_id=customer.pk, reasons=_reasons(o, o.pk in wished))
        for o in applying
    ]
    if examples and items:
        _add_examples(items, book, wished, examples, tree)
    mentioned = set(
        OfferMention.objects.filter(
            customer=customer,
            offer_id__in=[i.offer.pk for i in items],
            mentioned_on=timezone.localdate(at),
        ).values_list("offer_id", flat=True)
    )
    for item in items:
        item.mentioned = item.offer.pk in mentioned
    return items


def _together(parts: list[QuerySet]) -> Iterable:
    """The rows of several ordered and sliced queries: in one (UNION ALL) where the
    database allows it (PostgreSQL), else one after the other (SQLite)."""
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        return parts[0].union(*parts[1:], all=True)
    return chain.from_iterable(parts)


# How many of an offer's products, by name, are kept to choose its examples from.
FIRST_PRODUCTS = 60


def _first_products(offers: list[Offer], book: OfferBook, tree: Tree) -> dict[int, list]:
    """For each offer, its first ``FIRST_PRODUCTS`` active products with a variant, by name
    and id, as (id, brand id, category id): kept with the live offers for
    ``FIRST_PRODUCTS_SECONDS`` (they only choose examples, each checked live after), read in
    one query for those not kept yet. Fewer than ``FIRST_PRODUCTS``: all of them."""
    kept = book.live.first_products
    now = time.monotonic()
    missing = [o for o in offers if now - kept.get(o.pk, (-inf, []))[0] > FIRST_PRODUCTS_SECONDS]
    if missing:
        has_variant = Exists(Variant.objects.filter(product=OuterRef("pk")))
        parts = [
            Product.objects.filter(is_active=True)
            .filter(scope_q(o.scope, book.covers[o.pk][o.scope], tree), has_variant)
            .annotate(offer=Value(o.pk))
            .order_by("name", "pk")
            .values_list("offer", "pk", "brand_id", "category_id")[:FIRST_PRODUCTS]
            for o in missing
        ]
        found = defaultdict(list)
        for offer_id, *product in _together(parts):
            found[offer_id].append(tuple(product))
        for o in missing:
            kept[o.pk] = (now, found[o.pk])
    return {o.pk: kept[o.pk][1] for o in offers}


def _add_examples(
    items: list[CustomerOffer], book: OfferBook, wished, examples: int, tree: Tree
) -> None:
    """Wishlist variants first; then more of the offer's products: what the client viewed
    online, then their preferences, then by name. Queries: the products viewed, the offers'
    first products by name (kept, see ``_first_products``), the preferred ones when these
    do not hold enough (one for all offers), the chosen products' variants and their
    categories' ancestors: at most five, whatever the number of offers."""
    facts = book.facts
    viewed = list(
        Product.objects.filter(
            pk__in=Interaction.objects.filter(customer=facts.customer)
            .order_by("-occurred_at")
            .values("product_id")[:50],
            is_active=True,
        )
        .filter(Exists(Variant.objects.filter(product=OuterRef("pk"))))
        .select_related("category")
        .order_by("name", "pk")
    )
    preferring = bool(facts.preferred_brand_ids or facts.preferred_category_ids)
    liked = _under(facts.preferred_category_ids, tree)

    def preferred(brand_id: int, category_id: int) -> bool:
        return brand_id in facts.preferred_brand_ids or category_id in liked

    own: dict[int, list[Variant]] = {}
    more: dict[int, list[int]] = {}
    needing = []
    for item in items:
        offer = item.offer
        own[offer.pk] = wished.get(offer.pk, [])[:examples]
        if examples > len(own[offer.pk]) and offer.audience != Offer.Audience.WISHLIST:
            needing.append(offer)
    first = _first_products(needing, book, tree)
    to_query: dict[int, int] = {}  # offer id -> preferred products still wanted from the database
    for offer in needing:
        taken = {v.product_id for v in own[offer.pk]}
        wanted = examples - len(own[offer.pk])
        only_preferred = offer.audience == Offer.Audience.PREFERENCES
        chosen = [
            p.pk
            for p in viewed
            if p.pk not in taken
            and book.covers_product(offer, p, ancestor_ids(p.category.path))
            and (not only_preferred or preferred(p.brand_id, p.category_id))
        ][:wanted]
        complete = len(first[offer.pk]) < FIRST_PRODUCTS
        taken.update(chosen)
        others = [row for row in first[offer.pk] if row[0] not in taken]
        if preferring:
            chosen += [pk for pk, b, c in others if preferred(b, c)][: wanted - len(chosen)]
            if len(chosen) < wanted and not complete:  # not enough among its first by name
                more[offer.pk], to_query[offer.pk] = chosen, wanted - len(chosen)
                continue
        if not only_preferred:
            chosen += [pk for pk, _b, _c in others if pk not in chosen][: wanted - len(chosen)]
        more[offer.pk] = chosen
    if to_query:
        _add_preferred(more, own, to_query, book, tree)
    first_variants: dict[int, Variant] = {}
    products = {pk for chosen in more.values() for pk in chosen}
    variants = Variant.objects.select_related("product__category").filter(
        product_id__in=products, product__is_active=True
    )
    for variant in variants.order_by("product_id", "pk"):
        first_variants.setdefault(variant.product_id, variant)
    variants = [v for chosen in own.values() for v in chosen] + list(first_variants.values())
    ancestors = {v.product.category_id: ancestor_ids(v.product.category.path) for v in variants}
    prices = book.prices(variants, ancestors)
    for item in items:
        offer = item.offer
        item.examples = [
            OfferExample(variant=v, price=prices[v.pk], on_wishlist=True) for v in own[offer.pk]
        ] + [
            OfferExample(variant=first_variants[pk], price=prices[first_variants[pk].pk])
            for pk in more.get(offer.pk, [])
            if pk in first_variants  # still active and still covered: checked live
            and book.covers_product(
                offer,
                first_variants[pk].product,
                ancestors.get(first_variants[pk].product.category_id, frozenset()),
            )
        ]


def _add_preferred(
    more: dict[int, list[int]], own, wanted: dict[int, int], book: OfferBook, tree: Tree
) -> None:
    """The client's preferred products for the offers whose first products by name did not
    hold enough, then (offers for everyone) others by name: one query for all offers."""
    facts = book.facts
    has_variant = Exists(Variant.objects.filter(product=OuterRef("pk")))
    parts = []
    for offer_id, count in wanted.items():
        offer = book.offers[offer_id]
        taken = [v.product_id for v in own[offer_id]] + more[offer_id]
        products = (
            Product.objects.filter(is_active=True)
            .filter(scope_q(offer.scope, book.covers[offer_id][offer.scope], tree), has_variant)
            .exclude(pk__in=taken)
        )
        rank = Case(When(preferred_q(facts, tree), then=Value(1)), default=Value(2))
        if offer.audience == Offer.Audience.PREFERENCES:
            products, rank = products.filter(preferred_q(facts, tree)), Value(1)
        parts.append(
            products.annotate(offer=Value(offer_id), rank=rank)
            .order_by("rank", "name", "pk")
            .values_list("offer", "pk")[:count]
        )
    for offer_id, pk in _together(parts):
        more[offer_id].append(pk)


def offer_for_customer(
    *, offer_id: int, customer: Customer, at: datetime | None = None
) -> CustomerOffer | None:
    """The offer if it applies to this client now, else None (for recording a mention)."""
    for item in offers_for_customer(customer=customer, at=at, limit=None, examples=0):
        if item.offer.pk == offer_id:
            return item
    return None


# --- Head office: how far an offer reaches, and its history -------------------------------


@dataclass(frozen=True)
class Reach:
    customers: int
    products: int


def offer_reach(offer: Offer, *, scope_ids: list[int] | None = None) -> Reach:
    """How many active products the offer covers and how many customers it is for
    (tiers, audience and consent; use limits aside). Five queries at most. ``scope_ids``:
    what an offer not saved yet lists (the admin form's preview)."""
    products = products_in_scope(offer, ids=scope_ids)
    customers = Customer.objects.active()
    if offer.target_tiers:
        customers = customers.filter(tier__in=offer.target_tiers)
    if offer.audience == Offer.Audience.WISHLIST:
        wishers = WishlistItem.objects.filter(variant__product__in=products)
        customers = customers.filter(pk__in=wishers.values("customer_id"))
    elif offer.audience == Offer.Audience.PREFERENCES:
        paths = products.values_list("category__path", flat=True).distinct()
        ancestors = set().union(*(ancestor_ids(path) for path in paths))
        by_brand = Preference.brands.through.objects.filter(
            brand_id__in=products.values("brand_id")
        )
        by_category = Preference.categories.through.objects.filter(category_id__in=ancestors)
        fans = by_brand.values("preference__customer_id").union(
            by_category.values("preference__customer_id")
        )
        customers = customers.filter(pk__in=fans)  # one IN: a semi-join, not an OR of scans
    if offer.is_personalised:
        consent = Consent.objects.granted_subquery(Consent.Purpose.PERSONALISED_OFFERS)
        customers = customers.alias(personalised=consent).filter(personalised=True)
    return Reach(customers=customers.count(), products=products.count())


@dataclass(frozen=True)
class HistoryLine:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    action: str
    created: bool
    lines: list[HistoryLine]


def _shown(name: str, value) -> str:
    """A history value as head office reads it, in the active language."""
    if value in (None, "", []):
        return "—"
    if name in ("target_tiers", "channels"):
        labels = dict(Customer.Tier.choices if name == "target_tiers" else Channel.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if name in MANY_TO_MANY:
        return ", ".join(value)
    model_field = Offer._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name in ("starts_at", "ends_at"):
        moment = parse_datetime(value)
        return day_time(moment)
    return str(value)


def offer_history(offer: Offer) -> list[HistoryEntry]:
    """The offer's changes, newest first, readable (one query)."""
    entries = []
    changes = OfferChange.objects.filter(offer=offer).select_related("changed_by")
    for change in changes:
        who = change.changed_by
        lines = [
            HistoryLine(
                field=str(Offer._meta.get_field(name).verbose_name),
                before=_shown(name, change.changes[name][0]),
                after=_shown(name, change.changes[name][1]),
            )
            for name in TRACKED_FIELDS
            if name in change.changes
            and not (
                change.action == OfferChange.Action.CREATED
                and change.changes[name][1] in (None, "", [])
            )
        ]
        entries.append(
            HistoryEntry(
                when=change.changed_at,
                who=(who.get_full_name() or who.email or who.username) if who else "—",
                action=change.get_action_display(),
                created=change.action == OfferChange.Action.CREATED,
                lines=lines,
            )
        )
    return entries
