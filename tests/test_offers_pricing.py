"""The one price: worked examples of every rule, and the query count of pricing a page."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from catalog.models import Variant
from customers.models import Channel, Consent, Customer, Preference
from offers.models import Offer, OfferRedemption
from offers.pricing import price_for, prices_for
from offers.services import OfferUsesExhausted, offer_redemptions_record
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ConsentFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    VariantFactory,
    WishlistItemFactory,
)

D = Decimal


def offer(*, brands=(), categories=(), products=(), **fields) -> Offer:
    """An offer for everyone, live now, scoped to whichever list is given."""
    scope = Offer.Scope.PRODUCT if products else Offer.Scope.CATEGORY if categories else "brand"
    made = OfferFactory(scope=scope, **fields)
    made.brands.set(brands)
    made.categories.set(categories)
    made.products.set(products)
    return made


@pytest.fixture
def tv(db):
    """A 499,00 € Sony OLED TV in Électronique > Téléviseurs > OLED."""
    electronics = CategoryFactory(name="Électronique", slug="electronique")
    tvs = CategoryFactory(name="Téléviseurs", slug="televiseurs", parent=electronics)
    oled = CategoryFactory(name="OLED", slug="oled", parent=tvs)
    product = ProductFactory(
        name="Sony Bravia OLED 55",
        brand=BrandFactory(name="Sony", slug="sony"),
        category=oled,
        list_price=D("499.00"),
    )
    return VariantFactory(product=product, colour="noir")


def consenting(customer: Customer, granted: bool = True) -> Customer:
    ConsentFactory(customer=customer, purpose=Consent.Purpose.PERSONALISED_OFFERS, granted=granted)
    return customer


# --- No offer, one offer, rounding, floors -------------------------------------------------


def test_without_offer_the_price_is_the_list_price_and_says_so(tv):
    price = price_for(tv)
    assert (price.list_price, price.final, price.offers) == (D("499.00"), D("499.00"), ())
    assert not price.is_discounted
    with override("fr"):
        assert (
            price_for(tv).explanation == "Prix catalogue 499,00\xa0€ ; aucune offre ne s'applique."
        )


def test_a_percentage_off_a_brand_is_explained_in_french_and_english(tv):
    sale = offer(brands=[tv.product.brand], name="Semaine Sony", value=D("10"))
    price = price_for(tv)
    assert price.final == D("449.10")
    assert price.discount == D("49.90")
    assert [(o.offer_id, o.discount, o.label) for o in price.offers] == [
        (sale.pk, D("49.90"), "−10 %")
    ]
    with override("fr"):
        assert price_for(tv).explanation == (
            "Prix catalogue 499,00\xa0€ ; « Semaine Sony » −10 % (−49,90\xa0€) ; "
            "prix final 449,10\xa0€."
        )
    with override("en"):
        assert price_for(tv).explanation == (
            "List price €499.00; « Semaine Sony » −10 % (−€49.90); final price €449.10."
        )


def test_percentages_round_half_up_to_the_cent(tv):
    tv.product.list_price = D("33.33")
    tv.product.save()
    offer(brands=[tv.product.brand], value=D("50"))  # 16.665 off → 16.67 off
    assert price_for(tv).final == D("16.66")


def test_an_amount_larger_than_the_price_gives_zero_never_less(tv):
    tv.product.list_price = D("15.00")
    tv.product.save()
    offer(brands=[tv.product.brand], kind=Offer.Kind.AMOUNT, value=D("20"))
    price = price_for(tv)
    assert price.final == D("0.00")
    assert price.offers[0].discount == D("15.00")


def test_a_free_product_stays_free_and_no_offer_is_listed(tv):
    tv.product.list_price = D("0.00")
    tv.product.save()
    offer(brands=[tv.product.brand], kind=Offer.Kind.AMOUNT, value=D("20"))
    assert price_for(tv).final == D("0.00")
    assert price_for(tv).offers == ()


# --- Combining: best single offer, unless stackable ones do better -------------------------


def test_the_best_single_offer_wins_when_none_stacks(tv):
    brand = tv.product.brand
    offer(brands=[brand], name="30 € de remise", kind=Offer.Kind.AMOUNT, value=D("30"))
    best = offer(brands=[brand], name="-10 %", value=D("10"))
    price = price_for(tv)
    assert price.final == D("449.10")
    assert [o.offer_id for o in price.offers] == [best.pk]
    with override("en"):
        assert "best of 2 offers" in price_for(tv).explanation


def test_stackable_offers_combine_percentages_first(tv):
    tv.product.list_price = D("100.00")
    tv.product.save()
    brand = tv.product.brand
    amount = offer(brands=[brand], kind=Offer.Kind.AMOUNT, value=D("10"), stackable=True)
    percent = offer(brands=[brand], value=D("10"), stackable=True)
    price = price_for(tv)
    # 100 − 10 % = 90, then − 10 € = 80 (amount first would give 81).
    assert price.final == D("80.00")
    assert [(o.offer_id, o.discount) for o in price.offers] == [
        (percent.pk, D("10.00")),
        (amount.pk, D("10.00")),
    ]
    with override("en"):
        assert "stackable offers combined" in price_for(tv).explanation


def test_a_better_single_offer_beats_the_stack(tv):
    tv.product.list_price = D("100.00")
    tv.product.save()
    brand = tv.product.brand
    offer(brands=[brand], value=D("10"), stackable=True)
    offer(brands=[brand], value=D("5"), stackable=True)  # stacked: 100 → 90 → 85.50
    single = offer(brands=[brand], value=D("20"))  # alone: 80
    price = price_for(tv)
    assert price.final == D("80.00")
    assert [o.offer_id for o in price.offers] == [single.pk]


def test_the_stack_beats_a_weaker_single_offer(tv):
    tv.product.list_price = D("100.00")
    tv.product.save()
    brand = tv.product.brand
    offer(brands=[brand], value=D("10"), stackable=True)
    offer(brands=[brand], value=D("5"), stackable=True)
    offer(brands=[brand], value=D("12"))
    assert price_for(tv).final == D("85.50")


# --- Scope --------------------------------------------------------------------------------


def test_a_category_offer_covers_its_sub_categories_not_its_siblings(tv):
    tvs = tv.product.category.parent
    offer(categories=[tvs], value=D("10"))
    lcd = CategoryFactory(name="LCD", slug="lcd", parent=tvs)
    audio = CategoryFactory(name="Audio", slug="audio", parent=tvs.parent)
    lcd_tv = VariantFactory(product=ProductFactory(category=lcd, list_price=D("300.00")))
    speaker = VariantFactory(product=ProductFactory(category=audio, list_price=D("300.00")))
    prices = prices_for([tv, lcd_tv, speaker])
    assert prices[tv.pk].final == D("449.10")
    assert prices[lcd_tv.pk].final == D("270.00")
    assert prices[speaker.pk].final == D("300.00")


def test_a_product_offer_covers_every_variant_of_that_product_only(tv):
    white = VariantFactory(product=tv.product, colour="blanc")
    other = VariantFactory(product=ProductFactory(brand=tv.product.brand))
    offer(products=[tv.product], kind=Offer.Kind.AMOUNT, value=D("50"))
    prices = prices_for([tv, white, other])
    assert prices[tv.pk].final == prices[white.pk].final == D("449.00")
    assert prices[other.pk].final == other.product.list_price


def test_a_brand_offer_ignores_other_brands(tv):
    offer(brands=[BrandFactory(name="LG", slug="lg")], value=D("10"))
    assert price_for(tv).final == D("499.00")


# --- When ----------------------------------------------------------------------------------


def test_validity_window_start_included_end_excluded_and_switched_off_offers_ignored(tv):
    start = timezone.now()
    end = start + timedelta(days=7)
    sale = offer(brands=[tv.product.brand], value=D("10"), starts_at=start, ends_at=end)
    assert price_for(tv, at=start - timedelta(seconds=1)).final == D("499.00")
    assert price_for(tv, at=start).final == D("449.10")
    assert price_for(tv, at=end - timedelta(seconds=1)).final == D("449.10")
    assert price_for(tv, at=end).final == D("499.00")
    Offer.objects.filter(pk=sale.pk).update(is_active=False)
    assert price_for(tv, at=start).final == D("499.00")


# --- Who: tiers, wishlist, preferences, consent ---------------------------------------------


def test_a_tier_offer_is_for_those_tiers_only_and_never_for_an_anonymous_shopper(tv):
    offer(brands=[tv.product.brand], value=D("15"), target_tiers=["gold", "platinum"])
    gold = CustomerFactory(tier=Customer.Tier.GOLD)
    member = CustomerFactory(tier=Customer.Tier.MEMBER)
    assert price_for(tv, customer=gold).final == D("424.15")
    assert price_for(tv, customer=member).final == D("499.00")
    assert price_for(tv).final == D("499.00")


def test_a_wishlist_offer_applies_to_any_variant_of_a_wished_product_with_consent(tv):
    offer(brands=[tv.product.brand], value=D("20"), audience=Offer.Audience.WISHLIST)
    white = VariantFactory(product=tv.product, colour="blanc")
    other_sony = VariantFactory(product=ProductFactory(brand=tv.product.brand))
    wisher = consenting(CustomerFactory())
    WishlistItemFactory(customer=wisher, variant=white)
    prices = prices_for([tv, white, other_sony], customer=wisher)
    assert prices[tv.pk].final == prices[white.pk].final == D("399.20")
    assert prices[other_sony.pk].final == other_sony.product.list_price
    assert price_for(tv).final == D("499.00")


def test_personalised_offers_need_the_latest_consent_to_be_a_grant(tv):
    offer(brands=[tv.product.brand], value=D("20"), audience=Offer.Audience.WISHLIST)
    customer = CustomerFactory()
    WishlistItemFactory(customer=customer, variant=tv)
    assert price_for(tv, customer=customer).final == D("499.00")  # never asked
    consenting(customer)
    assert price_for(tv, customer=customer).final == D("399.20")
    ConsentFactory(
        customer=customer,
        purpose=Consent.Purpose.PERSONALISED_OFFERS,
        granted=False,
        recorded_at=timezone.now(),
    )
    assert price_for(tv, customer=customer).final == D("499.00")  # withdrawn since


def test_a_preferences_offer_follows_preferred_brands_and_categories_with_subcategories(tv):
    everything = offer(
        categories=[tv.product.category.parent.parent],
        value=D("10"),
        audience=Offer.Audience.PREFERENCES,
    )
    by_brand = consenting(CustomerFactory())
    Preference.objects.create(customer=by_brand).brands.add(tv.product.brand)
    by_category = consenting(CustomerFactory())
    Preference.objects.create(customer=by_category).categories.add(tv.product.category.parent)
    elsewhere = consenting(CustomerFactory())
    Preference.objects.create(customer=elsewhere).brands.add(BrandFactory(slug="bose"))
    for customer in (by_brand, by_category):
        price = price_for(tv, customer=customer)
        assert (price.final, price.offers[0].offer_id) == (D("449.10"), everything.pk)
    assert price_for(tv, customer=elsewhere).final == D("499.00")
    assert price_for(tv).final == D("499.00")


def test_an_offer_for_everyone_applies_to_anonymous_and_known_shoppers_alike(tv):
    offer(brands=[tv.product.brand], value=D("10"))
    anyone = CustomerFactory(tier=Customer.Tier.PLATINUM)
    assert price_for(tv).final == price_for(tv, customer=anyone).final == D("449.10")


# --- Uses per customer -------------------------------------------------------------------


def test_a_limited_offer_stops_applying_once_used_up(tv):
    once = offer(brands=[tv.product.brand], value=D("25"), uses_per_customer=1)
    customer = CustomerFactory()
    assert price_for(tv).final == D("499.00")  # a limit needs a known customer
    price = price_for(tv, customer=customer)
    assert price.final == D("374.25")
    offer_redemptions_record(
        customer=customer,
        offer_ids=[o.offer_id for o in price.offers],
        reference="CMD-1",
        channel=Channel.STORE,
    )
    assert price_for(tv, customer=customer).final == D("499.00")
    assert price_for(tv, customer=CustomerFactory()).final == D("374.25")
    # Recording the same order again is harmless; a second order is refused, untouched.
    offer_redemptions_record(
        customer=customer, offer_ids=[once.pk], reference="CMD-1", channel=Channel.STORE
    )
    with pytest.raises(OfferUsesExhausted):
        offer_redemptions_record(
            customer=customer, offer_ids=[once.pk], reference="CMD-2", channel=Channel.WEB
        )
    assert list(OfferRedemption.objects.values_list("reference", flat=True)) == ["CMD-1"]


# --- Channels ------------------------------------------------------------------------------


def test_an_offer_restricted_to_the_store_is_not_given_online(tv):
    offer(
        brands=[tv.product.brand],
        value=D("10"),
        channels=[Channel.STORE],
        channel_reason="Fin de série en magasin",
    )
    assert price_for(tv, channel=Channel.STORE).final == D("449.10")
    assert price_for(tv, channel=Channel.WEB).final == D("499.00")
    assert price_for(tv, channel=Channel.APP).final == D("499.00")


def test_an_unknown_channel_is_refused(tv):
    with pytest.raises(ValueError, match="fax"):
        price_for(tv, channel="fax")


# --- Bulk pricing: bounded queries ----------------------------------------------------------


def _catalogue(n: int):
    """``n`` products over two brands and a three-level tree, each with two variants, and
    offers of every kind touching them; a customer every targeting rule applies to."""
    root = CategoryFactory()
    branch = CategoryFactory(parent=root)
    leaves = [CategoryFactory(parent=branch) for _ in range(3)]
    brands = [BrandFactory(), BrandFactory()]
    products = [
        ProductFactory(
            brand=brands[i % 2], category=leaves[i % 3], list_price=D(100 + i) + D("0.99")
        )
        for i in range(n)
    ]
    for p in products:
        VariantFactory(product=p)
        VariantFactory(product=p)
    customer = consenting(CustomerFactory(tier=Customer.Tier.GOLD))
    Preference.objects.create(customer=customer).categories.add(branch)
    for p in products[::3]:
        WishlistItemFactory(customer=customer, variant=p.variants.first())
    offer(brands=[brands[0]], value=D("10"))
    offer(brands=[brands[1]], kind=Offer.Kind.AMOUNT, value=D("5"), stackable=True)
    offer(categories=[root], value=D("3"), stackable=True, target_tiers=["gold"])
    offer(categories=[branch], value=D("15"), audience=Offer.Audience.WISHLIST)
    offer(categories=[leaves[0]], value=D("7"), audience=Offer.Audience.PREFERENCES)
    offer(products=products[:5], value=D("30"), uses_per_customer=2)
    offer(
        products=products[5:10],
        value=D("40"),
        channels=[Channel.WEB],
        channel_reason="Exclusivité web",
    )
    return customer


@pytest.mark.parametrize("count", [5, 50])
def test_a_page_of_products_is_priced_in_seven_queries_whatever_its_size(
    db, django_assert_max_num_queries, count
):
    customer = _catalogue(count)
    variants = list(Variant.objects.select_related("product"))
    assert len(variants) == 2 * count
    with django_assert_max_num_queries(7):
        prices = prices_for(variants, customer=customer)
    assert len(prices) == 2 * count
    assert sum(p.is_discounted for p in prices.values()) == 2 * count
    # Bulk and one-at-a-time agree.
    for v in variants[:6]:
        assert price_for(v, customer=customer) == prices[v.pk]


def test_anonymous_pricing_needs_even_fewer_queries(db, django_assert_max_num_queries):
    _catalogue(50)
    variants = list(Variant.objects.select_related("product"))
    with django_assert_max_num_queries(3):
        prices_for(variants)


def test_products_not_loaded_up_front_cost_one_query_not_one_each(db):
    customer = _catalogue(20)
    variants = list(Variant.objects.all())
    with CaptureQueriesContext(connection) as loaded:
        prices_for(variants, customer=customer)
    assert len(loaded) <= 8


def test_a_price_keeps_its_offers_for_an_order_line(tv):
    sale = offer(brands=[tv.product.brand], name="Semaine Sony", value=D("10"))
    with override("fr"):
        kept = price_for(tv).as_json()
    assert kept["list_price"] == "499.00"
    assert kept["final"] == "449.10"
    assert kept["offers"] == [
        {
            "offer_id": sale.pk,
            "name": "Semaine Sony",
            "kind": "percent",
            "value": "10.00",
            "discount": "49.90",
        }
    ]
    assert kept["explanation"].startswith("Prix catalogue 499,00\xa0€")


def test_two_orders_at_once_cannot_both_take_the_last_use(transactional_db):
    """The customer's row is locked while uses are counted: one order wins, the other is
    told, and only one use is written."""
    product = ProductFactory(list_price=D("100.00"))
    once = offer(products=[product], value=D("25"), uses_per_customer=1)
    customer = CustomerFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def place(reference: str) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                offer_redemptions_record(
                    customer=customer,
                    offer_ids=[once.pk],
                    reference=reference,
                    channel=Channel.STORE,
                )
                time.sleep(0.2)  # the order's other writes, with the lock held
            outcomes.append("recorded")
        except OfferUsesExhausted:
            outcomes.append("exhausted")
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(f"CMD-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["exhausted", "recorded"]
    assert OfferRedemption.objects.count() == 1
