"""POST /api/presence/: the signed scheme, recognition rules, de-duplication, expiry."""

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from customers.models import Consent
from floor.models import PresenceEvent, Visit
from floor.services import visits_end_expired
from floor.tasks import visits_tidy
from integrations.models import WebhookEvent, WebhookSource
from tests.factories import (
    AppDeviceFactory,
    ConsentFactory,
    CustomerFactory,
    StoreFactory,
    WebhookSourceFactory,
    mfa_login,
)
from tests.floor_helpers import GroupListener, post_signed, presence_payload

URL = "/api/presence/"
Outcome = PresenceEvent.Outcome


@pytest.fixture
def beacons(store):
    return WebhookSourceFactory(key="opera-beacons", kind=WebhookSource.Kind.BEACON)


@pytest.fixture
def shopper(db):
    customer = CustomerFactory(first_name="Camille", last_name="Martin", email="Camille@Example.fr")
    ConsentFactory(customer=customer)
    return customer


@pytest.fixture
def tablet(store):
    listener = GroupListener(store)
    yield listener
    listener.close()


def enter(client, source, store, identifier, captured, **kw):
    with captured(execute=True):
        return post_signed(client, URL, source, presence_payload(store, identifier, **kw))


# --- The signed scheme ------------------------------------------------------------------


def test_signed_entry_of_a_consenting_client_is_accepted_and_pushed(
    client, beacons, store, shopper, tablet, django_capture_on_commit_callbacks
):
    response = enter(
        client, beacons, store, shopper.loyalty_number, django_capture_on_commit_callbacks
    )

    assert response.status_code == 202
    assert response.json() == {"status": "accepted"}
    visit = Visit.objects.get()
    assert (visit.store, visit.customer, visit.source) == (store, shopper, Visit.Source.BEACON)
    assert PresenceEvent.objects.get().outcome == Outcome.PUSHED
    message = tablet.receive()
    assert message["type"] == "floor.html"
    # Rendered once per language, each with the card of this client.
    assert set(message["html"]) == {"fr", "en"}
    assert "Camille Martin" in message["html"]["fr"]
    assert "hx-swap-oob" in message["html"]["fr"]


@pytest.mark.parametrize(
    ("case", "status", "error"),
    [
        ("bad_signature", 401, "bad_signature"),
        ("stale", 401, "stale_signature"),
        ("unsigned", 401, "unsigned"),
        ("unknown_source", 403, "unknown_source"),
        ("wrong_kind", 403, "wrong_source_kind"),
        ("malformed_json", 400, "malformed_json"),
        ("not_an_object", 400, "malformed_json"),
        ("missing_field", 400, "invalid_payload"),
        ("naive_time", 400, "invalid_payload"),
        ("bad_event", 400, "invalid_payload"),
        ("unknown_store", 422, "unknown_store"),
        ("store_not_allowed", 403, "store_not_allowed"),
    ],
)
def test_refused_requests_say_why_and_write_nothing(
    client, beacons, store, shopper, case, status, error, django_capture_on_commit_callbacks
):
    payload = presence_payload(store, shopper.loyalty_number)
    body, now, headers, source = None, None, {}, beacons
    if case == "bad_signature":
        headers = {"X-Clienteling-Signature": "sha256=" + "0" * 64}
    elif case == "stale":
        now = time.time() - 301
    elif case == "unsigned":
        headers = {"X-Clienteling-Signature": ""}
    elif case == "unknown_source":
        source = WebhookSource(key="nobody", secret="x")  # never saved
    elif case == "wrong_kind":
        source = WebhookSourceFactory(key="eshop", kind=WebhookSource.Kind.WEB)
    elif case == "malformed_json":
        body = b'{"store": "paris-opera",'
    elif case == "not_an_object":
        body = b"[1, 2]"
    elif case == "missing_field":
        del payload["identifier"]
    elif case == "naive_time":
        payload["occurred_at"] = "2025-03-01T17:45:00"
    elif case == "bad_event":
        payload["event"] = "teleport"
    elif case == "unknown_store":
        payload["store"] = "atlantis"
    elif case == "store_not_allowed":
        beacons.stores.add(StoreFactory(code="nice-etoile"))

    with django_capture_on_commit_callbacks() as callbacks:
        response = post_signed(client, URL, source, payload, body=body, now=now, headers=headers)

    assert response.status_code == status, response.content
    assert response.json()["error"] == error
    assert response.json()["detail"]
    assert not Visit.objects.exists()
    assert not PresenceEvent.objects.exists()
    assert not WebhookEvent.objects.exists()
    assert callbacks == []


def test_the_error_names_the_wrong_field(client, beacons, store, shopper):
    payload = presence_payload(store, shopper.loyalty_number)
    del payload["identifier"]
    payload["occurred_at"] = "yesterday"
    detail = post_signed(client, URL, beacons, payload).json()["detail"]
    assert "identifier: This field is required." in detail
    assert "occurred_at:" in detail


def test_a_replayed_event_id_is_refused(client, beacons, store, shopper):
    payload = presence_payload(store, shopper.loyalty_number)
    assert post_signed(client, URL, beacons, payload).status_code == 202
    again = post_signed(client, URL, beacons, payload)
    assert again.status_code == 409
    assert again.json()["error"] == "duplicate_event"
    assert PresenceEvent.objects.count() == 1


def test_each_source_is_rate_limited(client, beacons, store, shopper):
    beacons.rate_limit_per_minute = 2
    beacons.save()
    codes = [
        post_signed(
            client, URL, beacons, presence_payload(store, shopper.loyalty_number)
        ).status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


# --- Recognition rules ------------------------------------------------------------------


def test_an_unknown_identifier_counts_an_anonymous_visit_without_a_card(
    client, beacons, store, tablet, django_capture_on_commit_callbacks
):
    enter(client, beacons, store, "FID-NOBODY", django_capture_on_commit_callbacks)
    enter(client, beacons, store, "FID-NOBODY", django_capture_on_commit_callbacks)

    visit = Visit.objects.get()  # counted once
    assert visit.customer is None and visit.visitor_key
    assert "FID-NOBODY" not in visit.visitor_key  # keyed hash, not the identifier
    assert list(PresenceEvent.objects.values_list("outcome", flat=True)) == [Outcome.ANONYMOUS] * 2
    assert tablet.all() == []


@pytest.mark.parametrize("consent", ["never", "withdrawn", "other_purpose"])
def test_a_known_client_without_recognition_consent_gets_no_card_and_is_not_named(
    client, beacons, store, tablet, consent, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    if consent == "withdrawn":
        ConsentFactory(customer=customer, recorded_at=timezone.now() - timedelta(days=30))
        ConsentFactory(
            customer=customer, granted=False, recorded_at=timezone.now() - timedelta(days=1)
        )
    elif consent == "other_purpose":
        ConsentFactory(customer=customer, purpose=Consent.Purpose.MARKETING_EMAIL)

    response = enter(
        client, beacons, store, customer.loyalty_number, django_capture_on_commit_callbacks
    )

    assert response.status_code == 202
    event = PresenceEvent.objects.get()
    assert event.outcome == Outcome.NO_CONSENT
    assert event.customer is None
    assert Visit.objects.get().customer is None
    assert not Visit.objects.filter(customer=customer).exists()
    assert tablet.all() == []


def test_app_devices_and_hashed_emails_resolve_to_the_client(
    client, store, shopper, tablet, django_capture_on_commit_callbacks
):
    app = WebhookSourceFactory(key="app", kind=WebhookSource.Kind.APP)
    wifi = WebhookSourceFactory(key="wifi", kind=WebhookSource.Kind.WIFI)
    AppDeviceFactory(customer=shopper, device_id="ios-7f3a")
    digest = hashlib.sha256(b"camille@example.fr").hexdigest().upper()  # any case

    enter(client, app, store, "ios-7f3a", django_capture_on_commit_callbacks, kind="app_device")
    enter(
        client,
        wifi,
        other := StoreFactory(code="lille"),
        digest,
        django_capture_on_commit_callbacks,
        kind="email_sha256",
    )

    assert Visit.objects.get(store=store).customer == shopper
    assert Visit.objects.get(store=other).customer == shopper
    assert Visit.objects.get(store=store).source == Visit.Source.APP
    assert Visit.objects.get(store=other).source == Visit.Source.WIFI
    assert tablet.receive() is not None


def test_a_customer_without_email_is_never_matched_by_the_hash_of_nothing(
    client, beacons, store, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="")
    ConsentFactory(customer=customer)
    enter(
        client,
        beacons,
        store,
        hashlib.sha256(b"").hexdigest(),
        django_capture_on_commit_callbacks,
        kind="email_sha256",
    )
    assert PresenceEvent.objects.get().outcome == Outcome.ANONYMOUS


# --- De-duplication and departure -------------------------------------------------------


def test_a_second_entry_while_in_the_store_updates_the_visit_without_a_second_push(
    client, beacons, store, shopper, tablet, django_capture_on_commit_callbacks
):
    first = timezone.now() - timedelta(minutes=10)
    enter(
        client, beacons, store, shopper.loyalty_number, django_capture_on_commit_callbacks, at=first
    )
    enter(client, beacons, store, shopper.loyalty_number, django_capture_on_commit_callbacks)

    visit = Visit.objects.get()
    assert visit.arrived_at == first
    assert visit.last_seen_at > first
    assert list(PresenceEvent.objects.order_by("pk").values_list("outcome", flat=True)) == [
        Outcome.PUSHED,
        Outcome.DUPLICATE,
    ]
    assert len(tablet.all()) == 1


def test_exit_removes_the_card_and_a_return_within_the_window_is_the_same_visit(
    client, beacons, store, shopper, tablet, django_capture_on_commit_callbacks
):
    now, number = timezone.now(), shopper.loyalty_number
    send = django_capture_on_commit_callbacks
    enter(client, beacons, store, number, send, at=now - timedelta(minutes=12))
    enter(client, beacons, store, number, send, at=now - timedelta(minutes=10), event="exit")
    assert Visit.objects.get().departed_at is not None
    arrive, leave = tablet.all()
    assert 'hx-swap-oob="delete"' in leave["html"]

    # Back 5 minutes after leaving (within 30): the same visit, and the card again.
    enter(client, beacons, store, number, send, at=now - timedelta(minutes=5))
    visit = Visit.objects.get()
    assert visit.departed_at is None
    assert visit.arrived_at == now - timedelta(minutes=12)
    assert len(tablet.all()) == 1


def test_a_return_after_the_window_is_a_new_visit(
    client, beacons, store, shopper, tablet, django_capture_on_commit_callbacks
):
    now, number = timezone.now(), shopper.loyalty_number
    send = django_capture_on_commit_callbacks
    enter(client, beacons, store, number, send, at=now - timedelta(minutes=45))
    enter(client, beacons, store, number, send, at=now - timedelta(minutes=31), event="exit")
    enter(client, beacons, store, number, send, at=now)

    assert Visit.objects.count() == 2
    assert Visit.objects.filter(departed_at__isnull=True).get().arrived_at == now
    assert PresenceEvent.objects.order_by("pk").last().outcome == Outcome.PUSHED


def test_a_visit_that_went_quiet_long_ago_is_closed_at_its_last_signal_on_return(
    client, beacons, store, shopper, django_capture_on_commit_callbacks
):
    now = timezone.now()
    old = Visit.objects.create(
        store=store,
        customer=shopper,
        source=Visit.Source.BEACON,
        arrived_at=now - timedelta(hours=3),
        last_seen_at=now - timedelta(hours=2),
    )
    enter(client, beacons, store, shopper.loyalty_number, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert old.departed_at == old.last_seen_at
    assert Visit.objects.filter(departed_at__isnull=True).exclude(pk=old.pk).exists()


def test_an_exit_without_an_open_visit_is_logged_and_harmless(
    client, beacons, store, shopper, tablet, django_capture_on_commit_callbacks
):
    response = enter(
        client,
        beacons,
        store,
        shopper.loyalty_number,
        django_capture_on_commit_callbacks,
        event="exit",
    )
    assert response.status_code == 202
    assert PresenceEvent.objects.get().outcome == Outcome.EXIT
    assert not Visit.objects.exists()
    assert tablet.all() == []


def test_pushes_leave_only_after_the_commit(
    client, beacons, store, shopper, tablet, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_signed(client, URL, beacons, presence_payload(store, shopper.loyalty_number))
    assert tablet.all() == []  # the transaction has not committed yet
    for callback in callbacks:
        callback()
    assert tablet.receive() is not None


def test_expiry_is_computed_from_timestamps_and_the_task_only_tidies_up(
    client, associate_client, store, settings
):
    settings.VISIT_IDLE_MINUTES = 20
    now = timezone.now()
    quiet = Visit.objects.create(
        store=store,
        customer=CustomerFactory(last_name="Quiet"),
        source=Visit.Source.BEACON,
        arrived_at=now - timedelta(minutes=50),
        last_seen_at=now - timedelta(minutes=21),
    )
    here = Visit.objects.create(
        store=store,
        customer=CustomerFactory(last_name="Here"),
        source=Visit.Source.BEACON,
        arrived_at=now - timedelta(minutes=50),
        last_seen_at=now - timedelta(minutes=19),
    )

    # Before any tidy-up, the floor already leaves out the client who went quiet.
    page = associate_client.get(f"/stores/{store.code}/floor/").text
    assert "Here" in page and "Quiet" not in page

    assert visits_tidy() == 1
    quiet.refresh_from_db()
    here.refresh_from_db()
    assert quiet.departed_at == quiet.last_seen_at  # ended at its last signal
    assert here.departed_at is None
    assert visits_end_expired() == 0  # safe to run twice


def test_the_tidy_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["visits-tidy"]
    assert entry["task"] == "floor.tasks.visits_tidy"


@pytest.mark.parametrize("superuser", [True, False])
def test_head_office_reads_the_presence_and_access_logs_in_admin(client, db, superuser):
    from staff.models import StaffProfile
    from tests.factories import make_staff

    reader = make_staff(StaffProfile.Role.HEAD_OFFICE, is_staff=True, is_superuser=superuser)
    mfa_login(client, reader)
    for url in ("/admin/floor/presenceevent/", "/admin/customers/cardview/"):
        assert client.get(url).status_code == 200
        assert client.get(url + "add/").status_code == 403  # read-only


def test_store_staff_cannot_read_the_logs(client, associate):
    client.force_login(associate)
    assert client.get("/admin/customers/cardview/").status_code == 302  # to admin sign-in


# --- Two signals at once ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_entry_signals_at_once_make_one_visit_and_one_card(beacons, store, shopper, tablet):
    """The beacons and the wifi see the shopper in the same instant: two requests race on
    the open-visit constraint; one visit, one card, the other logged as a duplicate."""
    barrier = threading.Barrier(2)

    def signal(_):
        try:
            barrier.wait(timeout=10)
            return post_signed(
                Client(), URL, beacons, presence_payload(store, shopper.loyalty_number)
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(signal, range(2))) == [202, 202]
    assert Visit.objects.filter(customer=shopper).count() == 1
    assert sorted(PresenceEvent.objects.values_list("outcome", flat=True)) == [
        Outcome.DUPLICATE,
        Outcome.PUSHED,
    ]
    cards = [m for m in tablet.all(timeout=1) if "visit-" in str(m.get("html"))]
    assert len(cards) == 1
