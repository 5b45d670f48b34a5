"""Invariants of the price, for any offers: never negative, never above the list price,
in cents, deterministic, the best available, and the same in every channel unless an offer
is restricted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Channel, Customer
from offers.models import Offer
from offers.pricing import CENT, best_price, offer_discount, price_for, prices_for
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    VariantFactory,
)

prices = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)
percent_offers = st.builds(
    lambda value, stackable: ("percent", value, stackable),
    st.decimals(min_value=Decimal("0.01"), max_value=100, places=2),
    st.booleans(),
)
amount_offers = st.builds(
    lambda value, stackable: ("amount", value, stackable),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000"), places=2),
    st.booleans(),
)
offer_terms = st.lists(st.one_of(percent_offers, amount_offers), max_size=6)


def unsaved(terms) -> list[Offer]:
    return [
        Offer(pk=i + 1, name=f"o{i}", kind=kind, value=value, stackable=stackable)
        for i, (kind, value, stackable) in enumerate(terms)
    ]


@given(list_price=prices, terms=offer_terms, data=st.data())
@settings(max_examples=500, deadline=None)  # a property, not a timing
def test_the_arithmetic_holds_for_any_offers(list_price, terms, data):
    offers = unsaved(terms)
    final, applied = best_price(list_price, offers)
    assert Decimal("0") <= final <= list_price
    assert final == final.quantize(CENT)
    assert list_price - sum(o.discount for o in applied) == final
    assert all(o.discount > 0 for o in applied)
    # Deterministic: the same offers in any order give the same price and offers.
    shuffled = data.draw(st.permutations(offers))
    assert best_price(list_price, shuffled) == (final, applied)
    # The best available: no single offer alone does better...
    for offer in offers:
        assert final <= list_price - offer_discount(list_price, offer)
    # ...and a non-stackable offer never combines with another.
    if len(applied) > 1:
        assert all(o.stackable for o in applied)


@pytest.fixture
def shelf(db):
    """A product in a sub-category, its variant, and a gold customer."""
    root = CategoryFactory()
    leaf = CategoryFactory(parent=root)
    brand = BrandFactory()
    variant = VariantFactory(product=ProductFactory(brand=brand, category=leaf))
    return variant, brand, root, leaf, CustomerFactory(tier=Customer.Tier.GOLD)


db_offer = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([Offer.Kind.PERCENT, Offer.Kind.AMOUNT]),  # discounts
        "value": st.decimals(min_value=Decimal("0.01"), max_value=100, places=2),
        "stackable": st.booleans(),
        "scope": st.sampled_from(["brand", "root", "leaf", "product"]),
        "tiers": st.sampled_from([[], ["gold"], ["member"]]),
        "channels": st.sampled_from([[], [], [Channel.STORE], [Channel.WEB, Channel.APP]]),
        "starts_in_days": st.integers(min_value=-3, max_value=1),
    }
)


@given(list_price=prices, specs=st.lists(db_offer, max_size=5))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_stored_offers_give_one_price_in_every_channel_unless_restricted(shelf, list_price, specs):
    variant, brand, root, leaf, customer = shelf
    now = timezone.now()
    with transaction.atomic():
        variant.product.list_price = list_price
        variant.product.save()
        for i, spec in enumerate(specs):
            scope = {"root": "category", "leaf": "category"}.get(spec["scope"], spec["scope"])
            offer = Offer.objects.create(
                name=f"Offre {i}",
                kind=spec["kind"],
                value=spec["value"],
                stackable=spec["stackable"],
                scope=scope,
                target_tiers=spec["tiers"],
                channels=spec["channels"],
                channel_reason="Essai" if spec["channels"] else "",
                starts_at=now + timedelta(days=spec["starts_in_days"]),
                ends_at=now + timedelta(days=5),
            )
            target = {"brand": brand, "root": root, "leaf": leaf, "product": variant.product}
            getattr(offer, offer.scope_field).add(target[spec["scope"]])

        for who in (None, customer):
            by_channel = {
                c: price_for(variant, customer=who, channel=c, at=now) for c in Channel.values
            }
            for price in by_channel.values():
                assert Decimal("0") <= price.final <= price.list_price == list_price
                assert price.final == price.final.quantize(CENT)
            if not any(spec["channels"] for spec in specs):
                assert len({p.final for p in by_channel.values()}) == 1
            # Deterministic, and the same alone or in a page of prices.
            again = prices_for([variant, variant], customer=who, channel=Channel.WEB, at=now)
            assert again[variant.pk] == by_channel[Channel.WEB]
            # A known customer never pays more than an anonymous shopper.
            if who is not None:
                anonymous = price_for(variant, channel=Channel.STORE, at=now)
                assert by_channel[Channel.STORE].final <= anonymous.final
        transaction.set_rollback(True)
