"""The full customer card: what it shows, the access log, notes, the serving chip, and
a query count that does not grow with the client's history."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import (
    CardView,
    Consent,
    Interaction,
    Note,
    Preference,
    Purchase,
    PurchaseLine,
    SizePreference,
)
from customers.session import SESSION_CLIENT_KEY
from offers.models import OfferRedemption
from offers.selectors import offers_for_customer
from orders.models import Order
from tests.clock import frozen
from tests.factories import (
    CategoryFactory,
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    OfferFactory,
    ProductFactory,
    PurchaseFactory,
    PurchaseLineFactory,
    StockLevelFactory,
    StoreFactory,
    VariantFactory,
    VisitFactory,
    WarehouseFactory,
    WishlistItemFactory,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def camille(db):
    return CustomerFactory(
        first_name="Camille", last_name="Martin", tier="platinum", loyalty_number="FID42"
    )


def card_url(customer):
    return f"/customers/{customer.pk}/"


def suggestions_url(customer):
    """What to show them and the offers: loaded by the card after its first paint."""
    return f"/customers/{customer.pk}/suggestions/"


def test_the_card_shows_who_they_are_and_logs_the_view(associate_client, associate, store, camille):
    PurchaseFactory(customer=camille, total=Decimal("1200.00"), channel="web")
    PurchaseFactory(customer=camille, total=Decimal("300.50"), channel="store", store=store)
    VisitFactory(
        store=store,
        customer=camille,
        arrived_at=timezone.now() - timedelta(days=20),
        departed_at=timezone.now() - timedelta(days=20),
    )
    ConsentFactory(customer=camille)

    page = associate_client.get(card_url(camille)).text

    assert "Camille Martin" in page
    assert "Platine" in page
    assert "1\u202f500,50\xa0€" in page  # lifetime spend, French formatting
    assert "Reconnaissance en magasin" in page and "accordé le" in page
    assert "Jamais demandé" in page or "jamais demandé" in page
    log = CardView.objects.get()
    assert (log.viewer, log.customer, log.store) == (associate, camille, store)


def test_the_card_writes_amounts_and_days_the_way_each_language_does(associate_client, camille):
    bought = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    PurchaseFactory(customer=camille, total=Decimal("1519.99"), channel="web", purchased_at=bought)

    page = associate_client.get(card_url(camille)).text
    assert "1\u202f519,99\xa0€" in page and "24 nov. 2026" in page
    assert "1519,99" not in page

    associate_client.cookies["django_language"] = "en"
    page = associate_client.get(card_url(camille)).text
    assert "€1,519.99" in page and "24 Nov 2026" in page


def test_serving_a_client_shows_the_chip_and_the_chip_can_clear_it(
    associate_client, store, camille
):
    associate_client.get(card_url(camille))
    assert SESSION_CLIENT_KEY not in associate_client.session  # a look is not serving
    visit = VisitFactory(store=store, customer=camille)
    associate_client.post(f"/stores/{store.code}/floor/visits/{visit.pk}/claim/")
    assert associate_client.session[SESSION_CLIENT_KEY] == camille.pk
    floor = associate_client.get(f"/stores/{store.code}/floor/").text
    assert "Au service de : Camille Martin" in floor

    response = associate_client.post(
        "/customers/serving/clear/", {"next": f"/stores/{store.code}/floor/"}
    )
    assert response.url == f"/stores/{store.code}/floor/"
    assert "Au service de" not in associate_client.get(response.url).text


def test_wishlist_items_say_where_they_can_be_had(associate_client, store, other_store, camille):
    warehouse = WarehouseFactory()
    here = WishlistItemFactory(customer=camille, variant=VariantFactory(product__name="TV Ici"))
    there = WishlistItemFactory(customer=camille, variant=VariantFactory(product__name="TV Lyon"))
    stocked = WishlistItemFactory(
        customer=camille, variant=VariantFactory(product__name="TV Depot")
    )
    nowhere = WishlistItemFactory(customer=camille, variant=VariantFactory(product__name="TV Rien"))
    StockLevelFactory(store=store, variant=here.variant, on_hand=3, reserved=1)
    StockLevelFactory(store=other_store, variant=there.variant, on_hand=2)
    StockLevelFactory(store=store, variant=there.variant, on_hand=1, reserved=1)  # all reserved
    StockLevelFactory(store=warehouse, variant=stocked.variant, on_hand=40)
    StockLevelFactory(store=store, variant=nowhere.variant, on_hand=0)

    page = associate_client.get(card_url(camille)).text
    wishlist = page[page.index('data-testid="wishlist"') :]
    items = {
        name: wishlist[wishlist.index(name) : wishlist.index("</li>", wishlist.index(name))]
        for name in ("TV Ici", "TV Lyon", "TV Depot", "TV Rien")
    }
    assert "En stock ici (2)" in items["TV Ici"]
    assert "À Lyon Part-Dieu, à 395 km" in items["TV Lyon"]
    assert "En stock ici" not in items["TV Lyon"]
    assert "Commandable depuis l’entrepôt" in items["TV Depot"]
    assert "Épuisé partout" in items["TV Rien"]
    # Suggested: show them what they wished for and is here.
    page = associate_client.get(suggestions_url(camille), headers=HTMX).text
    actions = page[page.index('data-testid="next-actions"') :]
    assert "TV Ici" in actions[: actions.index("</section>")]


@frozen  # "today" and "yesterday" are read when the page renders
def test_recent_online_interest_is_grouped_by_product(associate_client, camille):
    tv = ProductFactory(name="OLED 55C4")
    now = timezone.now()
    for _ in range(3):
        InteractionFactory(customer=camille, product=tv, occurred_at=now)
    InteractionFactory(
        customer=camille,
        product=tv,
        kind=Interaction.Kind.CART_ABANDONED,
        occurred_at=now - timedelta(days=1),
    )
    InteractionFactory(
        customer=camille, product=ProductFactory(name="Old"), occurred_at=now - timedelta(days=15)
    )

    page = associate_client.get(card_url(camille)).text
    interests = page[page.index('data-testid="interests"') :]
    interests = interests[: interests.index("</section>")]
    assert interests.count("OLED 55C4") == 1
    assert "Laissé dans le panier hier sur le site, vu 3 fois cet après-midi" in interests
    assert "Old" not in interests


def test_similar_products_in_stock_here_are_suggested(associate_client, store, camille):
    tv = ProductFactory(name="OLED 55C4")
    InteractionFactory(customer=camille, product=tv)
    close = VariantFactory(
        product=ProductFactory(name="OLED 65C4", category=tv.category, brand=tv.brand)
    )
    StockLevelFactory(store=store, variant=close)
    away = VariantFactory(product=ProductFactory(name="OLED 77C4", category=tv.category))
    StockLevelFactory(store=StoreFactory(code="far"), variant=away)

    page = associate_client.get(suggestions_url(camille), headers=HTMX).text
    similar = page[page.index('data-testid="similar"') :]
    similar = similar[: similar.index("</ul>")]
    assert "OLED 65C4" in similar and "499,00\xa0€" in similar
    assert "OLED 77C4" not in similar


def test_history_is_paginated_newest_first_with_totals_per_channel(associate_client, camille):
    now = timezone.now()
    for day in range(12):
        PurchaseFactory(
            customer=camille,
            reference=f"H-{day:02d}",
            purchased_at=now - timedelta(days=day),
            total=Decimal("10.00"),
            channel="web",
        )
    PurchaseFactory(customer=camille, purchased_at=now - timedelta(days=400), channel="app")

    page = associate_client.get(card_url(camille)).text
    assert page.index("H-00") < page.index("H-09")
    assert "H-10" not in page
    assert "12 achats" in page and "120,00\xa0€" in page  # web, last 12 months
    older = associate_client.get(card_url(camille), {"page": 2}, headers=HTMX)
    assert "H-10" in older.text and "H-00" not in older.text
    assert "<html" not in older.text
    assert CardView.objects.count() == 2  # every read of their history is logged


def test_notes_are_added_with_htmx_and_an_empty_one_is_refused(
    associate_client, associate, store, camille
):
    response = associate_client.post(
        f"/customers/{camille.pk}/notes/", {"text": "Cherche une TV 65 pouces."}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Cherche une TV 65 pouces." in response.text
    note = Note.objects.get()
    assert (note.author, note.store) == (associate, store)

    refused = associate_client.post(f"/customers/{camille.pk}/notes/", {"text": "  "}, headers=HTMX)
    assert refused.status_code == 422
    assert "Écrivez d’abord la note." in refused.text
    assert Note.objects.count() == 1


def test_offers_and_open_orders_have_their_places(associate_client, camille):
    page = associate_client.get(card_url(camille)).text
    assert "Commandes en cours" in page and "Aucune commande en cours" in page
    assert f'hx-get="{suggestions_url(camille)}" hx-trigger="load"' in page
    page = associate_client.get(suggestions_url(camille), headers=HTMX).text
    assert "Offres pour ce client" in page and "Aucune offre pour ce client" in page

    tv = VariantFactory(product__name="TV OLED 55", product__list_price=Decimal("999.00"))
    WishlistItemFactory(customer=camille, variant=tv)
    offer = OfferFactory(name="-10 % sur les TV", scope="brand", target_tiers=["platinum"])
    offer.brands.add(tv.product.brand)
    page = associate_client.get(suggestions_url(camille), headers=HTMX).text
    assert "-10 % sur les TV" in page
    assert "membres Platine" in page
    assert "899,10\xa0€" in page  # the wished TV, priced for her
    assert "Mentionnée au client" in page
    html = render_to_string(
        "floor/card.html#offers", {"offers": offers_for_customer(customer=camille)}
    )
    assert "-10 % sur les TV" in html


def test_head_office_can_open_a_card_without_a_store(client, head_office, camille):
    client.force_login(head_office)
    assert client.get(card_url(camille)).status_code == 200
    assert CardView.objects.get().store is None


def test_anonymous_visitors_are_sent_to_sign_in(client, camille):
    response = client.get(card_url(camille))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def _history(customer, store, lines):
    """``lines`` purchase lines across ``lines`` purchases, with notes, interests, visits."""
    purchases = Purchase.objects.bulk_create(
        Purchase(
            customer=customer,
            reference=f"H-{customer.pk}-{i}",
            channel="store" if i % 2 else "web",
            store=store if i % 2 else None,
            purchased_at=timezone.now() - timedelta(hours=i),
            total=Decimal("10.00"),
        )
        for i in range(lines)
    )
    variant = VariantFactory()
    PurchaseLine.objects.bulk_create(
        PurchaseLine(
            purchase=p,
            variant=variant,
            product_name="TV",
            quantity=1,
            unit_price=Decimal("10.00"),
            line_total=Decimal("10.00"),
        )
        for p in purchases
    )
    Interaction.objects.bulk_create(
        Interaction(
            customer=customer,
            product=variant.product,
            kind="viewed",
            channel="web",
            occurred_at=timezone.now() - timedelta(minutes=i),
        )
        for i in range(lines)
    )
    Note.objects.bulk_create(Note(customer=customer, text=f"note {i}") for i in range(lines))
    for _ in range(min(lines, 5)):
        WishlistItemFactory(customer=customer)
        ConsentFactory(customer=customer, purpose=Consent.Purpose.MARKETING_EMAIL)


def _targeted(customer):
    """Live offers that depend on everything the offers' targeting reads of a client:
    their consent, wishlist, preferences and uses; the client consents and has them all."""
    item = customer.wishlist.select_related("variant__product").first()
    brand = item.variant.product.brand
    used = OfferFactory(name="Une fois", audience="wishlist", uses_per_customer=1)
    used.brands.add(brand)
    OfferFactory(name="Préférée", audience="preferences").brands.add(brand)
    ConsentFactory(customer=customer, purpose=Consent.Purpose.PERSONALISED_OFFERS)
    Preference.objects.create(customer=customer).brands.add(brand)
    OfferRedemption.objects.create(
        offer=used,
        customer=customer,
        reference="R1",
        channel="store",
        redeemed_at=timezone.now(),
    )


def _sized_and_ordering(customer, store, by):
    """A size on record and an order under way."""
    SizePreference.objects.create(customer=customer, category=CategoryFactory(), size="M")
    Order.objects.create(
        reference=f"CMD-{customer.pk}",
        idempotency_key=f"card-{customer.pk}",
        customer=customer,
        store=store,
        created_by=by,
        mode=Order.Mode.PICKUP,
        pickup_store=store,
        subtotal=0,
        discount=0,
        total=0,
    )


def test_the_card_costs_the_same_queries_for_1_or_1000_history_lines(
    associate_client, associate, store, other_store, django_assert_max_num_queries
):
    small, large = CustomerFactory(), CustomerFactory()
    _history(small, store, 1)
    _history(large, store, 1000)
    PurchaseLineFactory.create_batch(3, purchase=Purchase.objects.filter(customer=large).first())
    for customer in (small, large):
        VisitFactory(store=store, customer=customer)
        _targeted(customer)
        _sized_and_ordering(customer, store, associate)
    associate_client.get(card_url(large))  # the live offers, now in this process's memory

    with CaptureQueriesContext(connection) as one:
        associate_client.get(card_url(small))
    # Sign-in (session, user with profile, store), the client (with their visit figures,
    # their visit here, the consent to offers, the offers' version and whether they have
    # sizes, notes and open orders) and their preferences (brands, categories), the
    # access-log row with its bulk-read count (one statement), the wishlist, the offers'
    # uses, online interests (and their products) and availability, the purchase summary,
    # sizes, the visit here, a page of history and its lines, notes, consents, open orders
    # (sizes, visit, notes and orders only when there are some), the client book (one
    # query, and what is planned or was done when there is some), the session (the card
    # opened: three statements).
    with django_assert_max_num_queries(24) as thousand:
        response = associate_client.get(card_url(large))

    assert response.status_code == 200
    assert len(thousand) == len(one), [q["sql"][:80] for q in thousand.captured_queries]


def test_a_client_with_nothing_to_list_costs_fewer_queries(
    associate_client, store, django_assert_max_num_queries
):
    bare = CustomerFactory()
    associate_client.get(f"/customers/{CustomerFactory().pk}/")  # the live offers, read once
    # Sign-in (session, user, store), the client (with whether there is a wishlist, online
    # interest, a visit, notes, sizes, open orders to read: none), the access log, the
    # purchase summary (no purchase: no history to read), consents, the client book, the
    # session (the card opened: three statements).
    with django_assert_max_num_queries(11):
        response = associate_client.get(f"/customers/{bare.pk}/")
    assert response.status_code == 200
    for shown in ("Sa liste d’envies est vide.", "Aucune activité en ligne", "Aucune note"):
        assert shown in response.text


def test_the_wishlist_is_priced_with_what_the_client_consented_to_and_used(
    associate_client, store, camille
):
    tv = VariantFactory(product__name="TV OLED 55", product__list_price=Decimal("1000.00"))
    WishlistItemFactory(customer=camille, variant=tv)
    for name, audience, value in (("Souhait", "wishlist", 10), ("Goûts", "preferences", 5)):
        made = OfferFactory(name=name, audience=audience, value=Decimal(value), stackable=True)
        made.brands.add(tv.product.brand)
    once = OfferFactory(name="Une fois", value=Decimal("20"), uses_per_customer=1)
    once.brands.add(tv.product.brand)
    VisitFactory(
        store=store,
        customer=camille,
        arrived_at=timezone.now() - timedelta(days=3),
        departed_at=timezone.now() - timedelta(days=3),
    )
    VisitFactory(store=store, customer=camille)  # here now

    def wishlist():
        page = associate_client.get(card_url(camille)).text
        return page[page.index('data-testid="wishlist"') :][:2000], page

    shown, page = wishlist()  # no consent to personalised offers: only the offer to all
    assert "800,00 €" in shown and "<s" in shown
    assert 'data-testid="in-store-now"' in page
    assert "<dt>Visites</dt><dd>2</dd>" in page
    OfferRedemption.objects.create(
        offer=once, customer=camille, reference="R1", channel="store", redeemed_at=timezone.now()
    )
    assert "1 000,00 €" in wishlist()[0]  # used up
    ConsentFactory(customer=camille, purpose=Consent.Purpose.PERSONALISED_OFFERS)
    assert "900,00 €" in wishlist()[0]  # the wishlist's offer (the best that applies)
    Preference.objects.create(customer=camille).brands.add(tv.product.brand)
    assert "855,00 €" in wishlist()[0]  # and their preferred brand's, stacked
    ConsentFactory(
        customer=camille,
        purpose=Consent.Purpose.PERSONALISED_OFFERS,
        granted=False,
        recorded_at=timezone.now(),
    )
    assert "1 000,00 €" in wishlist()[0]  # withdrawn


def test_suggestions_come_after_the_first_paint_and_a_read_on_their_own_is_logged(
    associate_client, camille
):
    page = associate_client.get(card_url(camille)).text
    assert 'data-testid="next-actions"' not in page  # not computed for the first paint
    assert "Chargement des suggestions et des offres…" in page
    later = associate_client.get(suggestions_url(camille), headers=HTMX)
    assert 'data-testid="next-actions"' in later.text and "<html" not in later.text
    assert CardView.objects.count() == 1  # loaded by the card whose opening was logged
    other = CustomerFactory()
    associate_client.get(suggestions_url(other), headers=HTMX)
    assert CardView.objects.filter(customer=other).count() == 1
