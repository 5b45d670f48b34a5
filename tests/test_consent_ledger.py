"""Consent as a ledger: every grant or withdrawal is a new row with who, where, when and
the words shown; rows are never edited nor deleted; the card records an answer in two
taps; a withdrawal of in-store recognition takes the shopper off every floor at once."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from customers.consent_texts import WORDINGS, wording_current
from customers.models import Consent, ConsentLedgerError, Customer
from customers.selectors import consent_in_force
from customers.services import ConsentError, consent_record, customer_quick_create
from floor.models import PresenceEvent, Visit
from floor.selectors import floor_cards
from floor.services import presence_record
from integrations.models import WebhookSource
from staff.models import StaffProfile
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    UserFactory,
    VisitFactory,
    WebhookSourceFactory,
    make_staff,
    mfa_login,
)
from tests.floor_helpers import GroupListener, post_signed, presence_payload

Purpose = Consent.Purpose
HX = {"HX-Request": "true"}


@pytest.fixture
def camille(db):
    return CustomerFactory(first_name="Camille", last_name="Martin", preferred_language="fr")


# --- The ledger -------------------------------------------------------------------------


def test_each_answer_is_a_new_row_and_the_latest_is_in_force(camille, associate, store):
    hour_ago = timezone.now() - timedelta(hours=1)
    consent_record(
        customer=camille,
        purpose=Purpose.IN_STORE_RECOGNITION,
        granted=True,
        source=Consent.Source.STORE,
        by=associate,
        store=store,
        at=hour_ago,
    )
    withdrawal = consent_record(
        customer=camille,
        purpose=Purpose.IN_STORE_RECOGNITION,
        granted=False,
        source=Consent.Source.SHOPPER_PAGE,
    )

    rows = list(camille.consents.order_by("recorded_at"))
    assert [r.granted for r in rows] == [True, False]
    grant = rows[0]
    assert (grant.source, grant.channel, grant.actor) == ("store", "store", "staff")
    assert (grant.recorded_by, grant.store) == (associate, store)
    assert grant.wording_version == wording_current(Purpose.IN_STORE_RECOGNITION).version
    assert grant.language == "fr"
    assert (withdrawal.actor, withdrawal.channel) == ("shopper", "web")
    assert withdrawal.recorded_by is None
    assert not consent_in_force(camille.pk, Purpose.IN_STORE_RECOGNITION)
    assert consent_in_force(camille.pk, Purpose.IN_STORE_RECOGNITION, at=hour_ago)


def test_words_no_longer_shown_are_refused_and_nothing_is_written(camille):
    with pytest.raises(ConsentError):
        consent_record(
            customer=camille,
            purpose=Purpose.MARKETING_EMAIL,
            granted=True,
            source=Consent.Source.STORE,
            wording_version="1999-01",
        )
    assert not camille.consents.exists()


def test_a_consent_row_cannot_be_edited_or_deleted_through_the_models(camille):
    consent = ConsentFactory(customer=camille)
    consent.granted = False
    with pytest.raises(ConsentLedgerError):
        consent.save()
    with pytest.raises(ConsentLedgerError):
        consent.delete()
    with pytest.raises(ConsentLedgerError):
        Consent.objects.filter(pk=consent.pk).update(granted=False)
    with pytest.raises(ConsentLedgerError):
        camille.consents.all().delete()
    assert Consent.objects.get(pk=consent.pk).granted is True


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE customers_consent SET granted = false WHERE id = %s",
        "UPDATE customers_consent SET recorded_at = now() - interval '1 year' WHERE id = %s",
        "DELETE FROM customers_consent WHERE id = %s",
    ],
)
def test_the_database_refuses_to_rewrite_the_ledger(camille, sql):
    consent = ConsentFactory(customer=camille)
    with (
        pytest.raises(IntegrityError, match="ledger"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [consent.pk])
    assert Consent.objects.get(pk=consent.pk).granted is True


def test_deleting_the_staff_member_or_the_whole_customer_still_works(camille, store):
    colleague = UserFactory()
    consent = consent_record(
        customer=camille,
        purpose=Purpose.MARKETING_EMAIL,
        granted=True,
        source=Consent.Source.STORE,
        by=colleague,
        store=store,
    )
    colleague.delete()
    consent.refresh_from_db()
    assert consent.recorded_by is None and consent.actor == "staff"

    Customer.objects.filter(pk=camille.pk).delete()
    assert not Consent.objects.filter(pk=consent.pk).exists()


def test_every_wording_is_pinned_in_every_language():
    """A changed word (English source or French catalogue) must become a new version."""
    for purpose, versions in WORDINGS.items():
        assert purpose in Purpose.values
        assert len({w.version for w in versions}) == len(versions)
        for wording in versions:
            assert {
                language: wording.fingerprint(language) for language, _ in wording.fingerprints
            } == dict(wording.fingerprints), f"{purpose} {wording.version}: add a new version"


# --- Admin: read only -------------------------------------------------------------------


def test_admin_shows_the_ledger_read_only(client, head_office, camille):
    ConsentFactory(customer=camille)
    mfa_login(client, head_office)

    page = client.get(f"/admin/customers/customer/{camille.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "consents-0-granted" not in html  # nothing editable
    assert "consents-0-DELETE" not in html
    assert "Reconnaissance en magasin" in html

    consent = camille.consents.get()
    assert client.get(f"/admin/customers/consent/{consent.pk}/change/").status_code == 200
    assert client.post(f"/admin/customers/consent/{consent.pk}/delete/").status_code == 403
    assert client.get("/admin/customers/consent/add/").status_code == 403
    assert Consent.objects.count() == 1


# --- On the card: two taps ---------------------------------------------------------------


def test_two_taps_on_the_card_record_a_grant_with_the_words_read(
    associate_client, associate, store, django_assert_max_num_queries
):
    client_en = CustomerFactory(first_name="John", last_name="Smith", preferred_language="en")
    card = associate_client.get(f"/customers/{client_en.pk}/").content.decode()
    confirm_url = f"/customers/{client_en.pk}/consents/recognition/grant/"
    assert confirm_url in card

    with django_assert_max_num_queries(8):
        step1 = associate_client.get(confirm_url, headers=HX)
    html = step1.content.decode()
    wording = wording_current(Purpose.IN_STORE_RECOGNITION)
    assert "May we recognise you when you walk into our stores" in html  # the client's language
    assert 'lang="en"' in html
    assert f'value="{wording.version}"' in html
    assert "Le client est d’accord : enregistrer" in html
    assert not client_en.consents.exists()  # nothing yet

    with django_assert_max_num_queries(16):
        step2 = associate_client.post(
            f"/customers/{client_en.pk}/consents/record/",
            {
                "purpose": "recognition",
                "action": "grant",
                "wording_version": wording.version,
                "language": "en",
            },
            headers=HX,
        )
    assert step2.status_code == 200
    assert "Enregistré : John Smith accepte « Reconnaissance en magasin »" in (
        step2.content.decode()
    )
    consent = client_en.consents.get()
    assert consent.granted and consent.source == "store" and consent.recorded_by == associate
    assert (consent.store, consent.wording_version, consent.language) == (
        store,
        wording.version,
        "en",
    )


def test_the_card_refuses_stale_words_and_bad_input_without_writing(associate_client, camille):
    url = f"/customers/{camille.pk}/consents/record/"
    stale = associate_client.post(
        url,
        {"purpose": "recognition", "action": "grant", "wording_version": "2001", "language": "fr"},
        headers=HX,
    )
    assert stale.status_code == 409
    assert "Le texte a changé" in stale.content.decode()
    bad = associate_client.post(url, {"purpose": "religion", "action": "grant"}, headers=HX)
    assert bad.status_code == 400
    unknown = associate_client.get(f"/customers/{camille.pk}/consents/health/grant/")
    assert unknown.status_code == 404
    assert not camille.consents.exists()


def test_without_htmx_the_steps_are_pages(associate_client, camille):
    page = associate_client.get(f"/customers/{camille.pk}/consents/marketing_email/grant/")
    assert page.status_code == 200
    assert "Pouvons-nous vous envoyer nos nouveautés" in page.content.decode()
    done = associate_client.post(
        f"/customers/{camille.pk}/consents/record/",
        {
            "purpose": "marketing_email",
            "action": "grant",
            "wording_version": wording_current(Purpose.MARKETING_EMAIL).version,
            "language": "fr",
        },
    )
    assert done.status_code == 302 and done.url == f"/customers/{camille.pk}/"
    assert consent_in_force(camille.pk, Purpose.MARKETING_EMAIL)


# --- A withdrawal takes effect everywhere at once ----------------------------------------


def test_a_withdrawal_on_the_card_takes_the_client_off_every_floor(
    associate_client, camille, store, other_store, django_capture_on_commit_callbacks
):
    ConsentFactory(customer=camille)
    here = VisitFactory(store=store, customer=camille)
    there = VisitFactory(store=other_store, customer=camille)
    paris, lyon = GroupListener(store), GroupListener(other_store)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = associate_client.post(
                f"/customers/{camille.pk}/consents/record/",
                {
                    "purpose": "recognition",
                    "action": "withdraw",
                    "wording_version": wording_current(Purpose.IN_STORE_RECOGNITION).version,
                    "language": "fr",
                },
                headers=HX,
            )
        assert response.status_code == 200
        for listener, visit in ((paris, here), (lyon, there)):
            removal = f'<article id="visit-{visit.pk}" hx-swap-oob="delete"></article>'
            assert listener.receive()["html"] == removal
    finally:
        paris.close()
        lyon.close()
    assert floor_cards(store.pk) == [] and floor_cards(other_store.pk) == []
    assert not Visit.objects.present().filter(customer=camille).exists()


def test_withdrawing_another_purpose_leaves_the_card_on_the_floor(camille, store):
    ConsentFactory(customer=camille)
    VisitFactory(store=store, customer=camille)
    consent_record(
        customer=camille, purpose=Purpose.MARKETING_EMAIL, granted=False, source="shopper_page"
    )
    assert [v.customer for v in floor_cards(store.pk)] == [camille]


def test_no_later_entry_recognises_a_shopper_who_withdrew(
    client, camille, store, django_capture_on_commit_callbacks
):
    ConsentFactory(customer=camille)
    beacons = WebhookSourceFactory(key="beacons", kind=WebhookSource.Kind.BEACON)
    consent_record(
        customer=camille,
        purpose=Purpose.IN_STORE_RECOGNITION,
        granted=False,
        source=Consent.Source.SHOPPER_PAGE,
    )
    tablet = GroupListener(store)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(
                client,
                "/api/presence/",
                beacons,
                presence_payload(store, camille.loyalty_number),
            )
        assert response.status_code == 202
        assert tablet.all() == []
    finally:
        tablet.close()
    event = PresenceEvent.objects.get()
    assert event.outcome == PresenceEvent.Outcome.NO_CONSENT and event.customer is None
    assert floor_cards(store.pk) == []


def test_a_client_who_agrees_again_is_recognised_again(client, camille, store):
    ConsentFactory(customer=camille)
    make_staff(StaffProfile.Role.ASSOCIATE, store)
    beacons = WebhookSourceFactory(key="beacons", kind=WebhookSource.Kind.BEACON)
    VisitFactory(store=store, customer=camille)
    consent_record(customer=camille, purpose="recognition", granted=False, source="store")
    consent_record(customer=camille, purpose="recognition", granted=True, source="store")
    post_signed(client, "/api/presence/", beacons, presence_payload(store, camille.loyalty_number))
    assert [v.customer for v in floor_cards(store.pk)] == [camille]


def test_a_client_created_at_the_counter_has_their_answers_in_the_ledger(associate, store):
    customer = customer_quick_create(
        first_name="Inès",
        last_name="Durand",
        email="ines@example.fr",
        preferred_language="en",
        consents={Purpose.IN_STORE_RECOGNITION: True, Purpose.MARKETING_EMAIL: False},
        by=associate,
        store=store,
        consent_language="fr",
    )
    rows = {c.purpose: c for c in customer.consents.all()}
    assert rows[Purpose.IN_STORE_RECOGNITION].granted and not rows[Purpose.MARKETING_EMAIL].granted
    for row in rows.values():
        assert (row.source, row.actor, row.recorded_by, row.store) == (
            "store",
            "staff",
            associate,
            store,
        )
        assert (row.wording_version, row.language) == ("2026-11", "fr")


@pytest.mark.django_db(transaction=True)
def test_an_entry_during_a_withdrawal_waits_for_it_and_is_not_recognised(store):
    """The withdrawal locks the client; an entry arriving meanwhile reads the consent only
    once the withdrawal is committed, so no card is pushed after it."""
    camille = CustomerFactory()
    ConsentFactory(customer=camille)
    written, outcome = threading.Event(), {}

    def withdraw():
        try:
            with transaction.atomic():
                consent_record(
                    customer=camille, purpose="recognition", granted=False, source="store"
                )
                written.set()
                time.sleep(0.5)  # the entry arrives now
        finally:
            close_old_connections()

    def enter():
        try:
            event = presence_record(
                store=store,
                identifier_kind="loyalty_number",
                identifier=camille.loyalty_number,
                event="enter",
                occurred_at=timezone.now(),
                source="beacon",
            )
            outcome["value"] = event.outcome
        finally:
            close_old_connections()

    withdrawal = threading.Thread(target=withdraw)
    withdrawal.start()
    assert written.wait(5)
    entry = threading.Thread(target=enter)
    entry.start()
    withdrawal.join(5)
    entry.join(5)
    assert outcome["value"] == PresenceEvent.Outcome.NO_CONSENT
    assert floor_cards(store.pk) == []
