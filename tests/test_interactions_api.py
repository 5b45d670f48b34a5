"""POST /api/interactions/: batches of online signals, idempotent per event id, with a
result for every item."""

import hashlib
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Interaction, WishlistItem
from integrations.models import WebhookSource
from tests.factories import (
    AppDeviceFactory,
    CustomerFactory,
    ProductFactory,
    VariantFactory,
    WebhookSourceFactory,
)
from tests.floor_helpers import post_signed

URL = "/api/interactions/"


@pytest.fixture
def eshop(db):
    return WebhookSourceFactory(key="eshop", kind=WebhookSource.Kind.WEB)


@pytest.fixture
def camille(db):
    return CustomerFactory(loyalty_number="FID42", email="camille@example.fr")


def item(customer, **kw):
    base = {
        "event_id": uuid.uuid4().hex,
        "identifier_kind": "loyalty_number",
        "identifier": customer.loyalty_number,
        "kind": "viewed",
        "occurred_at": timezone.now().isoformat(),
    }
    return base | kw


def test_a_batch_is_recorded_and_a_resend_changes_nothing(client, eshop, camille):
    tv = VariantFactory(sku="TV-55")
    AppDeviceFactory(customer=camille, device_id="android-1")
    items = [
        item(camille, sku="TV-55"),
        item(camille, product=tv.product_id, kind="cart_abandoned"),
        item(camille, sku="TV-55", kind="wishlisted"),
        item(
            camille,
            identifier_kind="email_sha256",
            identifier=hashlib.sha256(b"camille@example.fr").hexdigest(),
            sku="TV-55",
            kind="saved",
        ),
        item(
            camille,
            identifier_kind="app_device",
            identifier="android-1",
            sku="TV-55",
            channel="app",
        ),
    ]

    response = post_signed(client, URL, eshop, {"items": items})

    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["created"], body["duplicates"], body["rejected"]) == (5, 5, 0, 0)
    assert Interaction.objects.filter(customer=camille).count() == 5
    assert Interaction.objects.get(event_id=items[4]["event_id"]).channel == "app"
    assert Interaction.objects.get(event_id=items[0]["event_id"]).channel == "web"
    assert WishlistItem.objects.get(customer=camille).variant == tv  # wished online: on the card

    again = post_signed(client, URL, eshop, {"items": items}).json()
    assert (again["created"], again["duplicates"]) == (0, 5)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 5
    assert Interaction.objects.count() == 5


def test_bad_items_are_reported_one_by_one_and_the_others_kept(client, eshop, camille):
    product = ProductFactory()
    items = [
        item(camille, product=product.pk),
        item(camille, identifier="FID-NOBODY", product=product.pk),
        item(camille, sku="NO-SUCH-SKU"),
        item(camille, product=999999),
        item(camille, kind="teleported", product=product.pk),
        item(camille),  # no product
        "not an object",
        item(camille, product=product.pk, occurred_at="2025-01-01T10:00:00"),  # no offset
    ]
    duplicate_in_batch = item(camille, product=product.pk)
    items += [duplicate_in_batch, dict(duplicate_in_batch)]

    body = post_signed(client, URL, eshop, {"items": items}).json()

    statuses = [(r["status"], r.get("error")) for r in body["results"]]
    assert statuses == [
        ("created", None),
        ("rejected", "unknown_customer"),
        ("rejected", "unknown_product"),
        ("rejected", "unknown_product"),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("created", None),
        ("duplicate", None),
    ]
    assert "kind:" in body["results"][4]["detail"]
    assert "occurred_at:" in body["results"][7]["detail"]
    assert [r["index"] for r in body["results"]] == list(range(10))
    assert Interaction.objects.count() == 2


def test_500_items_are_taken_in_a_fixed_number_of_queries(client, eshop, camille):
    VariantFactory(sku="TV-55")
    items = [item(camille, sku="TV-55") for _ in range(500)]
    with CaptureQueriesContext(connection) as queries:
        body = post_signed(client, URL, eshop, {"items": items}).json()
    assert body["created"] == 500
    assert len(queries) <= 15


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        ({"items": []}, 400, "invalid_payload"),
        ({"things": [1]}, 400, "invalid_payload"),
        ({"items": "x"}, 400, "invalid_payload"),
    ],
)
def test_a_malformed_envelope_is_refused(client, eshop, payload, status, error):
    response = post_signed(client, URL, eshop, payload)
    assert (response.status_code, response.json()["error"]) == (status, error)


def test_more_than_500_items_are_refused_whole(client, eshop, camille):
    product = ProductFactory()
    response = post_signed(client, URL, eshop, {"items": [item(camille, product=product.pk)] * 501})
    assert response.status_code == 413
    assert response.json()["error"] == "too_many_items"
    assert not Interaction.objects.exists()


def test_only_web_and_app_sources_may_send_interactions(client, camille):
    beacons = WebhookSourceFactory(key="beacons", kind=WebhookSource.Kind.BEACON)
    response = post_signed(client, URL, beacons, {"items": [item(camille, product=1)]})
    assert response.status_code == 403
