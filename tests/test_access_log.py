"""Every read of a client's personal data is logged with who, when, from which store and
why; customer search needs three characters or a whole code, is rate-limited per person,
and a bulk pattern is flagged on the manager's board and in admin (issue "Trust on the
floor", point 3)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import BulkReadFlag, CardView
from staff.models import StaffProfile
from tests.factories import CustomerFactory, make_staff, mfa_login

Role = StaffProfile.Role
Reason = CardView.Reason
HTMX = {"HX-Request": "true"}


def logged(**filters) -> list[tuple]:
    return sorted(
        CardView.objects.filter(**filters).values_list("customer__last_name", "reason", "store_id")
    )


@pytest.fixture
def durands(db):
    return CustomerFactory.create_batch(
        25, last_name="Durand", email="durand@example.fr", phone="0600000000"
    )


def test_each_client_listed_by_a_search_is_logged_in_one_insert(
    associate_client, associate, store, durands
):
    with CaptureQueriesContext(connection) as queries:
        response = associate_client.get("/customers/", {"q": "durand"}, headers=HTMX)

    assert response.status_code == 200
    assert response.text.count('data-testid="customer-row"') == 20
    rows = CardView.objects.filter(viewer=associate, reason=Reason.SEARCH)
    assert rows.count() == 20  # the first page: the clients shown, not all 25
    assert set(rows.values_list("store_id", flat=True)) == {store.pk}
    inserts = [q for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
    assert len(inserts) == 1


def test_the_search_page_has_a_fixed_query_count(
    associate_client, durands, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        associate_client.get("/customers/", {"q": "durand"}, headers=HTMX)
    CustomerFactory.create_batch(30, last_name="Durand")
    with django_assert_max_num_queries(9):
        associate_client.get("/customers/", {"q": "durand", "page": 2}, headers=HTMX)


@pytest.mark.parametrize("query", ["29", "du", "d", " 2 "])
def test_fewer_than_three_characters_list_nobody(associate_client, durands, query):
    response = associate_client.get("/customers/", {"q": query}, headers=HTMX)

    assert 'data-testid="customer-row"' not in response.text
    assert not CardView.objects.exists()


def test_a_whole_short_loyalty_number_still_finds_its_client(associate_client, db):
    CustomerFactory(last_name="Brève", loyalty_number="42")
    CustomerFactory(last_name="Autre", loyalty_number="420000")

    response = associate_client.get("/customers/", {"q": "42"}, headers=HTMX)

    assert response.text.count('data-testid="customer-row"') == 1
    assert "Brève" in response.text


def test_searches_are_rate_limited_per_person_with_a_clear_message(
    client, associate, store, durands, settings
):
    settings.CUSTOMER_SEARCHES_PER_MINUTE = 3
    colleague = make_staff(Role.ASSOCIATE, store)
    client.force_login(associate)
    for _ in range(3):
        assert client.get("/customers/", {"q": "durand"}, headers=HTMX).status_code == 200

    refused = client.get("/customers/", {"q": "durand"}, headers=HTMX)

    assert refused.status_code == 429
    assert "Trop de recherches : 3 par minute au plus." in refused.text
    assert 'data-testid="customer-row"' not in refused.text
    assert CardView.objects.count() == 3 * 20  # nothing read, nothing logged
    # The floor's check-in search and the order form's picker share the same count.
    checkin = client.get(
        reverse("floor:checkin_search", args=[store.code]), {"q": "durand"}, headers=HTMX
    )
    assert checkin.status_code == 429 and "Trop de recherches" in checkin.text
    picker = client.get(reverse("orders:customer_search"), {"q": "durand"}, headers=HTMX)
    assert picker.status_code == 429 and "Trop de recherches" in picker.text
    # Another person is not slowed down.
    client.force_login(colleague)
    assert client.get("/customers/", {"q": "durand"}, headers=HTMX).status_code == 200


def test_the_htmx_config_swaps_the_429_message_into_the_page(associate_client):
    page = associate_client.get("/customers/").text
    assert '"code": "409|422|429", "swap": true' in page


def test_check_in_search_and_order_picker_log_the_clients_they_list(
    associate_client, associate, store, db
):
    CustomerFactory(last_name="Garnier", first_name="Inès")
    associate_client.get(reverse("floor:checkin_search", args=[store.code]), {"q": "garn"})
    associate_client.get(reverse("orders:customer_search"), {"q": "garn"})

    assert logged(viewer=associate) == [
        ("Garnier", Reason.SEARCH, store.pk),
        ("Garnier", Reason.SEARCH, store.pk),
    ]


def test_the_order_form_preload_open_orders_card_and_history_are_logged(
    associate_client, associate, store, db
):
    camille = CustomerFactory(last_name="Martin")

    assert associate_client.get(reverse("orders:new"), {"customer": camille.pk}).status_code == 200
    associate_client.get(reverse("orders:customer", kwargs={"customer_id": camille.pk}))
    associate_client.get(reverse("floor:card", kwargs={"customer_id": camille.pk}))
    associate_client.get(
        reverse("floor:card", kwargs={"customer_id": camille.pk}), {"page": 2}, headers=HTMX
    )

    assert logged(viewer=associate) == sorted(
        [
            ("Martin", Reason.ORDER_FORM, store.pk),
            ("Martin", Reason.OPEN_ORDERS, store.pk),
            ("Martin", Reason.CARD, store.pk),
            ("Martin", Reason.HISTORY, store.pk),
        ]
    )


def test_choosing_the_client_in_the_order_form_is_logged(associate_client, associate, store, db):
    camille = CustomerFactory(last_name="Martin")
    response = associate_client.post(
        reverse("orders:new"), {"action": f"customer:{camille.pk}", "key": "k"}, headers=HTMX
    )
    assert response.status_code == 200
    assert logged(viewer=associate) == [("Martin", Reason.ORDER_FORM, store.pk)]


def paging_through(client, pages: int):
    for page in range(1, pages + 1):
        client.get("/customers/", {"q": "dupont", "page": page}, headers=HTMX)


def test_reading_over_a_hundred_clients_in_ten_minutes_is_flagged_once(
    client, associate, store, db
):
    CustomerFactory.create_batch(130, last_name="Dupont")
    client.force_login(associate)

    paging_through(client, 5)  # 100 distinct clients: still normal
    assert not BulkReadFlag.objects.exists()
    paging_through(client, 7)  # 101 and more

    flag = BulkReadFlag.objects.get()  # once per window, not once per page
    assert (flag.viewer, flag.store, flag.minutes) == (associate, store, 10)
    assert flag.clients == 101 + 19  # the page that tripped it: 101 to 120


def test_the_flag_is_shown_on_the_managers_board_and_in_admin(
    client, associate, store, head_office, db
):
    manager = make_staff(Role.MANAGER, store)
    CustomerFactory.create_batch(110, last_name="Dupont")
    client.force_login(associate)
    paging_through(client, 6)
    assert BulkReadFlag.objects.count() == 1

    client.force_login(manager)
    board = client.get(reverse("dashboard:board", args=[store.code])).text
    assert 'data-testid="bulk-read"' in board
    assert "Léa Moreau : 110 clients en 10 minutes" in board

    mfa_login(client, head_office)
    flags = client.get("/admin/customers/bulkreadflag/")
    assert flags.status_code == 200 and str(associate) in flags.text
    per_staff = client.get(f"/admin/customers/cardview/?viewer__id__exact={associate.pk}")
    assert per_staff.status_code == 200
    camille = CustomerFactory(last_name="Seule")
    client.force_login(associate)
    client.get(reverse("floor:card", kwargs={"customer_id": camille.pk}))
    mfa_login(client, head_office)
    per_client = client.get(f"/admin/customers/cardview/?customer__id__exact={camille.pk}")
    assert per_client.status_code == 200
    assert per_client.text.count("Seule") >= 1 and "Dupont" not in per_client.text
    filtered = client.get("/admin/customers/cardview/?reason__exact=card")
    assert filtered.status_code == 200 and "Dupont" not in filtered.text


def test_the_access_log_is_read_only_in_admin(client, head_office, associate, db):
    mfa_login(client, head_office)
    assert client.get("/admin/customers/cardview/add/").status_code == 403
    assert client.get("/admin/customers/bulkreadflag/add/").status_code == 403


def test_an_order_page_with_the_clients_contact_is_logged(associate_client, associate, store):
    from orders.models import Order

    camille = CustomerFactory(last_name="Martin")
    order = Order.objects.create(
        reference="CMD-TEST-1",
        customer=camille,
        store=store,
        created_by=associate,
        mode=Order.Mode.PICKUP,
        pickup_store=store,
        subtotal=0,
        discount=0,
        total=0,
    )

    assert associate_client.get(reverse("orders:detail", args=[order.pk])).status_code == 200
    assert logged(viewer=associate) == [("Martin", Reason.ORDER, store.pk)]
