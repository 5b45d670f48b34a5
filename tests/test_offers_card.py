"""The card's "offers for this client": which offers, which examples, and "mentioned"."""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import Consent, Customer, Preference
from dashboard.figures import compute_associate_figures, compute_store_figures
from offers.models import Offer, OfferMention
from offers.pricing import prices_for
from offers.selectors import offers_for_customer
from offers.services import offer_mention_record
from tests.clock import frozen
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    OfferFactory,
    ProductFactory,
    VariantFactory,
    WishlistItemFactory,
)

D = Decimal


def offer(target, **fields) -> Offer:
    made = OfferFactory(**fields)
    getattr(made, made.scope_field).add(target)
    return made


@pytest.fixture
def shop(db):
    """Two brands of TVs and a camera brand; a gold client who wants one Sony TV."""
    tvs = CategoryFactory(name="Téléviseurs", slug="televiseurs")
    cameras = CategoryFactory(name="Photo", slug="photo")
    sony, lg, canon = (BrandFactory(name=n, slug=n.lower()) for n in ("Sony", "LG", "Canon"))
    shop = {
        "tvs": tvs,
        "cameras": cameras,
        "sony": sony,
        "lg": lg,
        "canon": canon,
        "bravia": VariantFactory(
            product=ProductFactory(
                name="Sony Bravia 55", brand=sony, category=tvs, list_price=D("999.00")
            )
        ),
        "oled": VariantFactory(
            product=ProductFactory(
                name="LG OLED 65", brand=lg, category=tvs, list_price=D("1999.00")
            )
        ),
        "eos": VariantFactory(
            product=ProductFactory(
                name="Canon EOS R8", brand=canon, category=cameras, list_price=D("1499.00")
            )
        ),
    }
    client = CustomerFactory(first_name="Inès", last_name="Garnier", tier=Customer.Tier.GOLD)
    ConsentFactory(customer=client, purpose=Consent.Purpose.PERSONALISED_OFFERS, granted=True)
    WishlistItemFactory(customer=client, variant=shop["bravia"])
    Preference.objects.create(customer=client).brands.add(canon)
    shop["client"] = client
    return shop


def names(items):
    return [item.offer.name for item in items]


def test_offers_touching_the_wishlist_come_first_then_those_made_for_the_client(shop):
    offer(shop["tvs"], name="Télés -5 %", scope="category", value=D("5"))
    offer(shop["sony"], name="Sony liste d'envies", audience="wishlist", value=D("15"))
    offer(shop["canon"], name="Canon préférée", audience="preferences", value=D("8"))
    offer(shop["lg"], name="LG Platinum", target_tiers=["platinum"], value=D("20"))
    offer(shop["lg"], name="LG liste d'envies", audience="wishlist", value=D("20"))
    offer(shop["canon"], name="Canon pour l'or", target_tiers=["gold"], value=D("3"))
    items = offers_for_customer(customer=shop["client"])
    # Wishlist first (Sony wish, and the TV offer covering the wished TV), then personal.
    assert names(items)[:2] in (
        ["Sony liste d'envies", "Télés -5 %"],
        ["Télés -5 %", "Sony liste d'envies"],
    )
    assert set(names(items)[2:]) == {"Canon préférée", "Canon pour l'or"}
    reasons = {item.offer.name: item.reasons for item in items}
    assert reasons["Sony liste d'envies"] == ["sur sa liste d'envies"]
    assert reasons["Canon préférée"] == ["correspond à ses préférences"]
    assert reasons["Canon pour l'or"] == ["membres Or"]


def test_each_offer_shows_the_wished_product_first_priced_for_the_client(shop):
    tv_offer = offer(shop["tvs"], name="Télés -5 %", scope="category", value=D("5"))
    InteractionFactory(customer=shop["client"], product=shop["oled"].product)
    [item] = offers_for_customer(customer=shop["client"])
    assert item.offer == tv_offer
    assert [(e.variant, e.on_wishlist) for e in item.examples] == [
        (shop["bravia"], True),
        (shop["oled"], False),
    ]
    expected = prices_for([shop["bravia"], shop["oled"]], customer=shop["client"])
    assert [e.price for e in item.examples] == [
        expected[shop["bravia"].pk],
        expected[shop["oled"].pk],
    ]
    assert item.examples[0].price.final == D("949.05")


def test_without_consent_only_non_personalised_offers_show(shop):
    offer(shop["sony"], name="Sony liste d'envies", audience="wishlist", value=D("15"))
    offer(shop["canon"], name="Canon préférée", audience="preferences", value=D("8"))
    offer(shop["canon"], name="Canon pour tous", value=D("4"))
    ConsentFactory(
        customer=shop["client"],
        purpose=Consent.Purpose.PERSONALISED_OFFERS,
        granted=False,
        recorded_at=timezone.now(),
    )
    assert names(offers_for_customer(customer=shop["client"])) == ["Canon pour tous"]


def test_ended_switched_off_used_up_and_web_only_offers_are_not_on_the_card(shop):
    now = timezone.now()
    offer(shop["sony"], name="Finie", starts_at=now - timedelta(days=9), ends_at=now)
    offer(shop["sony"], name="Éteinte", is_active=False)
    offer(shop["sony"], name="Web", channels=["web"], channel_reason="Exclusivité web")
    offer(shop["sony"], name="Déjà utilisée", uses_per_customer=1).redemptions.create(
        customer=shop["client"], reference="CMD-9", channel="store", redeemed_at=now
    )
    assert offers_for_customer(customer=shop["client"]) == []


def test_a_preference_offer_that_reaches_none_of_their_preferences_is_left_out(shop):
    offer(shop["lg"], name="LG préférée", audience="preferences", value=D("8"))
    assert offers_for_customer(customer=shop["client"]) == []


def test_the_card_offers_cost_a_bounded_number_of_queries(shop, django_assert_max_num_queries):
    def grow(n):
        for i in range(n):
            brand = BrandFactory()
            product = ProductFactory(brand=brand, category=shop["tvs"], list_price=D("100"))
            variant = VariantFactory(product=product)
            WishlistItemFactory(customer=shop["client"], variant=variant)
            InteractionFactory(customer=shop["client"], product=product)
            offer(brand, name=f"Marque {i}", audience="wishlist")
            offer(brand, name=f"Pour tous {i}")
            offer(shop["canon"], name=f"Canon {i}", audience="preferences", stackable=True)

    grow(3)
    with django_assert_max_num_queries(17):
        small = offers_for_customer(customer=shop["client"], limit=5)
    grow(30)
    with django_assert_max_num_queries(17):
        large = offers_for_customer(customer=shop["client"], limit=5)
    assert len(small) == len(large) == 5
    assert all(item.examples for item in large)


def test_a_mention_is_recorded_once_per_offer_client_and_day(shop, associate, store):
    sale = offer(shop["sony"], name="Sony")
    first, created = offer_mention_record(
        offer=sale, customer=shop["client"], by=associate, store=store
    )
    again, created_again = offer_mention_record(
        offer=sale, customer=shop["client"], by=associate, store=store
    )
    assert (created, created_again, first) == (True, False, again)
    tomorrow = timezone.now() + timedelta(days=1)
    offer_mention_record(
        offer=sale, customer=shop["client"], by=associate, store=store, at=tomorrow
    )
    assert OfferMention.objects.count() == 2


# --- The partial and the mention view ---------------------------------------------------


def test_the_card_shows_the_offers_with_prices_and_a_mention_button(associate_client, shop):
    offer(shop["sony"], name="Semaine Sony", value=D("10"))
    card = associate_client.get(reverse("floor:card", kwargs={"customer_id": shop["client"].pk}))
    suggestions = reverse("floor:card_suggestions", kwargs={"customer_id": shop["client"].pk})
    assert f'hx-get="{suggestions}" hx-trigger="load"' in card.text  # after the first paint
    response = associate_client.get(suggestions, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = unescape(response.text)
    assert "Offres pour ce client" in html
    assert "Semaine Sony" in html
    assert "−10 %" in html
    assert "999,00\xa0€" in html
    assert "899,10\xa0€" in html
    assert "Mentionnée au client" in html


def test_mentioning_by_htmx_records_it_and_swaps_the_button(associate_client, shop, store):
    sale = offer(shop["sony"], name="Semaine Sony", value=D("10"))
    url = reverse("offers:mention", kwargs={"customer_id": shop["client"].pk, "offer_id": sale.pk})
    response = associate_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Mentionnée ✓" in response.text
    assert "<section" not in response.text  # only the offer's fragment
    mention = OfferMention.objects.get()
    assert (mention.offer, mention.customer, mention.store) == (sale, shop["client"], store)
    assert mention.mentioned_by.email.endswith("@clienteling.test")
    # Tapping twice changes nothing.
    associate_client.post(url, headers={"HX-Request": "true"})
    assert OfferMention.objects.count() == 1
    page = associate_client.get(
        reverse("floor:card_suggestions", kwargs={"customer_id": shop["client"].pk})
    )
    assert "Mentionnée ✓" in page.text


def test_mentioning_without_javascript_redirects_back(associate_client, shop):
    sale = offer(shop["sony"], name="Semaine Sony")
    page = reverse("floor:card", kwargs={"customer_id": shop["client"].pk})
    url = reverse("offers:mention", kwargs={"customer_id": shop["client"].pk, "offer_id": sale.pk})
    response = associate_client.post(url, {"next": page})
    assert response.status_code == 302
    assert response.url == page
    response = associate_client.post(url, {"next": "https://evil.example/"})
    assert response.url == page


def test_mentioning_an_offer_that_no_longer_applies_says_so(associate_client, shop):
    sale = offer(shop["sony"], name="Semaine Sony", is_active=False)
    url = reverse("offers:mention", kwargs={"customer_id": shop["client"].pk, "offer_id": sale.pk})
    response = associate_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "ne s'applique plus" in unescape(response.text)
    assert associate_client.post(url).status_code == 404
    assert not OfferMention.objects.exists()


def test_mention_needs_a_signed_in_staff_member_and_a_post(associate_client, shop):
    sale = offer(shop["sony"], name="Semaine Sony")
    url = reverse("offers:mention", kwargs={"customer_id": shop["client"].pk, "offer_id": sale.pk})
    assert Client().post(url).status_code == 302  # to sign-in
    assert associate_client.get(url).status_code == 405
    missing = reverse("offers:mention", kwargs={"customer_id": 999999, "offer_id": sale.pk})
    assert associate_client.post(missing).status_code == 404
    assert not OfferMention.objects.exists()


@frozen  # the mentions and the figures must fall on the same day
def test_mentions_count_in_the_store_and_associate_figures(shop, associate, manager, store):
    sony, canon = offer(shop["sony"], name="Sony"), offer(shop["canon"], name="Canon")
    for what in (sony, canon, sony):  # the second Sony tap the same day is the same mention
        offer_mention_record(offer=what, customer=shop["client"], by=associate, store=store)
    offer_mention_record(offer=sony, customer=CustomerFactory(), by=manager, store=store)
    today = timezone.localdate()
    assert compute_store_figures([store.pk], today, today)[store.pk, today].offers_mentioned == 3
    per_associate = compute_associate_figures([store.pk], today, today)
    assert per_associate[store.pk, associate.pk, today].offers_mentioned == 2
    assert per_associate[store.pk, manager.pk, today].offers_mentioned == 1


def test_the_whole_card_loads_the_live_offers_once(associate_client, shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    offer(shop["sony"], name="Sony pour tous")
    offer(shop["canon"], name="Canon préférée", audience="preferences")
    with CaptureQueriesContext(connection) as queries:
        response = associate_client.get(f"/customers/{shop['client'].pk}/")
    assert response.status_code == 200
    live_offer_reads = [q for q in queries.captured_queries if "offers_offer_brands" in q["sql"]]
    assert len(live_offer_reads) == 1
    # the card (client book, complements of what they looked at) and two offers
    assert len(queries.captured_queries) <= 42
