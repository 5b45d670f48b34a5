"""Right of access: a complete export of one person (JSON + a readable page in their
language), built by a task, downloadable once through an expiring signed link."""

import io
import json
import os
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from clienteling.celery import app as celery_app
from customers.models import CardView, Customer
from floor.models import PresenceEvent
from offers.models import OfferMention, OfferRedemption
from privacy.models import CustomerExport
from privacy.selectors import NOT_EXPORTED, customer_data
from privacy.services import (
    PrivacyError,
    customer_erase,
    customer_export_build,
    customer_export_request,
    export_link_token,
)
from tests.factories import (
    AppDeviceFactory,
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    NoteFactory,
    OfferFactory,
    PurchaseLineFactory,
    VisitFactory,
    WishlistItemFactory,
    mfa_login,
)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def person(store, associate):
    person = CustomerFactory(first_name="Ines", last_name="Ferreira", preferred_language="en")
    ConsentFactory(customer=person)
    AppDeviceFactory(customer=person)
    NoteFactory(customer=person, text="Wants a quiet dishwasher.")
    WishlistItemFactory(customer=person)
    InteractionFactory(customer=person)
    PurchaseLineFactory(purchase__customer=person, purchase__reference="CMD-EXPORT-1")
    visit = VisitFactory(store=store, customer=person)
    PresenceEvent.objects.create(
        store=store,
        visit=visit,
        customer=person,
        event="enter",
        source="beacon",
        occurred_at=timezone.now(),
        outcome="pushed",
    )
    offer = OfferFactory(name="Printemps -10 %")
    OfferMention.objects.create(
        offer=offer,
        customer=person,
        mentioned_by=associate,
        store=store,
        mentioned_at=timezone.now(),
        mentioned_on=timezone.localdate(),
    )
    OfferRedemption.objects.create(
        offer=offer,
        customer=person,
        reference="CMD-EXPORT-1",
        channel="web",
        redeemed_at=timezone.now(),
    )
    CardView.objects.create(viewer=associate, customer=person, store=store)
    return person


def _models_about_customers() -> set[str]:
    """Walked here independently of the export: every model with a relation to Customer
    (a field or a reverse relation), directly or through one hop (an order's lines)."""

    def points_to(model, targets):
        return any(
            f.is_relation and f.related_model in targets and f.related_model is not model
            for f in model._meta.get_fields()
            if f.concrete
        )

    direct = {m for m in apps.get_models() if m is not Customer and points_to(m, {Customer})}
    reverse = {
        rel.related_model
        for rel in Customer._meta.get_fields()
        if rel.is_relation and not rel.concrete and rel.related_model is not Customer
    }
    direct |= {m for m in reverse if m in apps.get_models()}
    one_hop = {m for m in apps.get_models() if points_to(m, direct)}
    return {m._meta.label_lower for m in direct | one_hop} - set(NOT_EXPORTED)


def test_every_model_about_a_customer_is_in_the_export(person):
    expected = _models_about_customers()
    assert {
        "customers.note",
        "customers.consent",
        "customers.cardview",
        "customers.purchaseline",
        "floor.presenceevent",
        "offers.offermention",
        "orders.order",
        "orders.orderline",
    } <= expected

    sections = {s["key"] for s in customer_data(person)["sections"]}

    assert expected - sections == set()
    assert "customers.customer" in sections


def test_the_export_holds_the_persons_rows_and_only_theirs(person):
    stranger = CustomerFactory(last_name="Étranger")
    NoteFactory(customer=stranger, text="Not Ines's note.")

    data = customer_data(person)["json"]["sections"]

    assert [row["text"] for row in data["customers.note"]] == ["Wants a quiet dishwasher."]
    assert data["customers.customer"][0]["last_name"] == "Ferreira"
    assert [row["reference"] for row in data["customers.purchase"]] == ["CMD-EXPORT-1"]
    assert data["offers.offermention"][0]["offer"]["label"] == "Printemps -10 %"
    assert len(data["customers.cardview"]) == 1
    assert len(data["floor.presenceevent"]) == 1


def _download(client, export):
    return client.get(f"/privacy/exports/{export_link_token(export)}/")


def test_head_office_asks_in_admin_and_downloads_once(
    client,
    head_office,
    person,
    eager_tasks,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    mfa_login(client, head_office)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/customers/customer/", {"action": "export_data", "_selected_action": [person.pk]}
        )
    export = CustomerExport.objects.get(customer=person)
    assert export.status == CustomerExport.Status.READY
    listing = client.get("/admin/privacy/customerexport/").content.decode()
    assert export_link_token(export) in listing

    client.logout()  # the link is the key: the shopper's page hands it out too
    with django_assert_max_num_queries(4):
        response = _download(client, export)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("export.json"))
    assert data["sections"]["customers.note"][0]["text"] == "Wants a quiet dishwasher."
    html = archive.read("export.html").decode()
    assert "What we hold about you" in html  # in the person's language: English
    assert "Wants a quiet dishwasher." in html

    again = _download(client, export)
    assert again.status_code == 410
    export.refresh_from_db()
    assert export.status == CustomerExport.Status.DOWNLOADED


def test_the_page_is_in_french_for_a_french_client(person, django_capture_on_commit_callbacks):
    Customer.objects.filter(pk=person.pk).update(preferred_language="fr")
    export = customer_export_request(customer_id=person.pk)
    export = customer_export_build(export_id=export.pk)
    with export.file.open("rb") as handle:
        html = zipfile.ZipFile(handle).read("export.html").decode()
    assert "Ce que nous détenons sur vous" in html


def test_building_twice_builds_once(person):
    export = customer_export_request(customer_id=person.pk)
    first = customer_export_build(export_id=export.pk).file.name
    assert customer_export_build(export_id=export.pk).file.name == first


def test_the_link_expires_after_seven_days(client, person):
    export = customer_export_request(customer_id=person.pk)
    customer_export_build(export_id=export.pk)
    export.refresh_from_db()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = _download(client, export)

    assert response.status_code == 410


def test_a_forged_or_altered_link_is_refused(client, person):
    export = customer_export_request(customer_id=person.pk)
    customer_export_build(export_id=export.pk)
    export.refresh_from_db()

    assert client.get(f"/privacy/exports/{export.token}/").status_code == 410
    assert client.get(f"/privacy/exports/{export_link_token(export)}x/").status_code == 410


def test_erasure_removes_exports_and_refuses_new_ones(person, django_capture_on_commit_callbacks):
    export = customer_export_request(customer_id=person.pk)
    customer_export_build(export_id=export.pk)
    export.refresh_from_db()
    path = export.file.path

    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(customer_id=person.pk)

    export.refresh_from_db()
    assert export.status == CustomerExport.Status.REMOVED and not export.file
    assert not os.path.exists(path)
    with pytest.raises(PrivacyError):
        customer_export_request(customer_id=person.pk)


def test_building_takes_the_same_queries_for_a_longer_history(
    person, django_assert_max_num_queries
):
    export = customer_export_request(customer_id=person.pk)
    with django_assert_max_num_queries(80) as captured:
        customer_export_build(export_id=export.pk)
    short = len(captured)
    for _ in range(5):
        NoteFactory(customer=person)
        PurchaseLineFactory(purchase__customer=person)
    export = customer_export_request(customer_id=person.pk)
    with django_assert_max_num_queries(short) as captured:
        customer_export_build(export_id=export.pk)
