"""The Floor page: the list, check-in by scan/typing/search, claim, release, done."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from floor.models import PresenceEvent, Visit
from staff.models import StaffProfile
from tests.factories import (
    CustomerFactory,
    PurchaseFactory,
    VisitFactory,
    WishlistItemFactory,
    make_staff,
)
from tests.floor_helpers import GroupListener

Role = StaffProfile.Role
HTMX = {"HX-Request": "true"}


@pytest.fixture
def tablet(store):
    listener = GroupListener(store)
    yield listener
    listener.close()


def floor_url(store, path=""):
    return f"/stores/{store.code}/floor/{path}"


def present(store, **customer):
    return VisitFactory(store=store, customer=CustomerFactory(**customer))


def test_the_floor_lists_the_clients_in_the_store_with_their_figures(associate_client, store):
    visit = present(store, first_name="Camille", last_name="Martin", tier="gold")
    PurchaseFactory(customer=visit.customer, total="1250.00")
    VisitFactory(
        store=store,
        customer=visit.customer,
        arrived_at=timezone.now() - timedelta(days=40),
        departed_at=timezone.now() - timedelta(days=40),
    )
    gone = present(store, last_name="Gone")
    Visit.objects.filter(pk=gone.pk).update(departed_at=timezone.now())

    page = associate_client.get(floor_url(store)).text

    assert "Camille Martin" in page
    assert "Gone" not in page
    assert "1\u202f250,00\xa0€" in page
    assert 'class="badge tier-gold">Or<' in page  # tier, in French
    assert f'href="/customers/{visit.customer.pk}/"' in page  # one tap to the full card


def test_the_floor_list_costs_the_same_queries_for_1_or_25_clients(associate_client, store):
    present(store)
    with CaptureQueriesContext(connection) as one:
        associate_client.get(floor_url(store, "clients/"))
    for _ in range(24):
        visit = present(store)
        PurchaseFactory(customer=visit.customer)
        WishlistItemFactory(customer=visit.customer)
    with CaptureQueriesContext(connection) as many:
        response = associate_client.get(floor_url(store, "clients/"))
    assert response.text.count('data-testid="floor-card"') == 25
    assert len(many) == len(one)


def test_the_floor_page_reads_in_a_few_queries_whatever_the_number_of_clients(
    associate_client, store, django_assert_max_num_queries
):
    present(store)
    with django_assert_max_num_queries(8):
        assert associate_client.get(floor_url(store)).status_code == 200
    for _ in range(30):
        visit = present(store)
        PurchaseFactory(customer=visit.customer)
        WishlistItemFactory(customer=visit.customer)
    with django_assert_max_num_queries(8):
        page = associate_client.get(floor_url(store)).text
    assert page.count('data-testid="floor-card"') == 31


def test_the_floor_list_follows_the_idle_limit_in_force(associate_client, store, settings):
    now = timezone.now()
    VisitFactory(
        store=store,
        customer=CustomerFactory(last_name="Quiet"),
        arrived_at=now - timedelta(minutes=40),
        last_seen_at=now - timedelta(minutes=15),
    )
    settings.VISIT_IDLE_MINUTES = 20
    assert "Quiet" in associate_client.get(floor_url(store, "clients/")).text
    settings.VISIT_IDLE_MINUTES = 10
    assert "Quiet" not in associate_client.get(floor_url(store, "clients/")).text


def test_beyond_50_clients_the_floor_lists_the_latest_arrivals_and_says_so(associate_client, store):
    now = timezone.now()
    for minutes in range(51):
        VisitFactory(
            store=store,
            customer=CustomerFactory(last_name=f"Client{minutes:02d}"),
            arrived_at=now - timedelta(minutes=minutes),
            last_seen_at=now,
        )

    page = associate_client.get(floor_url(store)).text

    assert page.count('data-testid="floor-card"') == 50
    assert "Client00" in page and "Client49" in page
    assert "Client50" not in page  # the earliest arrival: found by check-in search
    assert "Seules les 50 dernières arrivées sont affichées" in page
    assert "Seules les 50" in associate_client.get(floor_url(store, "clients/")).text


def test_an_associate_cannot_see_another_stores_floor_list(associate_client, other_store):
    assert associate_client.get(floor_url(other_store, "clients/")).status_code == 403


def test_check_in_by_a_typed_or_scanned_loyalty_number(
    associate_client, associate, store, tablet, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(first_name="Camille", last_name="Martin", loyalty_number="FID123")
    with django_capture_on_commit_callbacks(execute=True):
        response = associate_client.post(
            floor_url(store, "check-in/"), {"q": " fid123 ", "scanned": "1"}, headers=HTMX
        )

    assert response.status_code == 200
    assert "Camille Martin est enregistrée" in response.text or "Camille Martin" in response.text
    visit = Visit.objects.get()
    assert (visit.customer, visit.source, visit.attended_by) == (
        customer,
        Visit.Source.SCAN,
        associate,
    )
    event = PresenceEvent.objects.get()
    assert (event.recorded_by, event.outcome) == (associate, PresenceEvent.Outcome.PUSHED)
    assert "Camille Martin" in tablet.receive()["html"]["fr"]


def test_check_in_needs_no_recognition_consent_the_client_showed_their_card(
    associate_client, store
):
    CustomerFactory(loyalty_number="FID999")  # no consent at all
    associate_client.post(floor_url(store, "check-in/"), {"q": "FID999"}, headers=HTMX)
    assert Visit.objects.get().customer.loyalty_number == "FID999"


def test_check_in_of_an_unknown_number_explains_and_suggests(associate_client, store):
    CustomerFactory(first_name="Camille", last_name="Martin")
    response = associate_client.post(floor_url(store, "check-in/"), {"q": "Martin"}, headers=HTMX)
    assert response.status_code == 422
    assert "Aucun client n’a le numéro de fidélité" in response.text
    assert 'data-testid="checkin-results"' in response.text
    assert not Visit.objects.exists()


def test_check_in_by_search(associate_client, associate, store):
    customer = CustomerFactory(first_name="Camille", last_name="Martin")
    results = associate_client.get(floor_url(store, "check-in/search/"), {"q": "cam mar"})
    assert "Camille Martin" in results.text

    response = associate_client.post(
        floor_url(store, "check-in/"), {"customer": customer.pk}, headers=HTMX
    )
    assert response.status_code == 200
    assert Visit.objects.get().source == Visit.Source.SEARCH


def test_check_in_without_htmx_redirects_to_the_floor(associate_client, store):
    CustomerFactory(loyalty_number="FID321")
    response = associate_client.post(floor_url(store, "check-in/"), {"q": "FID321"})
    assert response.status_code == 302
    assert response.url == floor_url(store)


def test_claim_release_and_done(
    associate_client, associate, store, tablet, django_capture_on_commit_callbacks
):
    visit = present(store, first_name="Camille", last_name="Martin")
    colleague = make_staff(Role.ASSOCIATE, store, first_name="Hugo", last_name="Roux")
    url = floor_url(store, f"visits/{visit.pk}/")

    with django_capture_on_commit_callbacks(execute=True):
        claimed = associate_client.post(url + "claim/", headers=HTMX)
    assert claimed.status_code == 200
    assert "Avec Léa Moreau depuis" in claimed.text
    assert "Avec Léa Moreau depuis" in tablet.receive()["html"]["fr"]

    # A colleague cannot take a client someone is serving, nor close their service.
    associate_client.force_login(colleague)
    taken = associate_client.post(url + "claim/", headers=HTMX)
    assert taken.status_code == 409
    assert "Léa Moreau est déjà avec ce client" in taken.text
    assert associate_client.post(url + "done/", headers=HTMX).status_code == 409
    visit.refresh_from_db()
    assert visit.attended_by == associate

    associate_client.force_login(associate)
    with django_capture_on_commit_callbacks(execute=True):
        done = associate_client.post(url + "done/", headers=HTMX)
    assert "Servi par Léa Moreau" in done.text
    visit.refresh_from_db()
    assert visit.done_at is not None

    # Once done, anyone may take the client again; and release puts them back waiting.
    associate_client.force_login(colleague)
    assert associate_client.post(url + "claim/", headers=HTMX).status_code == 200
    released = associate_client.post(url + "release/", headers=HTMX)
    assert "Personne ne s’en occupe encore" in released.text
    visit.refresh_from_db()
    assert visit.attended_by is None


def test_claiming_a_client_who_left_says_so(associate_client, store):
    visit = present(store)
    Visit.objects.filter(pk=visit.pk).update(departed_at=timezone.now())
    response = associate_client.post(floor_url(store, f"visits/{visit.pk}/claim/"), headers=HTMX)
    assert response.status_code == 409
    assert "a quitté le magasin" in response.text


def test_floor_actions_are_for_staff_of_that_store(client, associate, other_store):
    visit = present(other_store)
    client.force_login(associate)
    response = client.post(floor_url(other_store, f"visits/{visit.pk}/claim/"), headers=HTMX)
    assert response.status_code == 403


def test_check_in_leaves_a_colleagues_client_with_them(associate_client, associate, store):
    colleague = make_staff(Role.ASSOCIATE, store, first_name="Hugo", last_name="Roux")
    visit = present(store, first_name="Camille", last_name="Martin", loyalty_number="FID555")
    Visit.objects.filter(pk=visit.pk).update(attended_by=colleague, attended_since=timezone.now())

    response = associate_client.post(floor_url(store, "check-in/"), {"q": "FID555"}, headers=HTMX)

    assert "Hugo Roux est avec ce client" in response.text
    visit.refresh_from_db()
    assert visit.attended_by == colleague


def test_a_card_tells_times_and_days_in_the_stores_time_zone(time_machine):
    """Moments come from the database in UTC; the card says them as the store's clock does
    (Paris: UTC+1 in January), and a colleague's deleted account leaves no name."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from django.utils import translation

    from catalog.models import Store
    from customers.models import Customer
    from floor.templatetags.floor_card import floor_card

    time_machine.move_to(datetime(2026, 1, 15, 11, 0, tzinfo=UTC))
    visit = Visit(
        pk=7,
        store=Store(pk=1, code="paris-opera"),
        customer=Customer(pk=3, first_name="Camille", last_name="Martin", tier="member"),
        source=Visit.Source.BEACON,
        arrived_at=datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
        attended_since=datetime(2026, 1, 15, 9, 45, tzinfo=UTC),
        done_at=datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
    )
    visit.lifetime_spend, visit.visit_count, visit.wishlist_here = Decimal("10"), 2, 0
    visit.previous_visit_at = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)  # 00:30 in Paris
    visit.interest_product, visit.interest_kind = None, ""

    with translation.override("en"):
        html = floor_card(visit)

    assert "Came in at 10:30" in html
    assert "<dd>today</dd>" in html  # the last visit was after midnight, Paris time
    assert '<p class="serving-state is-done" data-testid="served-by">Served by </p>' in html
