"""The order form, the store's order list and the order page, as an associate uses them."""

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse

from customers.models import Consent, Customer
from inventory.models import StockLevel
from orders.models import Order
from tests.factories import CustomerFactory, StoreFactory, VariantFactory

NEW = "/orders/new/"

ADDRESS = {
    "mode": "delivery",
    "recipient": "Camille Martin",
    "street": "12 rue des Lilas",
    "postcode": "75020",
    "city": "Paris",
}


def form(customer, lines, key="k-1", **extra):
    """The order form as the browser posts it; ``lines`` is [(variant, qty, source)]."""
    data = {
        "key": key,
        "customer": customer.pk if customer else "",
        "variant": [v.pk for v, _q, _s in lines],
        "quantity": [str(q) for _v, q, _s in lines],
        "source": [s.pk if s else "" for _v, _q, s in lines],
        **ADDRESS,
    }
    data.update(extra)
    return data


def level(store, variant):
    row = StockLevel.objects.get(store=store, variant=variant)
    return row.on_hand, row.reserved


def test_form_prefilled_from_the_product_and_the_customer(
    associate_client, customer, tv, near_store, other_store, warehouse, stock
):
    stock(other_store, tv, on_hand=5)
    stock(near_store, tv, on_hand=1)
    stock(warehouse, tv, on_hand=50)

    response = associate_client.get(NEW, {"variant": tv.pk, "customer": customer.pk})

    page = response.text
    assert response.status_code == 200
    assert "Camille Martin" in page
    assert "Téléviseur OLED 55" in page
    assert "999,00\xa0€" in page
    # The nearest store with the unit is chosen unless the associate picks another.
    assert "Le plus proche avec du stock : Paris Bastille" in page
    assert 'value="Camille Martin"' in page  # recipient prefilled


def test_default_source_skips_stores_without_enough_units(
    associate_client, customer, tv, near_store, warehouse, stock
):
    stock(near_store, tv, on_hand=1)
    stock(warehouse, tv, on_hand=50)
    response = associate_client.post(NEW, {**form(customer, [(tv, 3, None)]), "action": "refresh"})
    assert "Le plus proche avec du stock : Entrepôt Saint-Priest" in response.text


def test_placing_a_home_delivery_holds_the_stock_and_redirects_to_the_order(
    associate_client,
    associate,
    customer,
    store,
    tv,
    near_store,
    stock,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    stock(near_store, tv, on_hand=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = associate_client.post(
            NEW, {**form(customer, [(tv, 1, None)]), "action": "place"}
        )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:detail", kwargs={"order_id": order.pk})
    assert (order.store, order.created_by, order.postcode) == (store, associate, "75020")
    assert order.lines.get().source == near_store
    assert level(near_store, tv) == (2, 1)
    (email,) = mail.outbox
    assert order.reference in email.subject


def test_a_double_submission_makes_one_order(associate_client, customer, tv, store, stock):
    stock(store, tv, on_hand=5)
    data = {**form(customer, [(tv, 1, store)], key="same"), "action": "place"}
    first = associate_client.post(NEW, data)
    second = associate_client.post(NEW, data)
    assert first.url == second.url
    assert Order.objects.count() == 1
    assert level(store, tv) == (5, 1)


def test_a_retry_of_the_last_unit_finds_its_order(associate_client, customer, tv, store, stock):
    """The tablet retries "place" after a busy answer (503) or a lost one: the unit is
    already reserved by that very submission, so it is led to the order, not told that
    nothing is left."""
    stock(store, tv, on_hand=1)
    data = {**form(customer, [(tv, 1, store)], key="retried"), "action": "place"}
    first = associate_client.post(NEW, data, headers={"HX-Request": "true"})
    retry = associate_client.post(NEW, data, headers={"HX-Request": "true"})
    assert retry.status_code == 200
    assert retry["HX-Redirect"] == first["HX-Redirect"]
    assert Order.objects.count() == 1
    assert level(store, tv) == (1, 1)


def test_htmx_placement_redirects_the_page(associate_client, customer, tv, store, stock):
    stock(store, tv, on_hand=1)
    response = associate_client.post(
        NEW, {**form(customer, [(tv, 1, store)]), "action": "place"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/orders/")


def test_sold_out_meanwhile_says_so_and_keeps_the_form(
    associate_client, customer, tv, near_store, stock
):
    stock(near_store, tv, on_hand=1, reserved=1)
    response = associate_client.post(
        NEW, {**form(customer, [(tv, 1, near_store)]), "action": "place"}
    )
    assert response.status_code == 409
    assert "Plus disponible : Téléviseur OLED 55" in response.text
    assert 'value="12 rue des Lilas"' in response.text
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "7500", "Un code postal français a cinq chiffres"),
        ("street", "", "Obligatoire pour une livraison à domicile"),
    ],
)
def test_a_bad_address_is_explained(
    associate_client, customer, tv, store, stock, field, value, message
):
    stock(store, tv, on_hand=1)
    data = {**form(customer, [(tv, 1, store)]), field: value, "action": "place"}
    response = associate_client.post(NEW, data)
    assert response.status_code == 422
    assert message in response.text
    assert "Vérifiez les informations de livraison." in response.text
    assert level(store, tv) == (1, 0)


def test_pickup_in_a_chosen_store(associate_client, customer, tv, store, near_store, stock):
    stock(near_store, tv, on_hand=1)
    data = {
        **form(customer, [(tv, 1, None)]),
        "mode": "pickup",
        "pickup_store": near_store.pk,
        "action": "place",
    }
    associate_client.post(NEW, data)
    order = Order.objects.get()
    assert (order.mode, order.pickup_store, order.street) == ("pickup", near_store, "")
    assert order.lines.get().reservation.expires_at is not None  # on the shelf there: 48 h


def test_refusing_to_place_without_a_customer(associate_client, tv, store, stock):
    stock(store, tv, on_hand=1)
    response = associate_client.post(NEW, {**form(None, [(tv, 1, store)]), "action": "place"})
    assert response.status_code == 422
    assert "Choisissez d’abord le client." in response.text


def test_adding_and_removing_lines(associate_client, customer, tv, store, stock):
    soundbar = VariantFactory(product__name="Barre de son", sku="BAR-01")
    response = associate_client.post(
        NEW, {**form(customer, [(tv, 1, None)]), "action": "add", "add_code": "bar-01"}
    )
    assert "Barre de son" in response.text
    response = associate_client.post(
        NEW, {**form(customer, [(tv, 1, None), (soundbar, 1, None)]), "action": "remove:0"}
    )
    assert "Barre de son" in response.text and "Téléviseur OLED 55" not in response.text
    response = associate_client.post(
        NEW, {**form(customer, []), "action": "add", "add_code": "nothing"}
    )
    assert response.status_code == 422
    assert "Aucun produit n’a ce SKU ou cet EAN." in response.text


def test_a_scanned_code_followed_by_enter_adds_the_product(associate_client, customer, tv):
    VariantFactory(product__name="Barre de son", ean="3760000099993")
    response = associate_client.post(
        NEW, {**form(customer, [(tv, 1, None)]), "action": "refresh", "add_code": "3760000099993"}
    )
    assert "Barre de son" in response.text
    assert 'name="add_code" value=""' in response.text


def test_pick_a_customer_from_the_search(associate_client, tv):
    found = CustomerFactory(first_name="Inès", last_name="Garnier")
    results = associate_client.get(reverse("orders:customer_search"), {"q": "garn"})
    assert f'value="customer:{found.pk}"' in results.text
    response = associate_client.post(
        NEW, {**form(None, [(tv, 1, None)]), "action": f"customer:{found.pk}"}
    )
    assert f'name="customer" value="{found.pk}"' in response.text


def test_quick_create_records_every_consent_answer(associate_client, associate, store, tv):
    data = {
        **form(None, [(tv, 1, None)]),
        "action": "create_customer",
        "new-first_name": "Hugo",
        "new-last_name": "Lemaire",
        "new-email": "Hugo.Lemaire@example.fr",
        "new-preferred_language": "en",
        "new-consent_marketing_email": "on",
    }
    response = associate_client.post(NEW, data)

    created = Customer.objects.get(last_name="Lemaire")
    assert response.status_code == 200
    assert f'name="customer" value="{created.pk}"' in response.text
    assert (created.email, created.preferred_language, created.home_store) == (
        "hugo.lemaire@example.fr",
        "en",
        store,
    )
    answers = {c.purpose: (c.granted, c.recorded_by, c.source) for c in created.consents.all()}
    assert answers == {
        Consent.Purpose.MARKETING_EMAIL: (True, associate, "store"),
        Consent.Purpose.PERSONALISED_OFFERS: (False, associate, "store"),
        Consent.Purpose.IN_STORE_RECOGNITION: (False, associate, "store"),
    }


def test_quick_create_refuses_a_known_email_and_needs_a_way_to_reach(associate_client, customer):
    known = {
        "action": "create_customer",
        "new-first_name": "C",
        "new-last_name": "M",
        "new-email": customer.email.upper(),
        "new-preferred_language": "fr",
    }
    response = associate_client.post(NEW, {**form(None, []), **known})
    assert response.status_code == 422
    assert "Un client a déjà cet e-mail" in response.text
    unreachable = {**known, "new-email": ""}
    response = associate_client.post(NEW, {**form(None, []), **unreachable})
    assert "Indiquez un e-mail ou un téléphone" in response.text
    assert Customer.objects.count() == 1


def test_form_queries_do_not_grow_with_lines(
    associate_client, customer, store, stock, django_assert_max_num_queries
):
    variants = VariantFactory.create_batch(8)
    for v in variants:
        stock(store, v, on_hand=3)
    with django_assert_max_num_queries(20) as two:
        associate_client.post(NEW, {**form(customer, [(v, 1, None) for v in variants[:2]])})
    with django_assert_max_num_queries(len(two.captured_queries)):
        associate_client.post(NEW, {**form(customer, [(v, 1, None) for v in variants])})


# --- List, page, actions ----------------------------------------------------------------


@pytest.fixture
def orders(place, store, near_store, tv, stock, associate):
    stock(store, tv, on_hand=10)
    stock(near_store, tv, on_hand=10)
    taken_here = place([(tv, 1, store)])
    handed_here = place([(tv, 1, near_store)], mode="pickup", pickup_store=store, store=near_store)
    elsewhere = place([(tv, 1, near_store)], store=near_store)
    from orders.services import order_cancel

    cancelled = place([(tv, 1, store)])
    order_cancel(order_id=cancelled.pk, by=associate)
    return taken_here, handed_here, elsewhere, cancelled


def test_the_list_shows_this_store_s_orders_by_status(associate_client, orders):
    taken_here, handed_here, elsewhere, cancelled = orders
    page = associate_client.get(reverse("orders:list")).text
    assert taken_here.reference in page and handed_here.reference in page
    assert elsewhere.reference not in page and cancelled.reference not in page
    assert "retrait ici" in page
    page = associate_client.get(reverse("orders:list"), {"status": "cancelled"}).text
    assert cancelled.reference in page and taken_here.reference not in page
    partial = associate_client.get(
        reverse("orders:list"), {"status": ""}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.text and cancelled.reference in partial.text


def test_the_list_queries_do_not_grow_with_orders(
    associate_client, place, store, tv, stock, django_assert_max_num_queries
):
    stock(store, tv, on_hand=50)
    place([(tv, 1, store)])
    with django_assert_max_num_queries(12) as one:
        associate_client.get(reverse("orders:list"))
    for _ in range(15):
        place([(tv, 1, store)])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = associate_client.get(reverse("orders:list"))
    assert response.text.count('data-testid="order-row"') == 16


def test_order_page_and_cancel_releases_the_stock(associate_client, orders, store, tv, associate):
    taken_here = orders[0]
    url = reverse("orders:detail", kwargs={"order_id": taken_here.pk})
    page = associate_client.get(url).text
    assert "Commande passée" in page and "Léa Moreau" in page
    assert "12 rue des Lilas" in page

    response = associate_client.post(
        reverse("orders:action", kwargs={"order_id": taken_here.pk, "action": "cancel"}),
        {"reason": "Trouvé ailleurs"},
        follow=True,
    )

    assert "Annulée" in response.text and "Trouvé ailleurs" in response.text
    assert level(store, tv) == (10, 0)


def test_order_page_queries_do_not_grow_with_lines(
    associate_client, place, store, stock, django_assert_max_num_queries
):
    variants = VariantFactory.create_batch(6)
    for v in variants:
        stock(store, v, on_hand=2)
    small = place([(variants[0], 1, store)])
    big = place([(v, 1, store) for v in variants])
    with django_assert_max_num_queries(15) as one:
        associate_client.get(reverse("orders:detail", kwargs={"order_id": small.pk}))
    with django_assert_max_num_queries(len(one.captured_queries)):
        associate_client.get(reverse("orders:detail", kwargs={"order_id": big.pk}))


def test_a_refused_step_is_explained(associate_client, orders):
    cancelled = orders[3]
    response = associate_client.post(
        reverse("orders:action", kwargs={"order_id": cancelled.pk, "action": "confirm"}),
        follow=True,
    )
    assert "cette étape n’est pas possible maintenant" in response.text


def test_staff_of_an_unconcerned_store_cannot_move_an_order(client, orders):
    from staff.models import StaffProfile
    from tests.factories import make_staff

    stranger = make_staff(StaffProfile.Role.ASSOCIATE, StoreFactory(code="nice"))
    client.force_login(stranger)
    order = orders[0]
    detail_url = reverse("orders:detail", kwargs={"order_id": order.pk})
    assert client.get(detail_url).status_code == 404  # not by guessing its number
    # From the customer's card (a logged view), the order can be read, not moved.
    client.get(reverse("floor:card", kwargs={"customer_id": order.customer_id}))
    detail = client.get(detail_url)
    assert detail.status_code == 200 and 'data-testid="order-actions"' not in detail.text
    response = client.post(
        reverse("orders:action", kwargs={"order_id": order.pk, "action": "cancel"})
    )
    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == "created"


def test_customer_open_orders_partial(associate_client, orders, customer):
    taken_here, handed_here, elsewhere, cancelled = orders
    page = associate_client.get(reverse("orders:customer", kwargs={"customer_id": customer.pk}))
    assert page.status_code == 200
    for order in (taken_here, handed_here, elsewhere):
        assert order.reference in page.text
    assert cancelled.reference not in page.text
    other = CustomerFactory()
    empty = associate_client.get(reverse("orders:customer", kwargs={"customer_id": other.pk}))
    assert "Aucune commande en cours." in empty.text


def test_open_orders_for_is_one_query(orders, customer, django_assert_num_queries):
    from orders.selectors import open_orders_for

    with django_assert_num_queries(1):
        found = open_orders_for(customer_id=customer.pk)
    assert len(found) == 3
    assert {o.items for o in found} == {1}


def test_amounts_and_days_read_the_same_on_every_order_page_in_each_language(
    associate_client, place, store, tv, stock
):
    stock(store, tv, on_hand=5)
    order = place([(tv, 2, store)])
    Order.objects.filter(pk=order.pk).update(
        created_at=datetime(2026, 11, 24, 17, 5, tzinfo=UTC)  # 18:05 in Paris
    )
    detail = reverse("orders:detail", kwargs={"order_id": order.pk})

    page = associate_client.get(detail).text
    assert "999,00\xa0€" in page  # unit price
    assert re.search(r'data-testid="order-total">1\u202f998,00\xa0€<', page)
    listed = associate_client.get(reverse("orders:list")).text
    assert "24 nov. 2026, 18:05" in listed and "1\u202f998,00\xa0€" in listed

    associate_client.cookies["django_language"] = "en"
    page = associate_client.get(detail).text
    assert "€999.00" in page
    assert re.search(r'data-testid="order-total">€1,998.00<', page)
    listed = associate_client.get(reverse("orders:list")).text
    assert "24 Nov 2026, 18:05" in listed and "€1,998.00" in listed
