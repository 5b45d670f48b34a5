"""Serving is explicit: only a claim or a check-in makes a client the one an associate
serves (the header's "Au service de" chip); opening a card does not. Product pages and the
order form act for that client, and an order taken for a present client converts their
visit on the manager's figures."""

from django.urls import reverse
from django.utils import timezone

from customers.models import WishlistItem
from customers.session import SESSION_CLIENT_KEY
from dashboard.figures import compute_store_figures
from tests.factories import CustomerFactory, VisitFactory
from tests.orders.test_order_pages import NEW, form


def claim_url(visit):
    return reverse("floor:claim", kwargs={"store_code": visit.store.code, "visit_id": visit.pk})


def floor_url(store):
    return reverse("floor:page", kwargs={"store_code": store.code})


def test_opening_a_card_does_not_make_it_the_served_client(associate_client, store, customer):
    page = associate_client.get(reverse("floor:card", kwargs={"customer_id": customer.pk})).text

    assert SESSION_CLIENT_KEY not in associate_client.session
    assert "Au service de" not in page
    assert "Au service de" not in associate_client.get(floor_url(store)).text


def test_a_claim_serves_the_client_and_other_cards_do_not_change_it(
    associate_client, store, customer
):
    visit = VisitFactory(store=store, customer=customer)
    other = CustomerFactory(first_name="Olivier", last_name="Martin")

    associate_client.post(claim_url(visit))
    associate_client.get(reverse("floor:card", kwargs={"customer_id": other.pk}))

    page = associate_client.get(floor_url(store)).text
    assert "Au service de : Camille Martin" in page
    assert "Au service de : Olivier Martin" not in page

    associate_client.post(
        reverse("floor:release", kwargs={"store_code": store.code, "visit_id": visit.pk})
    )
    assert "Au service de" not in associate_client.get(floor_url(store)).text


def test_a_check_in_serves_the_client(associate_client, store, customer):
    associate_client.post(
        reverse("floor:checkin", kwargs={"store_code": store.code}),
        {"q": customer.loyalty_number},
    )
    assert associate_client.session[SESSION_CLIENT_KEY] == customer.pk


def test_the_card_offers_to_serve_a_present_client(associate_client, store, customer):
    visit = VisitFactory(store=store, customer=customer)
    card = reverse("floor:card", kwargs={"customer_id": customer.pk})
    page = associate_client.get(card).text
    assert "Je m’occupe de ce client" in page

    response = associate_client.post(claim_url(visit), {"next": card})

    assert response.url == card
    page = associate_client.get(card).text
    assert "Au service de : Camille Martin" in page
    assert "Avec Léa Moreau" in page


def test_wishlist_and_order_act_for_the_served_client_and_the_order_converts_the_visit(
    associate_client, store, customer, tv, stock, django_capture_on_commit_callbacks
):
    stock(store, tv, on_hand=3)
    visit = VisitFactory(store=store, customer=customer)
    other = CustomerFactory(first_name="Olivier", last_name="Martin")
    associate_client.post(claim_url(visit))
    associate_client.get(reverse("floor:card", kwargs={"customer_id": other.pk}))  # a look

    associate_client.post(reverse("products:wishlist_add", kwargs={"variant_id": tv.pk}))
    assert list(WishlistItem.objects.values_list("customer_id", flat=True)) == [customer.pk]

    order_form = associate_client.get(NEW).text
    assert f'name="customer" value="{customer.pk}"' in order_form
    with django_capture_on_commit_callbacks(execute=True):
        associate_client.post(NEW, {**form(customer, [(tv, 1, store)]), "action": "place"})

    today = timezone.localdate()
    figures = compute_store_figures([store.pk], today, today)[(store.pk, today)]
    assert (figures.orders, figures.converted_visits, figures.conversion) == (1, 1, 1.0)
