"""The live offers each process keeps in memory: the card costs the same queries however
many offers and however long the history, and an offer changed anywhere (the admin, a
service, another process) shows on the very next card."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Consent, Customer, Preference, PurchaseLine
from offers import pricing
from offers.models import Offer
from offers.selectors import FIRST_PRODUCTS, offers_for_customer
from offers.services import offers_set_active
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    OfferFactory,
    ProductFactory,
    PurchaseFactory,
    PurchaseLineFactory,
    VariantFactory,
    WishlistItemFactory,
)

D = Decimal
ROOT = Path(__file__).resolve().parents[1]


def card(client, customer) -> str:
    """The card as a browser shows it: the page, then its suggestions and offers."""
    page = client.get(f"/customers/{customer.pk}/")
    later = client.get(f"/customers/{customer.pk}/suggestions/", headers={"HX-Request": "true"})
    assert page.status_code == later.status_code == 200
    return page.text + later.text


def brand_offer(brand, **fields) -> Offer:
    made = OfferFactory(**fields)
    made.brands.add(brand)
    return made


def a_brand_with_products(name: str, count: int = 4):
    brand = BrandFactory(name=name, slug=name.lower())
    category = CategoryFactory()
    for i in range(count):
        VariantFactory(
            product=ProductFactory(
                name=f"{name} {i}", brand=brand, category=category, list_price=D("100")
            )
        )
    return brand


@pytest.fixture
def client_of_offers(db):
    customer = CustomerFactory(first_name="Inès", last_name="Garnier", tier=Customer.Tier.GOLD)
    ConsentFactory(customer=customer, purpose=Consent.Purpose.PERSONALISED_OFFERS, granted=True)
    return customer


def test_the_card_costs_the_same_queries_with_1_or_12_offers_and_a_long_history(
    associate_client, store, client_of_offers, django_assert_max_num_queries
):
    customer = client_of_offers
    first = a_brand_with_products("Sony")
    brand_offer(first, name="Sony préférée", audience="preferences")
    preference = Preference.objects.create(customer=customer)
    preference.brands.add(first)
    InteractionFactory(customer=customer, product=first.products.first())
    WishlistItemFactory(customer=customer)
    purchase = PurchaseFactory(customer=customer)
    PurchaseLineFactory(purchase=purchase)
    card(associate_client, customer)  # the live offers read once by this process
    with CaptureQueriesContext(connection) as one_offer:
        card(associate_client, customer)

    brands = [a_brand_with_products(f"Marque{i}") for i in range(11)]
    for i, brand in enumerate(brands):  # each needs examples from the database
        brand_offer(brand, name=f"Offre {i}", audience="everyone" if i % 2 else "preferences")
        InteractionFactory(customer=customer, product=brand.products.last())
    preference.brands.add(*brands[:6])
    PurchaseLine.objects.bulk_create(
        PurchaseLine(
            purchase=purchase,
            variant=VariantFactory(),
            product_name="Câble",
            quantity=1,
            unit_price=D("1"),
            line_total=D("1"),
        )
        for _ in range(300)
    )
    with django_assert_max_num_queries(len(one_offer) + 3):  # the offers changed: read again
        page = card(associate_client, customer)
    assert page.count('data-testid="card-offer"') == 5
    with django_assert_max_num_queries(len(one_offer)):
        page = card(associate_client, customer)
    assert page.count('data-testid="card-offer"') == 5
    assert page.count('data-testid="offer-example"') == 15


def as_another_process_left_it(kept) -> None:
    """This process keeps the live offers it read before a change made elsewhere."""
    pricing._live = kept


def test_an_offer_changed_elsewhere_shows_on_the_next_card(
    associate_client, store, client_of_offers
):
    customer = client_of_offers
    sony = a_brand_with_products("Sony")
    sale = brand_offer(sony, name="Sony -10 %", value=D("10"))
    assert "Sony -10 %" in card(associate_client, customer)
    kept = pricing._live
    assert kept is not None and sale.pk in kept.offers

    sale.name, sale.value = "Sony -20 %", D("20")
    sale.save()  # as the admin saves it, in another process
    as_another_process_left_it(kept)
    page = card(associate_client, customer)
    assert "Sony -20 %" in page and "Sony -10 %" not in page
    assert "80,00" in page  # its examples priced with the new value

    kept = pricing._live
    canon = a_brand_with_products("Canon")
    sale.brands.set([canon])  # what it covers: its many-to-many rows only
    as_another_process_left_it(kept)
    page = card(associate_client, customer)
    assert "Canon 0" in page and "Sony 0" not in page

    kept = pricing._live
    offers_set_active(offer_ids=[sale.pk], active=False, by=None)  # an update, no signal
    as_another_process_left_it(kept)
    assert "Sony -20 %" not in card(associate_client, customer)


SWITCH_OFF = """
import django; django.setup()
from offers.services import offers_set_active
offers_set_active(offer_ids=[{pk}], active=False, by=None)
"""


@pytest.mark.django_db(transaction=True)
def test_an_offer_switched_off_by_another_process_leaves_the_next_card(client, associate):
    client.force_login(associate)
    customer = CustomerFactory()
    sale = brand_offer(a_brand_with_products("Sony"), name="Sony -10 %")
    assert "Sony -10 %" in card(client, customer)
    assert "Sony -10 %" in card(client, customer)  # from this process's memory now

    database = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "clienteling.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
    }
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", SWITCH_OFF.format(pk=sale.pk)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    assert "Sony -10 %" not in card(client, customer)


def test_examples_follow_the_preferences_beyond_the_first_products_by_name(client_of_offers):
    customer = client_of_offers
    category = CategoryFactory()
    others, liked = BrandFactory(name="Autre", slug="autre"), BrandFactory(name="Aimée", slug="a")
    for i in range(FIRST_PRODUCTS + 5):  # "A…" first by name: none of them preferred
        VariantFactory(product=ProductFactory(name=f"A {i:03}", brand=others, category=category))
    for name in ("Z 2", "Z 1", "Z 3", "Z 4"):
        VariantFactory(product=ProductFactory(name=name, brand=liked, category=category))
    Preference.objects.create(customer=customer).brands.add(liked)
    for audience in ("everyone", "preferences"):
        OfferFactory(scope="category", name=audience, audience=audience).categories.add(category)

    for _ in ("read", "kept"):  # the offers' first products read, then kept in memory
        items = offers_for_customer(customer=customer)
        assert {i.offer.name: [e.product.name for e in i.examples] for i in items} == {
            "everyone": ["Z 1", "Z 2", "Z 3"],
            "preferences": ["Z 1", "Z 2", "Z 3"],
        }


def test_an_example_kept_in_memory_is_checked_against_the_catalogue(client_of_offers):
    customer = client_of_offers
    sony = a_brand_with_products("Sony")
    brand_offer(sony, name="Sony -10 %")
    [item] = offers_for_customer(customer=customer)
    assert [e.product.name for e in item.examples] == ["Sony 0", "Sony 1", "Sony 2"]
    sony.products.filter(name="Sony 1").update(is_active=False)  # not an offer change
    [item] = offers_for_customer(customer=customer)
    assert "Sony 1" not in [e.product.name for e in item.examples]
