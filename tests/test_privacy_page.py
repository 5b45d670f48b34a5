"""The shopper's own privacy page: no staff sign-in, a code emailed to prove who they
are, the same answer for any email, rate limits, their choices recorded as theirs, and
requests for an export or an erasure for head office."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from clienteling.celery import app as celery_app
from customers.consent_texts import wording_current
from customers.models import Consent, PrivacyCode, PrivacyRequest
from customers.selectors import consent_in_force
from customers.services import email_sha256, privacy_code_issue
from floor.selectors import floor_cards
from tests.factories import ConsentFactory, CustomerFactory, VisitFactory, mfa_login

EMAIL = "camille.martin@example.fr"


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def camille(db):
    return CustomerFactory(
        first_name="Camille", last_name="Martin", email=EMAIL, preferred_language="fr"
    )


def code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def sign_in(client, email=EMAIL, *, captured) -> None:
    with captured(execute=True):
        client.post("/privacy/", {"email": email})
    code = code_from(mail.outbox[-1])
    response = client.post("/privacy/code/", {"code": code})
    assert response.status_code == 302 and response.url == "/privacy/me/"


def test_the_start_page_is_public_phone_sized_and_labelled(client, db):
    page = client.get("/privacy/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert '<label for="id_email">Votre e-mail</label>' in html
    assert 'class="app-header"' not in html  # no staff header
    assert "English" in html  # the language switch
    english = client.get("/privacy/", headers={"accept-language": "en"})
    assert "Your data and your choices" in english.content.decode()


def test_a_known_email_gets_a_code_by_email_and_opens_the_page(
    client, camille, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/privacy/", {"email": "  Camille.Martin@Example.fr "})
    assert response.status_code == 302 and response.url == "/privacy/code/"
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert "Votre code" in message.subject
    assert "http://127.0.0.1:8000/privacy/" in message.body
    code = code_from(message)
    row = PrivacyCode.objects.get()
    assert code not in row.code_hash and row.email_sha256 == email_sha256(EMAIL)
    assert row.expires_at - row.created_at == timedelta(minutes=10)

    assert client.post("/privacy/code/", {"code": code}).url == "/privacy/me/"
    page = client.get("/privacy/me/").content.decode()
    assert "Bonjour Camille" in page
    assert "Reconnaissance en magasin" in page
    # The code works once.
    other = Client()
    other.post("/privacy/", {"email": EMAIL})
    assert other.post("/privacy/code/", {"code": code}).status_code == 422


def test_an_unknown_email_gets_the_same_answer_and_no_email(
    client, camille, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/privacy/", {"email": EMAIL})
        known_page = client.get(known.url).content.decode()
        stranger = Client()
        unknown = stranger.post("/privacy/", {"email": "nobody@example.fr"})
        unknown_page = stranger.get(unknown.url).content.decode()
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known_page) == strip.sub("", unknown_page)
    assert "Si cet e-mail nous est connu" in unknown_page
    assert len(mail.outbox) == 1
    assert not PrivacyCode.objects.filter(email_sha256=email_sha256("nobody@example.fr")).exists()
    # Wrong codes read the same too, and so does the end of the tries.
    for attempt in range(6):
        a = client.post("/privacy/code/", {"code": "000000"})
        b = stranger.post("/privacy/code/", {"code": "000000"})
        assert a.status_code == b.status_code == (422 if attempt < 5 else 429)


def test_five_tries_then_a_new_code_is_needed(client, camille):
    client.post("/privacy/", {"email": EMAIL})
    code = privacy_code_issue(email=EMAIL)  # the live one (as the email would carry)
    for _ in range(5):
        assert client.post("/privacy/code/", {"code": "999999"}).status_code == 422
    response = client.post("/privacy/code/", {"code": code})
    assert response.status_code == 429
    assert "Trop de codes erronés" in response.content.decode()
    assert client.get("/privacy/me/").url == "/privacy/"


def test_an_expired_code_is_refused(client, camille):
    client.post("/privacy/", {"email": EMAIL})
    code = privacy_code_issue(email=EMAIL)
    PrivacyCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/privacy/code/", {"code": code})
    assert response.status_code == 422
    assert "erroné ou a expiré" in response.content.decode()


def test_asking_for_codes_is_rate_limited_per_email_and_per_ip(camille):
    per_email = [Client().post("/privacy/", {"email": EMAIL}).status_code for _ in range(4)]
    assert per_email == [302, 302, 302, 429]
    unknown = [Client().post("/privacy/", {"email": "x@example.fr"}).status_code for _ in range(4)]
    assert unknown == per_email  # the same for an email nobody has
    same_ip = Client()
    statuses = [
        same_ip.post("/privacy/", {"email": f"n{i}@example.fr"}).status_code for i in range(3)
    ]
    assert statuses == [302, 302, 429]  # 8 from this address already, limit 10


def test_the_shopper_withdraws_and_agrees_as_themselves(
    client, camille, store, eager_tasks, django_capture_on_commit_callbacks
):
    ConsentFactory(customer=camille)
    VisitFactory(store=store, customer=camille)
    sign_in(client, captured=django_capture_on_commit_callbacks)
    page = client.get("/privacy/me/").content.decode()
    assert "Retirer « Reconnaissance en magasin »" in page
    version = wording_current(Consent.Purpose.IN_STORE_RECOGNITION).version

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/privacy/me/consents/",
            {
                "purpose": "recognition",
                "action": "withdraw",
                "wording_version": version,
                "language": "fr",
            },
        )
    assert response.status_code == 302
    consent = camille.consents.latest("recorded_at")
    assert not consent.granted
    assert (consent.source, consent.actor, consent.recorded_by) == ("shopper_page", "shopper", None)
    assert consent.wording_version == version
    assert floor_cards(store.pk) == []  # off the floor at once
    page = client.get("/privacy/me/").content.decode()
    assert "Enregistré : vous avez retiré « Reconnaissance en magasin »" in page
    assert "J’accepte « Reconnaissance en magasin »" in page

    client.post(
        "/privacy/me/consents/",
        {"purpose": "marketing_email", "action": "grant", "wording_version": version},
    )  # no language: refused, nothing written
    assert not consent_in_force(camille.pk, Consent.Purpose.MARKETING_EMAIL)


def test_the_shopper_asks_for_an_export_and_an_erasure_once_each(
    client, camille, eager_tasks, django_capture_on_commit_callbacks, head_office
):
    sign_in(client, captured=django_capture_on_commit_callbacks)
    for kind in ("export", "erasure", "erasure"):
        assert client.post("/privacy/me/requests/", {"kind": kind}).status_code == 302
    assert sorted(PrivacyRequest.objects.values_list("kind", "status")) == [
        ("erasure", "received"),
        ("export", "received"),
    ]
    page = client.get("/privacy/me/").content.decode()
    assert "Demander une copie de mes données" not in page  # already asked
    assert client.post("/privacy/me/requests/", {"kind": "everything"}).status_code == 400

    admin = Client()
    mfa_login(admin, head_office)
    listing = admin.get("/admin/customers/privacyrequest/").content.decode()
    assert "Camille Martin" in listing and "effacement" in listing


def test_the_page_needs_the_code_first_and_closes(client, camille):
    assert client.get("/privacy/me/").url == "/privacy/"
    assert client.post("/privacy/me/requests/", {"kind": "export"}).url == "/privacy/"
    assert client.get("/privacy/code/").url == "/privacy/"
    assert not PrivacyRequest.objects.exists()


def test_the_page_reads_in_a_fixed_number_of_queries(
    client, camille, eager_tasks, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for purpose in Consent.Purpose.values:
        ConsentFactory(customer=camille, purpose=purpose)
    sign_in(client, captured=django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(6):
        assert client.get("/privacy/me/").status_code == 200


def test_staff_print_a_qr_poster_for_their_store(associate_client, store, other_store):
    poster = associate_client.get(f"/privacy/poster/{store.code}/")
    assert poster.status_code == 200
    html = poster.content.decode()
    assert "<svg" in html and "http://127.0.0.1:8000/privacy/?store=paris-opera" in html
    assert "Vos données et vos choix" in html and "Your data and your choices" in html
    assert associate_client.get(f"/privacy/poster/{other_store.code}/").status_code == 403
    assert Client().get(f"/privacy/poster/{store.code}/").status_code == 302  # sign in
