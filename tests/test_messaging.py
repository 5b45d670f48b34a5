"""Messages to clients from the card: gated by the channel's marketing consent, sent once
through the outbox (email over SMTP, SMS through the provider's HTTP API), in the
client's language, kept in their history, their export, and blanked by their erasure."""

import base64
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from catalog.services import product_image_save, product_search_refresh
from clienteling.celery import app as celery_app
from customers.models import CardView, Consent
from integrations.models import OutboundMessage
from integrations.outbox import message_deliver, outbox_due
from integrations.tasks import outbox_send
from messaging.models import Message, Purpose, Selection, SelectionItem
from messaging.services import (
    MessageRefused,
    message_send,
    selection_item_add,
    selection_send,
)
from privacy.selectors import customer_data
from privacy.services import customer_erase
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    StockLevelFactory,
    VariantFactory,
    photo,
)

HTMX = {"HX-Request": "true"}
Status = OutboundMessage.Status


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def camille(db):
    return CustomerFactory(
        first_name="Camille",
        last_name="Martin",
        email="camille@example.fr",
        phone="06 12 34 56 78",
    )


def consent(customer, purpose, granted=True):
    return ConsentFactory(customer=customer, purpose=purpose, granted=granted, source="store")


@pytest.fixture
def tv(db, store, other_store):
    product = ProductFactory(name="Téléviseur OLED 55", list_price="999.00")
    variant = VariantFactory(product=product, colour="noir")
    StockLevelFactory(store=store, variant=variant, on_hand=2)
    StockLevelFactory(store=other_store, variant=variant, on_hand=1)
    return variant


def section(client, customer):
    return client.get(f"/customers/{customer.pk}/messages/", headers=HTMX)


def post(client, customer, path, data):
    return client.post(f"/customers/{customer.pk}/{path}", data, headers=HTMX)


KEY = "0123456789abcdef0123456789abcdef"


# --- Consent -------------------------------------------------------------------------------


def test_without_the_email_consent_nothing_is_sent_and_the_card_says_why(associate_client, camille):
    consent(camille, Consent.Purpose.MARKETING_SMS)  # the other channel's consent
    consent(camille, Consent.Purpose.MARKETING_EMAIL, granted=False)

    page = section(associate_client, camille).text
    assert "Camille Martin n’a pas accepté les e-mails commerciaux." in page or (
        "Camille Martin n'a pas accepté les e-mails commerciaux." in page
    )
    response = post(
        associate_client,
        camille,
        "messages/send/",
        {"channel": "email", "purpose": "follow_up", "text": "Bonjour", "key": KEY},
    )

    assert response.status_code == 409
    assert "accepté les e-mails commerciaux" in response.text
    assert not Message.objects.exists() and not OutboundMessage.objects.exists()


def test_without_the_sms_consent_no_text_message_is_queued(associate, store, camille):
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    with pytest.raises(MessageRefused, match="SMS commerciaux|text messages"):
        message_send(
            customer=camille, channel="sms", purpose=Purpose.FOLLOW_UP, by=associate, store=store
        )
    assert not Message.objects.exists() and not OutboundMessage.objects.exists()


def test_a_withdrawn_consent_stops_the_next_message(associate, store, camille):
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    message_send(
        customer=camille, channel="email", purpose=Purpose.FOLLOW_UP, by=associate, store=store
    )
    Consent.objects.create(
        customer=camille,
        purpose=Consent.Purpose.MARKETING_EMAIL,
        granted=False,
        source="shopper_page",
        actor="shopper",
        recorded_at=timezone.now(),
    )
    with pytest.raises(MessageRefused):
        message_send(
            customer=camille, channel="email", purpose=Purpose.FOLLOW_UP, by=associate, store=store
        )
    assert Message.objects.count() == 1


def test_an_order_ready_notice_needs_no_marketing_consent(associate, store, camille):
    message = message_send(
        customer=camille, channel="email", purpose=Purpose.ORDER_READY, by=associate, store=store
    )
    assert "Votre commande est prête" in message.subject


def test_no_number_to_text_is_a_refusal(associate, store, camille):
    consent(camille, Consent.Purpose.MARKETING_SMS)
    camille.phone = "12"
    camille.save()
    with pytest.raises(MessageRefused, match="numéro"):
        message_send(
            customer=camille, channel="sms", purpose=Purpose.FOLLOW_UP, by=associate, store=store
        )


# --- Email ---------------------------------------------------------------------------------


def test_an_email_is_sent_once_after_commit_in_french_and_kept_in_the_history(
    associate_client, associate, camille, eager_tasks, django_capture_on_commit_callbacks
):
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    data = {
        "channel": "email",
        "purpose": "follow_up",
        "text": "Le modèle arrive jeudi.",
        "key": KEY,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(associate_client, camille, "messages/send/", data)
        again = post(associate_client, camille, "messages/send/", data)  # a double tap

    assert response.status_code == again.status_code == 200
    assert "E-mail à camille@example.fr : en route." in response.text.replace("\u202f", " ")
    (email,) = mail.outbox
    message = Message.objects.get()
    assert email.to == ["camille@example.fr"]
    assert email.subject == "Des nouvelles de Paris Opéra"
    assert email.extra_headers["Message-ID"] == f"<message-{camille.pk}-{KEY}@clienteling>"
    assert email.body.startswith("Bonjour Camille,")
    assert "Le modèle arrive jeudi." in email.body
    assert "Léa Moreau, Paris Opéra" in email.body
    assert message.outbound.status == Status.SENT
    outbox_send.apply(args=[message.outbound_id])  # a redelivered task
    assert len(mail.outbox) == 1

    history = section(associate_client, camille).text
    assert "Le modèle arrive jeudi." in history and "Léa Moreau" in history


def test_english_speaking_clients_get_english(associate, store, camille):
    camille.preferred_language = "en"
    camille.save()
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    message = message_send(
        customer=camille, channel="email", purpose=Purpose.BACK_IN_STOCK, by=associate, store=store
    )
    message_deliver(message_id=message.outbound_id)
    (email,) = mail.outbox
    assert email.subject == "Back in stock at Paris Opéra"
    assert email.body.startswith("Hello Camille,")


# --- SMS through the provider's HTTP API ---------------------------------------------------


class Provider:
    """A local stand-in for Twilio's Messages API: records each request, answers as told."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer = (201, {"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"})
        self.delay = 0.0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                provider.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "form": parse_qs(self.rfile.read(length).decode()),
                    }
                )
                if provider.delay:
                    threading.Event().wait(provider.delay)
                status, body = provider.answer
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    provider = Provider()
    settings.SMS_BACKEND = "integrations.sms.TwilioBackend"
    settings.SMS_API_BASE_URL = provider.url
    settings.SMS_ACCOUNT_SID = "AC0123456789"
    settings.SMS_AUTH_TOKEN = "secret-token"  # noqa: S105
    settings.SMS_FROM = "+33700000000"
    settings.SMS_TIMEOUT = 1
    yield provider
    provider.close()


def sms(associate, store, customer, **kwargs):
    consent(customer, Consent.Purpose.MARKETING_SMS)
    return message_send(
        customer=customer,
        channel="sms",
        purpose=Purpose.FOLLOW_UP,
        by=associate,
        store=store,
        text="Votre TV est arrivée.",
        **kwargs,
    )


def test_a_text_message_is_posted_to_the_provider_as_its_api_documents(
    provider, associate, store, camille
):
    message = sms(associate, store, camille)

    assert message_deliver(message_id=message.outbound_id).sent
    (request,) = provider.requests
    assert request["path"] == "/2010-04-01/Accounts/AC0123456789/Messages.json"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    auth = base64.b64decode(request["headers"]["Authorization"].removeprefix("Basic ")).decode()
    assert auth == "AC0123456789:secret-token"
    form = {k: v[0] for k, v in request["form"].items()}
    assert form["To"] == "+33612345678" and form["From"] == "+33700000000"
    assert form["Body"].startswith("Bonjour Camille,") and "Votre TV est arrivée." in form["Body"]
    assert "Léa Moreau, Paris Opéra" in form["Body"]
    outbound = OutboundMessage.objects.get(pk=message.outbound_id)
    assert (outbound.status, outbound.channel) == (Status.SENT, "sms")
    assert outbound.message_id == "SM0123456789abcdef0123456789abcdef"
    assert not message_deliver(message_id=message.outbound_id).sent  # never twice
    assert len(provider.requests) == 1


def test_a_refusal_by_the_provider_is_recorded_and_not_retried(provider, associate, store, camille):
    provider.answer = (400, {"code": 21211, "message": "The 'To' number is not valid."})
    message = sms(associate, store, camille)

    assert not message_deliver(message_id=message.outbound_id).sent
    outbound = OutboundMessage.objects.get(pk=message.outbound_id)
    assert outbound.status == Status.FAILED
    assert "21211" in outbound.last_error and outbound.next_attempt_at is None
    assert outbox_due(now=timezone.now() + timedelta(days=1)) == []


@pytest.mark.parametrize("trouble", ["server error", "timeout", "down"])
def test_a_provider_in_trouble_is_retried_later(provider, associate, store, camille, trouble):
    if trouble == "server error":
        provider.answer = (503, {"message": "Service unavailable"})
    elif trouble == "timeout":
        provider.delay = 2.5  # beyond SMS_TIMEOUT
    else:
        provider.close()
    message = sms(associate, store, camille)

    assert not message_deliver(message_id=message.outbound_id).sent
    outbound = OutboundMessage.objects.get(pk=message.outbound_id)
    assert outbound.status == Status.FAILED and outbound.next_attempt_at is not None
    assert outbox_due(now=outbound.next_attempt_at) == [outbound.pk]
    if trouble == "down":
        return
    provider.delay = 0
    provider.answer = (201, {"sid": "SMretry"})
    OutboundMessage.objects.filter(pk=outbound.pk).update(next_attempt_at=timezone.now())
    assert message_deliver(message_id=message.outbound_id).sent
    assert OutboundMessage.objects.get(pk=message.outbound_id).status == Status.SENT


# --- Selections ----------------------------------------------------------------------------


def link_in(body: str) -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/selection/\S+/)", body).group(1)


def test_a_selection_is_built_on_the_card_sent_and_opened_by_the_client(
    client,
    associate_client,
    associate,
    camille,
    tv,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    product_search_refresh()
    results = associate_client.get(
        f"/customers/{camille.pk}/selection/search/", {"q": "oled"}, headers=HTMX
    )
    assert "Téléviseur OLED 55" in results.text
    added = post(
        associate_client,
        camille,
        "selection/add/",
        {"variant": tv.pk, "note": "Parfait pour votre salon"},
    )
    assert added.status_code == 200 and "Parfait pour votre salon" in added.text
    with django_capture_on_commit_callbacks(execute=True):
        sent = post(associate_client, camille, "selection/send/", {"channel": "email", "key": KEY})
    assert sent.status_code == 200
    (email,) = mail.outbox
    assert "- Téléviseur OLED 55" in email.body and "Parfait pour votre salon" in email.body
    selection = Selection.objects.get()
    assert selection.sent_at is not None and selection.first_opened_at is None

    associate_client.logout()
    page = client.get(link_in(email.body))

    assert page.status_code == 200
    text = page.text
    assert "Téléviseur OLED 55" in text and "Parfait pour votre salon" in text
    assert "999,00\xa0€" in text
    assert "Lyon Part-Dieu, Paris Opéra" in text
    assert "Léa" not in text and "Camille" not in text  # nothing about staff, nor the client
    selection.refresh_from_db()
    assert selection.open_count == 1 and selection.first_opened_at is not None

    associate_client.force_login(associate)
    assert "a ouvert la sélection maintenant" in section(associate_client, camille).text
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        card = section(associate_client, camille).text
    assert "a ouvert la sélection il y a 2\xa0heures" in card


def test_the_client_sees_each_products_photo_and_its_page(
    client, associate, store, camille, tv, image_storage
):
    product_image_save(product=tv.product, upload=photo())
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    selection_item_add(customer=camille, variant=tv, by=associate, store=store)
    message = selection_send(customer=camille, channel="email", by=associate, store=store)

    page = client.get(link_in(message.body)).text

    assert re.search(r'<img class="photo" src="/media/[^"]+" alt="Téléviseur OLED 55"', page)
    assert f'href="/p/{tv.product_id}/?variant={tv.pk}"' in page


def test_sending_an_empty_selection_is_refused(associate_client, camille):
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    response = post(associate_client, camille, "selection/send/", {"channel": "email", "key": KEY})
    assert response.status_code == 409
    assert "Ajoutez au moins un produit" in response.text
    assert not Message.objects.exists()


def test_a_link_expires_after_thirty_days_and_an_altered_one_says_nothing(
    client, associate, store, camille, tv
):
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    selection_item_add(customer=camille, variant=tv, by=associate, store=store)
    message = selection_send(customer=camille, channel="email", by=associate, store=store)
    path = link_in(message.body)

    token = path.split("/")[2]
    tampered = client.get(f"/selection/{token[:-2]}xx/")
    assert tampered.status_code == 404
    assert "Ce lien ne fonctionne pas" in tampered.text and "OLED" not in tampered.text
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = client.get(path)
    assert expired.status_code == 410
    assert "Ce lien a expiré" in expired.text and "OLED" not in expired.text
    assert Selection.objects.get().open_count == 1


def test_a_draft_cannot_be_opened_with_a_link(client, associate, store, camille, tv):
    from messaging.services import selection_token

    item = selection_item_add(customer=camille, variant=tv, by=associate, store=store)
    assert client.get(f"/selection/{selection_token(item.selection)}/").status_code == 404


def test_a_colleague_opening_the_link_is_no_signal(associate_client, associate, store, camille, tv):
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    selection_item_add(customer=camille, variant=tv, by=associate, store=store)
    message = selection_send(customer=camille, channel="email", by=associate, store=store)
    assert associate_client.get(link_in(message.body)).status_code == 200
    assert Selection.objects.get().open_count == 0


def test_other_purposes_link_their_products_through_a_selection(associate, store, camille, tv):
    consent(camille, Consent.Purpose.MARKETING_SMS)
    message = message_send(
        customer=camille,
        channel="sms",
        purpose=Purpose.BACK_IN_STOCK,
        by=associate,
        store=store,
        variants=[tv],
    )
    assert "de nouveau en stock à Paris Opéra" in message.body
    assert "/selection/" in message.body
    assert list(message.selection.items.values_list("variant", flat=True)) == [tv.pk]


# --- Privacy ---------------------------------------------------------------------------------


@pytest.fixture
def written_to(associate, store, camille, tv):
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    selection_item_add(
        customer=camille, variant=tv, note="Pour le salon", by=associate, store=store
    )
    selection_send(
        customer=camille, channel="email", by=associate, store=store, text="Bonne soirée"
    )
    return camille


def test_the_export_holds_the_messages_and_selections(written_to):
    data = customer_data(written_to)["json"]["sections"]
    (message,) = data["messaging.message"]
    assert "Bonne soirée" in message["body"] and message["to"] == "camille@example.fr"
    assert len(data["messaging.selection"]) == 1
    assert data["messaging.selectionitem"][0]["note"] == "Pour le salon"


def test_erasure_removes_the_words_and_the_link(client, written_to):
    path = link_in(Message.objects.get().body)

    customer_erase(customer_id=written_to.pk)

    message = Message.objects.get()
    assert (message.body, message.subject, message.to, message.outbound) == ("", "", "", None)
    assert message.purpose == Purpose.SELECTION  # the contact itself stays, anonymous
    assert not OutboundMessage.objects.exists()
    assert not Selection.objects.exists() and not SelectionItem.objects.exists()
    assert client.get(path).status_code == 404


# --- Reads -----------------------------------------------------------------------------------


def test_the_section_read_alone_is_logged_and_loaded_by_the_card_is_not_twice(
    associate_client, camille
):
    section(associate_client, camille)
    assert CardView.objects.count() == 1
    associate_client.get(f"/customers/{camille.pk}/")  # the card, which loads the section
    section(associate_client, camille)
    assert CardView.objects.count() == 2


def _fill(associate, store, customer, n):
    for i in range(n):
        variant = VariantFactory(product=ProductFactory(name=f"Barre de son {i}"))
        StockLevelFactory(store=store, variant=variant)
        selection_item_add(customer=customer, variant=variant, by=associate, store=store)
    selection_send(customer=customer, channel="email", by=associate, store=store)
    for i in range(n):
        variant = VariantFactory()
        selection_item_add(
            customer=customer, variant=variant, note=f"n{i}", by=associate, store=store
        )
        message_send(
            customer=customer,
            channel="email",
            purpose=Purpose.FOLLOW_UP,
            by=associate,
            store=store,
            text=f"Message {i}",
        )


@pytest.mark.parametrize("n", [1, 10])
def test_the_section_and_the_client_page_cost_the_same_queries_however_much_was_sent(
    client, associate, store, n, django_assert_max_num_queries
):
    customer = CustomerFactory()
    consent(customer, Consent.Purpose.MARKETING_EMAIL)
    _fill(associate, store, customer, n)
    path = link_in(Message.objects.filter(purpose=Purpose.SELECTION).get().body)
    client.force_login(associate)
    client.get(f"/customers/{customer.pk}/")

    with django_assert_max_num_queries(11):
        response = section(client, customer)
    assert response.status_code == 200

    client.logout()
    with django_assert_max_num_queries(7):  # with the photos
        page = client.get(path)
    assert page.text.count('data-testid="selection-product"') == n


def test_without_javascript_the_search_answers_the_sections_page(associate_client, camille, tv):
    product_search_refresh()
    page = associate_client.get(f"/customers/{camille.pk}/selection/search/", {"q": "oled"})
    assert page.status_code == 200
    assert "<html" in page.text and "Messages et sélection" in page.text
    assert "Téléviseur OLED 55" in page.text


@pytest.mark.django_db(transaction=True)
def test_two_taps_at_once_send_one_message(associate, store):
    from django.db import connection

    customer = CustomerFactory()
    consent(customer, Consent.Purpose.MARKETING_EMAIL)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def tap():
        try:
            barrier.wait()
            message = message_send(
                customer=customer,
                channel="email",
                purpose=Purpose.FOLLOW_UP,
                by=associate,
                store=store,
                key=f"{customer.pk}-{KEY}",
            )
            results.append(message.pk)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results)) == 1
    assert Message.objects.count() == OutboundMessage.objects.count() == 1


def test_head_office_reads_messages_and_selections_in_admin(client, head_office, written_to):
    from tests.factories import mfa_login

    mfa_login(client, head_office)
    messages = client.get("/admin/messaging/message/")
    assert messages.status_code == 200 and "Camille Martin" in messages.text
    selection = Selection.objects.get()
    page = client.get(f"/admin/messaging/selection/{selection.pk}/change/")
    assert page.status_code == 200 and "Pour le salon" in page.text


def test_the_client_page_shows_the_public_price_in_the_browsers_language(
    client, associate, store, camille, tv
):
    week = OfferFactory(name="Semaine TV", value=10)  # for everyone: −10 %
    week.brands.add(tv.product.brand)
    gold = OfferFactory(name="Club or", value=50, target_tiers=["gold"])  # not for anyone
    gold.brands.add(tv.product.brand)
    shop_only = OfferFactory(
        name="Magasin", value=30, channels=["store"], channel_reason="Au comptoir"
    )
    shop_only.brands.add(tv.product.brand)
    consent(camille, Consent.Purpose.MARKETING_EMAIL)
    selection_item_add(customer=camille, variant=tv, by=associate, store=store)
    path = link_in(
        selection_send(customer=camille, channel="email", by=associate, store=store).body
    )

    page = client.get(path, headers={"Accept-Language": "en"}).text

    assert "Picked for you at Paris Opéra" in page
    assert '<s class="muted">€999.00</s> <strong>€899.10</strong>' in page
    assert "Available in these stores: Lyon Part-Dieu, Paris Opéra" in page
