"""Online interest, actionable: the strongest signal first on the customer card (with its
channel, moment and strength, and one tap to its stock or to an order), the strongest on the
floor card, and in-stock suggestions that follow it.

The scenario: Monsieur Martin looked at a TV three times this morning on the website and
saved it; a minute ago he glanced at a pair of jeans."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from customers.models import Interaction
from customers.selectors import customer_interests
from floor.selectors import floor_cards
from tests.clock import TODAY, frozen
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CustomerFactory,
    InteractionFactory,
    ProductFactory,
    StockLevelFactory,
    StoreFactory,
    VariantFactory,
    VisitFactory,
)

pytestmark = frozen  # 15:00 in Paris: "this morning" is 9 o'clock
PARIS = ZoneInfo("Europe/Paris")


def at(hour: int, minute: int = 0, days_ago: int = 0) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), PARIS).replace(
        hour=hour, minute=minute
    )


@pytest.fixture
def world(db):
    tvs = CategoryFactory(name="Téléviseurs OLED", slug="oled-tvs")
    jeans = CategoryFactory(name="Jeans homme", slug="jeans-homme")
    lg, levis = BrandFactory(name="LG"), BrandFactory(name="Levi's")
    tv = VariantFactory(
        product=ProductFactory(
            name="OLED 55C4", brand=lg, category=tvs, list_price=Decimal("1299.00")
        )
    )
    jean = VariantFactory(
        product=ProductFactory(
            name="501 Original", brand=levis, category=jeans, list_price=Decimal("100.00")
        ),
        size="32",
    )
    return {"tvs": tvs, "jeans": jeans, "lg": lg, "levis": levis, "tv": tv, "jean": jean}


@pytest.fixture
def martin(world):
    customer = CustomerFactory(first_name="Jean", last_name="Martin")
    tv, jean = world["tv"], world["jean"]
    for minute in (0, 10, 20):
        InteractionFactory(
            customer=customer, product=tv.product, variant=tv, occurred_at=at(9, minute)
        )
    InteractionFactory(
        customer=customer,
        product=tv.product,
        variant=tv,
        kind=Interaction.Kind.SAVED,
        occurred_at=at(9, 25),
    )
    InteractionFactory(
        customer=customer, product=jean.product, variant=jean, occurred_at=at(14, 59)
    )
    return customer


# --- The strength of a signal ---------------------------------------------------------------


def test_the_saved_tv_beats_the_jeans_glanced_at_last(martin, world):
    tv, jeans = customer_interests(martin.pk)
    assert tv.product == world["tv"].product and jeans.product == world["jean"].product
    assert tv.strength == 3 * 1 * 3 + 6 * 3  # three views and a save, all today
    assert jeans.strength == 3
    assert (tv.level, jeans.level) == ("strong", "light")
    with translation.override("fr"):
        assert tv.summary == "vu 3 fois ce matin sur le site, mis de côté"
        assert jeans.summary == "vu une fois cet après-midi sur le site"
    with translation.override("en"):
        assert tv.summary == "viewed 3 times this morning on the website, saved"


def test_recency_decays_and_old_signals_are_forgotten(db):
    customer = CustomerFactory()
    old_save, fresh_views, forgotten = ProductFactory(), ProductFactory(), ProductFactory()
    InteractionFactory(
        customer=customer,
        product=old_save,
        kind=Interaction.Kind.SAVED,
        occurred_at=timezone.now() - timedelta(days=10),
    )
    for minutes in (5, 6, 7):
        InteractionFactory(
            customer=customer,
            product=fresh_views,
            occurred_at=timezone.now() - timedelta(minutes=minutes),
        )
    InteractionFactory(
        customer=customer,
        product=forgotten,
        kind=Interaction.Kind.WISHLISTED,
        occurred_at=timezone.now() - timedelta(days=15),
    )
    InteractionFactory(  # left in the app's cart two days ago
        customer=customer,
        product=old_save,
        kind=Interaction.Kind.CART_ABANDONED,
        channel="app",
        occurred_at=timezone.now() - timedelta(days=2),
    )

    ranked = customer_interests(customer.pk)
    assert [i.product for i in ranked] == [old_save, fresh_views]
    assert [i.strength for i in ranked] == [6 + 4 * 2, 9]
    with translation.override("fr"):
        assert ranked[0].summary.startswith("mis de côté le 14 novembre sur le site, ")
        assert ranked[0].summary.endswith("laissé dans le panier le 22 novembre sur l’appli")


# --- The customer card ------------------------------------------------------------------------


def test_the_card_opens_on_the_strongest_interest_with_its_links(
    associate_client, store, martin, world
):
    StockLevelFactory(store=store, variant=world["tv"], on_hand=3)
    page = associate_client.get(f"/customers/{martin.pk}/").text
    interests = page[page.index('data-testid="interests"') :]
    interests = interests[: interests.index("</section>")]
    # At the top: right under who they are, before their figures and suggestions.
    assert page.index('data-testid="interests"') < page.index('id="h-summary"')
    assert page.index('data-testid="interests"') < page.index('id="h-actions"')
    first = interests[interests.index('data-testid="interest"') :]
    first = first[: first.index("</li>")]
    tv = world["tv"]
    assert "OLED 55C4" in first and "501 Original" not in first
    assert "Vu 3 fois ce matin sur le site, mis de côté" in first
    assert "Intérêt fort" in first
    assert "En stock ici (3)" in first
    assert f'href="/products/{tv.product_id}/?variant={tv.pk}"' in first
    assert f'href="/stock/variants/{tv.pk}/"' in first
    assert f'href="/orders/new/?customer={martin.pk}&amp;variant={tv.pk}"' in first
    assert interests.index("OLED 55C4") < interests.index("501 Original")


def test_the_card_says_so_in_english(associate_client, martin):
    associate_client.cookies["django_language"] = "en"
    page = associate_client.get(f"/customers/{martin.pk}/").text
    assert "Viewed 3 times this morning on the website, saved" in page
    assert "Strong interest" in page


def test_similar_in_stock_here_follow_the_strongest_interest_then_the_price(
    associate_client, store, martin, world
):
    def in_stock(name, category, brand, price, where=store):
        variant = VariantFactory(
            product=ProductFactory(
                name=name, category=category, brand=brand, list_price=Decimal(price)
            )
        )
        StockLevelFactory(store=where, variant=variant, on_hand=2)
        return variant

    # Two Levi's jeans of the brand he glanced at, and TVs of the category he saved from.
    in_stock("511 Slim", world["jeans"], world["levis"], "99.00")
    in_stock("502 Taper", world["jeans"], world["levis"], "109.00")
    in_stock("OLED 48C4", world["tvs"], BrandFactory(name="Sony"), "1190.00")
    in_stock("OLED 83C4", world["tvs"], world["lg"], "3990.00")
    in_stock("OLED 65C4 Lyon", world["tvs"], world["lg"], "1290.00", where=StoreFactory())
    StockLevelFactory(store=store, variant=world["tv"], on_hand=1)  # what he saw: not again

    page = associate_client.get(f"/customers/{martin.pk}/suggestions/").text
    similar = page[page.index('data-testid="similar"') :]
    similar = similar[: similar.index("</ul>")]
    names = ["OLED 48C4", "OLED 83C4", "511 Slim", "502 Taper"]
    assert [similar.index(n) for n in names] == sorted(similar.index(n) for n in names)
    assert "OLED 65C4 Lyon" not in similar  # not in stock here
    assert "OLED 55C4" not in similar


def test_a_sister_category_comes_after_the_same_category(associate_client, store, db):
    tvs = CategoryFactory(name="Téléviseurs")
    oled = CategoryFactory(name="OLED", parent=tvs)
    led = CategoryFactory(name="LED", parent=tvs)
    fridges = CategoryFactory(name="Réfrigérateurs")
    customer = CustomerFactory()
    seen = ProductFactory(category=oled, list_price=Decimal("1000.00"))
    InteractionFactory(customer=customer, product=seen, kind=Interaction.Kind.SAVED)
    for name, category in (("LED 55", led), ("OLED 65", oled), ("Frigo 300 L", fridges)):
        variant = VariantFactory(
            product=ProductFactory(name=name, category=category, list_price=Decimal("1000.00"))
        )
        StockLevelFactory(store=store, variant=variant)

    page = associate_client.get(f"/customers/{customer.pk}/suggestions/").text
    similar = page[page.index('data-testid="similar"') :]
    similar = similar[: similar.index("</ul>")]
    assert similar.index("OLED 65") < similar.index("LED 55")
    assert "Frigo" not in similar


def test_the_card_costs_the_same_queries_for_1_or_300_products_looked_at(
    associate_client, store, world
):
    few, many = CustomerFactory(), CustomerFactory()
    InteractionFactory(customer=few, product=world["tv"].product)
    products = [ProductFactory(category=world["tvs"]) for _ in range(300)]
    Interaction.objects.bulk_create(
        Interaction(
            customer=many,
            product=product,
            kind=kind,
            channel=channel,
            occurred_at=timezone.now() - timedelta(hours=i),
        )
        for i, product in enumerate(products)
        for kind, channel in (("viewed", "web"), ("saved", "app"), ("cart_abandoned", "web"))
    )
    for product in products[:20]:
        StockLevelFactory(store=store, variant=VariantFactory(product=product))
        StockLevelFactory(
            store=store, variant=VariantFactory(product=ProductFactory(category=world["tvs"]))
        )

    with CaptureQueriesContext(connection) as one:
        associate_client.get(f"/customers/{few.pk}/")
    with CaptureQueriesContext(connection) as lots:
        response = associate_client.get(f"/customers/{many.pk}/")
    assert response.text.count('data-testid="interest"') == 8
    assert len(lots) == len(one), [q["sql"][:80] for q in lots.captured_queries]


# --- The floor card ---------------------------------------------------------------------------


def test_the_floor_card_names_the_strongest_signal_not_the_latest(associate_client, store, martin):
    VisitFactory(store=store, customer=martin)
    page = associate_client.get(f"/stores/{store.code}/floor/").text
    hint = page[page.index('data-testid="floor-interest"') :]
    hint = hint[: hint.index("</li>")]
    assert "Le plus convoité en ligne : OLED 55C4 (mis de côté)" in hint
    assert "501 Original" not in page


def test_the_floor_list_reads_the_strongest_signals_in_one_query(store, martin):
    VisitFactory(store=store, customer=martin)
    for _ in range(5):
        customer = CustomerFactory()
        InteractionFactory(customer=customer, kind=Interaction.Kind.CART_ABANDONED)
        VisitFactory(store=store, customer=customer)
    with CaptureQueriesContext(connection) as queries:
        cards = floor_cards(store.pk)
    assert len(queries) == 1
    assert {c.interest_product for c in cards} >= {"OLED 55C4"}
    with translation.override("en"):
        kinds = {str(c.interest_kind) for c in cards if c.customer != martin}
    assert kinds == {"left in cart"}
