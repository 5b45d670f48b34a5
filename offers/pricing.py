"""The one price function: every page, card and order asks here what a customer pays.

``price_for(variant, customer=, channel=, at=)`` and ``prices_for(variants, ...)`` return a
``Price``: the list price, the offers applied, the final price and a sentence explaining it.

The rules, in order:

1. **Which offers apply** to a variant, for a customer, in a channel, at a moment:
   the offer is active and ``starts_at <= at < ends_at``; it is open in the channel (no
   channel list, or the channel is in it); the product is in its scope (listed product,
   listed brand, or a listed category or any of its sub-categories); the customer is in
   its target tiers (an empty list means every tier); for a *wishlist* offer the product
   (any variant of it) is on the customer's wishlist, for a *preferences* offer its brand is
   a preferred brand or its category lies under a preferred category, and both need the
   customer's consent to personalised offers; a limited offer (``uses_per_customer``) has
   uses left for this customer. Without a customer only offers for everyone, every tier and
   without a use limit apply: that is the public price.
2. **Each offer's discount** on a price: a percentage is rounded to the cent (half up); an
   amount is taken as is; neither ever takes more than the price.
3. **Combining**: the final price is the lowest of (a) each applicable offer alone and
   (b) all applicable *stackable* offers together, applied one after another on what is left
   — percentages first (largest first), then amounts (largest first). A non-stackable offer
   never combines. Ties go to the single offer with the smallest id, so the result is
   deterministic.
4. The final price is in cents, never below zero and never above the list price.
5. **Payment facilities** (offers of the *financing* kind, e.g. "4× interest-free") take
   nothing off: they apply like any offer (rule 1), and the final price qualifies for one
   when it reaches its threshold (``min_amount``). The one with the most instalments wins
   (ties: the smallest id); the instalments are in cents, the first takes the odd cents.

``prices_for`` prices any number of variants in a fixed number of queries (at most seven,
whatever the number of variants, offers or wishlist items).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from catalog.formats import current_locale, money
from catalog.models import Category, Product, Variant
from catalog.prepared import Prepared
from customers.models import Channel, Consent, Customer, Preference, WishlistItem

from .models import Offer, OfferRedemption

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


class Wording:
    """How prices are explained in the active language; the phrases and separators are
    looked up once for a whole page of prices."""

    def __init__(self):
        self.decimal = get_format("DECIMAL_SEPARATOR")
        self.locale = current_locale()
        self.nothing = _("List price %(price)s; no offer applies.")
        self.offer = _("%(name)s %(label)s (−%(amount)s)")
        self.combined = _("stackable offers combined: %(offers)s")
        self.best_of = _("best of %(count)d offers: %(offer)s")
        self.sentence = _("List price %(price)s; %(how)s; final price %(final)s.")
        self.financing = _("%(count)d× interest-free")
        self.instalments = _("%(n)s × %(amount)s")
        self.first_then = _("%(first)s then %(n)s × %(amount)s")

    def euros(self, amount: Decimal) -> str:
        return money(amount, self.locale)

    def label(self, kind: str, value: Decimal) -> str:
        if kind == Offer.Kind.FINANCING:
            return self.financing % {"count": int(value)}
        if kind == Offer.Kind.PERCENT:
            value = (
                value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
            )
            return f"−{str(value).replace('.', self.decimal)} %"
        return f"−{self.euros(value)}"

    def instalment_terms(self, count: int, first: Decimal, instalment: Decimal) -> str:
        """``4 × 25,00 €``, or ``25,03 € then 3 × 24,99 €`` when the first takes odd cents."""
        if first == instalment:
            return self.instalments % {"n": count, "amount": self.euros(instalment)}
        return self.first_then % {
            "first": self.euros(first),
            "n": count - 1,
            "amount": self.euros(instalment),
        }

    def explain(
        self,
        list_price: Decimal,
        final: Decimal,
        applied: Sequence[AppliedOffer],
        considered: int,
    ) -> str:
        """A sentence an associate can read to the client."""
        if not applied:
            return self.nothing % {"price": self.euros(list_price)}
        parts = [
            self.offer
            % {
                "name": f"« {o.name} »",
                "label": self.label(o.kind, o.value),
                "amount": self.euros(o.discount),
            }
            for o in applied
        ]
        if len(applied) > 1:
            how = self.combined % {"offers": " + ".join(parts)}
        elif considered > 1:
            how = self.best_of % {"count": considered, "offer": parts[0]}
        else:
            how = parts[0]
        return self.sentence % {
            "price": self.euros(list_price),
            "how": how,
            "final": self.euros(final),
        }


def euros(amount: Decimal) -> str:
    """``1 234,50 €`` in French, ``€1,234.50`` in English (``catalog.formats.money``)."""
    return Wording().euros(amount)


def offer_label(kind: str, value: Decimal) -> str:
    """What an offer gives, e.g. ``−10 %`` or ``−20,00 €``."""
    return Wording().label(kind, value)


@dataclass(frozen=True)
class AppliedOffer:
    offer_id: int
    name: str
    discount: Decimal
    kind: str = Offer.Kind.AMOUNT
    value: Decimal = ZERO
    stackable: bool = False

    @property
    def label(self) -> str:
        return offer_label(self.kind, self.value)


@dataclass(frozen=True)
class Financing:
    """A payment in instalments offered on a price: ``count`` instalments, the first
    ``first`` (it takes the odd cents), the others ``instalment``."""

    offer_id: int
    name: str
    count: int
    instalment: Decimal
    first: Decimal
    label: str = ""
    # How it is paid, in the active language: ``4 × 25,00 €`` or ``25,03 € then 3 × 24,99 €``.
    terms: str = ""


@dataclass(frozen=True)
class Price:
    """What a customer pays for a variant, and why."""

    list_price: Decimal
    final: Decimal
    offers: tuple[AppliedOffer, ...] = field(default=())
    explanation: str = ""
    # A payment facility the final price qualifies for (rule 5), or None.
    financing: Financing | None = None

    @property
    def discount(self) -> Decimal:
        return self.list_price - self.final

    @property
    def is_discounted(self) -> bool:
        return self.final < self.list_price

    def as_json(self) -> dict:
        """The price as it was, for an order line to keep (amounts as strings)."""
        return {
            "list_price": str(self.list_price),
            "final": str(self.final),
            "offers": [
                {
                    "offer_id": o.offer_id,
                    "name": o.name,
                    "kind": o.kind,
                    "value": str(o.value),
                    "discount": str(o.discount),
                }
                for o in self.offers
            ],
            "explanation": self.explanation,
        }


# --- The arithmetic: pure functions, no database ------------------------------------------


def offer_discount(price: Decimal, offer: Offer) -> Decimal:
    """What ``offer`` takes off ``price``: in cents, between zero and the price."""
    if offer.kind == Offer.Kind.PERCENT:
        discount = to_cents(price * offer.value / 100)
    else:
        discount = to_cents(offer.value)
    return min(max(discount, ZERO), price)


def _applied(offer: Offer, discount: Decimal) -> AppliedOffer:
    return AppliedOffer(
        offer_id=offer.pk,
        name=offer.name,
        discount=discount,
        kind=offer.kind,
        value=offer.value,
        stackable=offer.stackable,
    )


def _stacking_order(offer: Offer) -> tuple:
    return (offer.kind != Offer.Kind.PERCENT, -offer.value, offer.pk)


def best_price(
    list_price: Decimal, offers: Sequence[Offer]
) -> tuple[Decimal, tuple[AppliedOffer, ...]]:
    """The final price and the offers that make it, from offers that all apply (rule 3)."""
    list_price = max(to_cents(list_price), ZERO)
    best, applied = list_price, ()
    for offer in sorted(offers, key=lambda o: o.pk):
        discount = offer_discount(list_price, offer)
        if discount > 0 and list_price - discount < best:
            best, applied = list_price - discount, (_applied(offer, discount),)
    stackable = sorted((o for o in offers if o.stackable), key=_stacking_order)
    if len(stackable) > 1:
        price, stacked = list_price, []
        for offer in stackable:
            discount = offer_discount(price, offer)
            if discount > 0:
                price -= discount
                stacked.append(_applied(offer, discount))
        if price < best:
            best, applied = price, tuple(stacked)
    return best, applied


def best_financing(
    final: Decimal, offers: Sequence[Offer], wording: Wording | None = None
) -> Financing | None:
    """Of the payment facilities that apply, the one with the most instalments among those
    whose threshold the final price reaches (ties: the smallest id); None if none (rule 5)."""
    eligible = [o for o in offers if o.min_amount is not None and final >= o.min_amount]
    if not eligible or final <= 0:
        return None
    offer = min(eligible, key=lambda o: (-int(o.value), o.pk))
    count = int(offer.value)
    instalment = (final / count).quantize(CENT, rounding=ROUND_DOWN)
    first = final - instalment * (count - 1)
    wording = wording or Wording()
    return Financing(
        offer_id=offer.pk,
        name=offer.name,
        count=count,
        instalment=instalment,
        first=first,
        label=wording.label(offer.kind, offer.value),
        terms=wording.instalment_terms(count, first, instalment),
    )


# --- What applies: the live offers and one customer's facts ------------------------------


def ancestor_ids(path: str) -> frozenset[int]:
    """A category's own id and its ancestors' ids, from its path ``/1/4/9/``."""
    return frozenset(int(part) for part in path.strip("/").split("/") if part)


def _uses_query(customer_id: int, *offer_ids):
    """Per offer of ``offer_ids``: how many times the customer used it."""
    return (
        OfferRedemption.objects.filter(customer_id=customer_id, offer_id__in=offer_ids)
        .values_list("offer_id")
        .annotate(n=Count("pk"))
    )


_uses = Prepared(_uses_query)


@dataclass
class CustomerFacts:
    """What targeting needs to know about one customer (loaded only as far as needed)."""

    customer: Customer | None = None
    personalised: bool = False
    wishlist_product_ids: frozenset[int] = frozenset()
    preferred_brand_ids: frozenset[int] = frozenset()
    preferred_category_ids: frozenset[int] = frozenset()
    uses: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        customer: Customer | None,
        offers: Iterable[Offer],
        product_ids: Iterable[int] | None = None,
        at: datetime | None = None,
        *,
        personalised: bool | None = None,
        wishlist_product_ids: Iterable[int] | None = None,
        preferences: tuple[Iterable[int], Iterable[int]] | None = None,
    ) -> CustomerFacts:
        """At most four queries: consent, wishlist, preferences, uses — each only when an
        offer depends on it and the caller has not read it already: ``personalised`` (the
        consent in force at ``at``), ``wishlist_product_ids`` (their whole wishlist's),
        ``preferences`` (preferred brand ids, category ids). ``product_ids`` narrows the
        wishlist query."""
        facts = cls(customer=customer)
        offers = list(offers)
        if customer is None or not offers:
            return facts
        limited = [o.pk for o in offers if o.uses_per_customer]
        if limited:
            facts.uses = dict(_uses(customer.pk, *limited))
        audiences = {o.audience for o in offers}
        if audiences == {Offer.Audience.EVERYONE}:
            return facts
        if personalised is None:
            personalised = Consent.objects.filter(customer=customer).in_force(
                Consent.Purpose.PERSONALISED_OFFERS, at
            )
        facts.personalised = personalised
        if not facts.personalised:
            return facts
        if Offer.Audience.WISHLIST in audiences and wishlist_product_ids is not None:
            facts.wishlist_product_ids = frozenset(wishlist_product_ids)
        elif Offer.Audience.WISHLIST in audiences:
            wishlist = WishlistItem.objects.filter(customer=customer)
            if product_ids is not None:
                wishlist = wishlist.filter(variant__product_id__in=product_ids)
            facts.wishlist_product_ids = frozenset(
                wishlist.values_list("variant__product_id", flat=True)
            )
        if Offer.Audience.PREFERENCES in audiences and preferences is not None:
            facts.preferred_brand_ids = frozenset(preferences[0])
            facts.preferred_category_ids = frozenset(preferences[1])
        elif Offer.Audience.PREFERENCES in audiences:
            brands = (
                Preference.brands.through.objects.filter(preference__customer=customer)
                .annotate(kind=Value("brand"))
                .values_list("kind", "brand_id")
            )
            categories = (
                Preference.categories.through.objects.filter(preference__customer=customer)
                .annotate(kind=Value("category"))
                .values_list("kind", "category_id")
            )
            preferred = defaultdict(set)
            for kind, pk in brands.union(categories, all=True):
                preferred[kind].add(pk)
            facts.preferred_brand_ids = frozenset(preferred["brand"])
            facts.preferred_category_ids = frozenset(preferred["category"])
        return facts


# --- The live offers, kept in memory per process ------------------------------------------

# How long an offer's first products by name are kept (``LiveOffers.first_products``): they
# only choose which examples the card shows, each checked against the live catalogue there.
FIRST_PRODUCTS_SECONDS = 600


class LiveOffers:
    """Every offer switched on and not ended when loaded, and what each one lists, indexed
    for pricing. Valid for any moment from ``loaded_at`` until the offers change."""

    def __init__(self, offers: Iterable[Offer], links: Iterable[tuple[str, int, int]], loaded_at):
        self.loaded_at = loaded_at
        self.offers = {o.pk: o for o in offers}
        self.covers: dict[int, dict[str, set[int]]] = {
            pk: {"product": set(), "brand": set(), "category": set()} for pk in self.offers
        }
        # For each product, brand or category: the offers that list it.
        self.listing: dict[tuple[str, int], list[Offer]] = defaultdict(list)
        for kind, offer_id, target_id in links:
            if offer_id in self.covers:
                self.covers[offer_id][kind].add(target_id)
                self.listing[kind, target_id].append(self.offers[offer_id])
        # Per offer: (when read, its first active products with a variant, by name).
        self.first_products: dict[int, tuple[float, list]] = {}
        self.token: str | None = None

    @classmethod
    def load(cls, at: datetime) -> LiveOffers:
        """Two queries: the offers with the offers' version, then their links."""
        offers = list(with_offers_version(Offer.objects.filter(is_active=True, ends_at__gt=at)))
        scopes = {o.pk: o.scope for o in offers}
        parts = [
            through.objects.filter(offer__in=list(scopes))
            .annotate(kind=Value(kind))
            .values_list("kind", "offer_id", column)
            for kind, through, column in (
                ("product", Offer.products.through, "product_id"),
                ("brand", Offer.brands.through, "brand_id"),
                ("category", Offer.categories.through, "category_id"),
            )
        ]
        links = parts[0].union(*parts[1:], all=True) if offers else []
        links = [link for link in links if scopes[link[1]] == link[0]]
        listed = {offer_id for _kind, offer_id, _target in links}  # an empty list covers nothing
        live = cls([o for o in offers if o.pk in listed], links, at)
        live.token = getattr(offers[0], "offers_version", None) if offers else None
        return live


# The offers' version: a token changed in the transaction of any write to the offers or
# what they list, by statement triggers (migration 0004), so every write counts, bulk ones,
# updates of querysets and cascades included, and a process sees it when it sees the write.
VERSION_SQL = "SELECT token::text FROM offers_version WHERE id = 1"
_live: LiveOffers | None = None


def offers_token() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


def with_offers_version(queryset):
    """``queryset`` with the offers' version read in the same query (``offers_version``, for
    ``live_offers``'s ``token``) where there is one (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return queryset
    return queryset.annotate(offers_version=RawSQL(VERSION_SQL, ()))  # noqa: S611 (a constant)


def live_offers(at: datetime, token: str | None = None) -> LiveOffers:
    """The live offers: from this process's memory while the offers' version is the one they
    were read with (one query, to compare it, unless the caller read it: ``token``, from
    ``with_offers_version``), else read again (two, then three)."""
    global _live
    live = _live  # never kept without a version (SQLite)
    if (
        live is not None
        and at >= live.loaded_at
        and (token if token is not None else offers_token()) == live.token
    ):
        return live
    live = LiveOffers.load(min(at, timezone.now()))
    if live.token is not None:
        _live = live
    return live


def forget_live_offers() -> None:
    """Drop this process's copy of the live offers, as a process that never read them."""
    global _live
    _live = None


class OfferBook:
    """The offers live in one channel at one moment, what each one covers, and the facts
    about one customer: everything needed to say which offers apply to a product."""

    def __init__(self, live: LiveOffers, offers: Iterable[Offer], facts):
        self.live = live
        self.facts: CustomerFacts = facts
        self.offers = {o.pk: o for o in offers}
        self.covers = live.covers
        self._for_customer = {pk for pk, o in self.offers.items() if self.targets_customer(o)}

    @classmethod
    def load(
        cls,
        *,
        customer: Customer | None,
        channel: str,
        at: datetime,
        product_ids: Iterable[int] | None = None,
        brand_ids: Iterable[int] | None = None,
        category_ids: Iterable[int] | None = None,
        known: dict | None = None,
        token: str | None = None,
    ) -> OfferBook:
        """The live offers (``live_offers``: one query while they have not changed) plus the
        customer's facts (``known``: those the caller has read, see ``CustomerFacts.load``;
        ``token``: the offers' version, when read with them). With ids given, only the offers
        listing one of them are kept."""
        live = live_offers(at, token)
        if product_ids is None and brand_ids is None and category_ids is None:
            candidates = live.offers.values()
        else:
            found = {}
            for kind, ids in (
                ("product", product_ids),
                ("brand", brand_ids),
                ("category", category_ids),
            ):
                for pk in ids or ():
                    found.update((o.pk, o) for o in live.listing.get((kind, pk), ()))
            candidates = found.values()
        offers = [
            o
            for o in candidates
            if o.starts_at <= at < o.ends_at
            and o.applies_in(channel)
            and (customer is not None or _public(o))
        ]
        product_ids = None if product_ids is None else list(product_ids)
        facts = CustomerFacts.load(customer, offers, product_ids, at, **(known or {}))
        return cls(live, offers, facts)

    def covers_product(self, offer: Offer, product: Product, ancestors: frozenset[int]) -> bool:
        covers = self.covers[offer.pk]
        if offer.scope == Offer.Scope.PRODUCT:
            return product.pk in covers["product"]
        if offer.scope == Offer.Scope.BRAND:
            return product.brand_id in covers["brand"]
        return not covers["category"].isdisjoint(ancestors)

    def targets_customer(self, offer: Offer) -> bool:
        """The checks that do not depend on the product: tier, consent, uses left."""
        facts = self.facts
        customer = facts.customer
        if customer is None:
            return _public(offer)
        if offer.target_tiers and customer.tier not in offer.target_tiers:
            return False
        if offer.is_personalised and not facts.personalised:
            return False
        return not (
            offer.uses_per_customer and facts.uses.get(offer.pk, 0) >= offer.uses_per_customer
        )

    def targets_product(self, offer: Offer, product: Product, ancestors: frozenset[int]) -> bool:
        facts = self.facts
        if offer.audience == Offer.Audience.WISHLIST:
            return product.pk in facts.wishlist_product_ids
        if offer.audience == Offer.Audience.PREFERENCES:
            return product.brand_id in facts.preferred_brand_ids or not (
                facts.preferred_category_ids.isdisjoint(ancestors)
            )
        return True

    def applicable(self, product: Product, ancestors: frozenset[int]) -> list[Offer]:
        """The offers that apply to ``product`` for this book's customer (rule 1)."""
        listing, mine = self.live.listing, self._for_customer
        keys = [("product", product.pk), ("brand", product.brand_id)]
        keys += [("category", category_id) for category_id in ancestors]
        found = {o.pk: o for key in keys for o in listing.get(key, ()) if o.pk in mine}
        return [o for o in found.values() if self.targets_product(o, product, ancestors)]

    def price(self, product: Product, ancestors: frozenset[int], wording: Wording) -> Price:
        found = self.applicable(product, ancestors)
        offers = [o for o in found if not o.is_financing]
        final, applied = best_price(product.list_price, offers)
        list_price = to_cents(product.list_price)
        return Price(
            list_price=list_price,
            final=final,
            offers=applied,
            explanation=wording.explain(list_price, final, applied, len(offers)),
            financing=best_financing(final, [o for o in found if o.is_financing], wording),
        )

    def prices(
        self, variants: Sequence[Variant], ancestors: dict[int, frozenset[int]] | None = None
    ) -> dict[int, Price]:
        """Prices keyed by variant id. The variants' products must be loaded; without
        ``ancestors`` (from ``category_ancestors``), one query reads them unless the
        products' categories were loaded with them."""
        products = {v.product_id: v.product for v in variants}
        if ancestors is None:  # from the categories loaded with the products, else one query
            loaded = [p for p in products.values() if Product.category.is_cached(p)]
            ancestors = {p.category_id: ancestor_ids(p.category.path) for p in loaded}
            if len(loaded) < len(products):
                ancestors |= category_ancestors(
                    p.category_id for p in products.values() if p.category_id not in ancestors
                )
        wording = Wording()
        by_product = {
            pk: self.price(p, ancestors.get(p.category_id, frozenset()), wording)
            for pk, p in products.items()
        }
        return {v.pk: by_product[v.product_id] for v in variants}


def _public(offer: Offer) -> bool:
    """Whether an offer can apply without knowing the customer."""
    return (
        offer.audience == Offer.Audience.EVERYONE
        and not offer.target_tiers
        and not offer.uses_per_customer
    )


def category_ancestors(category_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """One query: for each category id, its own id and its ancestors'."""
    paths = Category.objects.filter(pk__in=set(category_ids)).values_list("pk", "path")
    return {pk: ancestor_ids(path) for pk, path in paths}


# --- The price functions ------------------------------------------------------------------


def prices_for(
    variants: Iterable[Variant],
    *,
    customer: Customer | None = None,
    channel: str = Channel.STORE,
    at: datetime | None = None,
    token: str | None = None,
) -> dict[int, Price]:
    """Prices of many variants at once, keyed by variant id, in at most seven queries
    whatever their number (plus one if their products were not loaded with
    ``select_related("product")``; one fewer when the products' categories were loaded
    with them, another when the caller read the offers' version: ``token``, from
    ``with_offers_version``)."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel: {channel!r}")
    at = at or timezone.now()
    variants = list(variants)
    if not variants:
        return {}
    missing = {v.product_id for v in variants if not Variant.product.is_cached(v)}
    if missing:
        loaded = Product.objects.in_bulk(missing)
        for v in variants:
            if v.product_id in missing:
                v.product = loaded[v.product_id]
    products = {v.product_id: v.product for v in variants}
    ancestors = {  # from the categories loaded with the products, else one query
        p.category_id: ancestor_ids(p.category.path)
        for p in products.values()
        if Product.category.is_cached(p)
    }
    if len(ancestors) < len({p.category_id for p in products.values()}):
        ancestors |= category_ancestors(
            p.category_id for p in products.values() if p.category_id not in ancestors
        )
    book = OfferBook.load(
        customer=customer,
        channel=channel,
        at=at,
        product_ids=products.keys(),
        brand_ids={p.brand_id for p in products.values()},
        category_ids=set().union(*ancestors.values()),
        token=token,
    )
    return book.prices(variants, ancestors)


def price_for(
    variant: Variant,
    *,
    customer: Customer | None = None,
    channel: str = Channel.STORE,
    at: datetime | None = None,
) -> Price:
    return prices_for([variant], customer=customer, channel=channel, at=at)[variant.pk]
