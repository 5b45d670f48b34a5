"""A signed-out htmx request leads the whole page to the sign-in page (issue "Trust on the
floor", point 2): never the sign-in form inside a card."""

import pytest
from django.urls import reverse
from django.utils import timezone

from floor.models import Visit
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PAGE = "http://testserver/stores/paris-opera/floor/"


def htmx(current_url=PAGE):
    return {"HX-Request": "true", "HX-Current-URL": current_url}


@pytest.fixture
def visit(store):
    now = timezone.now()
    return Visit.objects.create(
        store=store,
        customer=CustomerFactory(),
        source=Visit.Source.BEACON,
        arrived_at=now,
        last_seen_at=now,
    )


def test_a_signed_out_claim_sends_the_page_to_sign_in_and_back(client, store, visit):
    response = client.post(reverse("floor:claim", args=[store.code, visit.pk]), headers=htmx())

    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fstores%2Fparis-opera%2Ffloor%2F"
    assert response.content == b""  # no sign-in form to swap into the card
    visit.refresh_from_db()
    assert visit.attended_by_id is None


def test_the_floor_poll_after_sign_out_does_the_same(client, store):
    response = client.get(reverse("floor:list", args=[store.code]), headers=htmx())

    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    "url",
    [
        "/customers/?q=martin",
        "/orders/",
        "/products/?q=tv",
        "/dashboard/",
        "/stores/paris-opera/dashboard/",
    ],
)
def test_every_staff_page_answers_htmx_the_same_way(client, store, url):
    response = client.get(url, headers=htmx())

    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_another_sites_current_url_is_not_trusted_as_next(client, store):
    response = client.get(
        reverse("floor:list", args=[store.code]), headers=htmx("https://evil.example/x")
    )

    fragment = "%2Fstores%2Fparis-opera%2Ffloor%2Fclients%2F"
    assert response["HX-Redirect"] == f"/accounts/login/?next={fragment}"


def test_a_plain_request_is_still_redirected_and_a_signed_in_tap_still_works(
    client, associate, store, visit
):
    response = client.get(reverse("floor:page", args=[store.code]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    client.force_login(associate)
    response = client.post(reverse("floor:claim", args=[store.code, visit.pk]), headers=htmx())
    assert response.status_code == 200
    assert "HX-Redirect" not in response
