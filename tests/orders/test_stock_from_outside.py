"""Stock from outside: head office's snapshot upload, the stores' signed delta endpoint."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integrations.models import WebhookEvent, WebhookSource
from integrations.webhooks import signed_headers
from inventory.models import StockLevel
from tests.factories import VariantFactory, mfa_login

UPLOAD = "/admin/inventory/stocklevel/upload/"


def level(store, variant):
    row = StockLevel.objects.filter(store=store, variant=variant).first()
    return (row.on_hand, row.reserved) if row else None


@pytest.fixture
def admin_client_ho(client, head_office):
    mfa_login(client, head_office)
    return client


@pytest.fixture
def variants(db):
    return [VariantFactory(sku=f"SKU-A{i}") for i in range(3)]


def upload(client, store, text, name="stock.csv"):
    return client.post(
        UPLOAD,
        {"store": store.pk, "file": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def test_snapshot_applies_every_row(admin_client_ho, store, variants, stock):
    a, b, c = variants
    stock(store, a, on_hand=1)
    stock(store, b, on_hand=9, reserved=2)

    response = upload(admin_client_ho, store, f"sku;on_hand\n{a.sku};4\n{b.sku};2\n{c.sku};7\n")

    assert response.status_code == 302
    assert level(store, a) == (4, 0)
    assert level(store, b) == (2, 2)
    assert level(store, c) == (7, 0)
    page = admin_client_ho.get(response.url).text
    assert "3 lignes appliquées (2 modifiées, 1 nouvelles)" in page


def test_snapshot_by_ean_with_commas(admin_client_ho, store, variants):
    a = variants[0]
    upload(admin_client_ho, store, f"ean,on_hand\n{a.ean},3\n")
    assert level(store, a) == (3, 0)


def test_one_bad_row_and_nothing_is_applied_with_a_report(admin_client_ho, store, variants, stock):
    a, b, c = variants
    stock(store, a, on_hand=1)
    stock(store, b, on_hand=5, reserved=3)
    text = f"sku,on_hand\n{a.sku},8\nNOPE-1,2\n{c.sku},-1\n{a.sku},3\n{c.sku},2.5\n"

    response = upload(admin_client_ho, store, text)

    assert response.status_code == 422
    page = response.content.decode()
    assert "4 lignes refusées : rien n’a été appliqué" in page
    assert "Aucune variante de produit n’a ce SKU." in page
    assert "Déjà donné à la ligne 2." in page
    assert page.count("doit être un nombre entier") == 2
    assert level(store, a) == (1, 0)
    assert level(store, c) is None


def test_a_row_below_the_units_held_rolls_the_whole_file_back(
    admin_client_ho, store, variants, stock
):
    a, b, _c = variants
    stock(store, a, on_hand=1)
    stock(store, b, on_hand=5, reserved=3)

    response = upload(admin_client_ho, store, f"sku,on_hand\n{a.sku},6\n{b.sku},2\n")

    assert response.status_code == 422
    assert "3 exemplaires sont réservés pour des commandes" in response.content.decode()
    assert level(store, a) == (1, 0)
    assert level(store, b) == (5, 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"code,qty\nX,1\n", "La première ligne doit nommer les colonnes"),
        (b"\xff\xfesku", "pas un texte UTF-8"),
        (b"sku,on_hand\n", "aucune ligne de stock"),
    ],
)
def test_unreadable_files_are_explained(admin_client_ho, store, content, message):
    response = admin_client_ho.post(
        UPLOAD, {"store": store.pk, "file": SimpleUploadedFile("s.csv", content)}
    )
    assert message in response.content.decode()
    assert not StockLevel.objects.exists()


def test_the_upload_is_for_head_office_only(associate_client, store):
    response = associate_client.get(UPLOAD)
    assert response.status_code == 302  # to the admin sign-in


def test_the_changelist_links_to_the_upload(admin_client_ho):
    page = admin_client_ho.get(reverse("admin:inventory_stocklevel_changelist")).text
    assert "Importer un inventaire de stock" in page


# --- POST /api/stock/ ------------------------------------------------------------------


@pytest.fixture
def till(store):
    source = WebhookSource.objects.create(key="till-opera", name="Caisses Opéra", kind="stock")
    source.stores.add(store)
    return source


def send(client, source, payload):
    body = json.dumps(payload).encode()
    return client.post(
        "/api/stock/",
        body,
        content_type="application/json",
        headers=signed_headers(source, body),
    )


def test_deltas_are_applied_once(client, till, store, variants, stock):
    a, b, _c = variants
    stock(store, a, on_hand=5)
    payload = {
        "event_id": "till-1",
        "store": store.code,
        "changes": [{"sku": a.sku, "delta": -2}, {"ean": b.ean, "delta": 6}],
    }

    response = send(client, till, payload)

    assert response.status_code == 200
    assert response.json()["levels"] == [
        {"sku": a.sku, "on_hand": 3, "reserved": 0},
        {"sku": b.sku, "on_hand": 6, "reserved": 0},
    ]
    replay = send(client, till, payload)
    assert (replay.status_code, replay.json()["error"]) == (409, "duplicate_event")
    assert level(store, a) == (3, 0)
    assert level(store, b) == (6, 0)


def test_a_delta_below_the_units_held_applies_nothing(client, till, store, variants, stock):
    a, b, _c = variants
    stock(store, a, on_hand=5)
    stock(store, b, on_hand=2, reserved=2)
    payload = {
        "event_id": "till-2",
        "store": store.code,
        "changes": [{"sku": a.sku, "delta": -1}, {"sku": b.sku, "delta": -1}],
    }

    response = send(client, till, payload)

    assert response.status_code == 409
    assert response.json()["error"] == "insufficient_stock"
    assert b.sku in response.json()["detail"]
    assert level(store, a) == (5, 0)
    assert not WebhookEvent.objects.exists()  # the event can be sent again once fixed


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        (
            {"store": "paris-opera", "changes": [{"sku": "SKU-A0", "delta": 1}]},
            400,
            "invalid_event_id",
        ),
        (
            {"event_id": "e", "store": "nowhere", "changes": [{"sku": "SKU-A0", "delta": 1}]},
            422,  # the same answer as the presence endpoint's
            "unknown_store",
        ),
        ({"event_id": "e", "store": "paris-opera", "changes": []}, 400, "invalid_changes"),
        (
            {"event_id": "e", "store": "paris-opera", "changes": [{"sku": "SKU-A0", "delta": 0}]},
            400,
            "invalid_changes",
        ),
        (
            {"event_id": "e", "store": "paris-opera", "changes": [{"sku": "SKU-A0", "delta": "2"}]},
            400,
            "invalid_changes",
        ),
        (
            {"event_id": "e", "store": "paris-opera", "changes": [{"sku": "GHOST", "delta": 2}]},
            422,
            "unknown_variant",
        ),
    ],
)
def test_bad_requests_get_a_json_error(client, till, store, variants, payload, status, error):
    response = send(client, till, payload)
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert not StockLevel.objects.exists()


def test_a_source_speaks_only_for_its_stores(client, till, other_store, variants):
    payload = {
        "event_id": "x",
        "store": other_store.code,
        "changes": [{"sku": "SKU-A0", "delta": 1}],
    }
    response = send(client, till, payload)
    assert (response.status_code, response.json()["error"]) == (403, "store_not_allowed")


def test_only_stock_sources_and_valid_signatures(client, store, variants):
    beacon = WebhookSource.objects.create(key="beacons", name="Balises", kind="beacon")
    payload = {"event_id": "x", "store": store.code, "changes": [{"sku": "SKU-A0", "delta": 1}]}
    assert send(client, beacon, payload).status_code == 403
    unsigned = client.post("/api/stock/", payload, content_type="application/json")
    assert unsigned.status_code == 401
