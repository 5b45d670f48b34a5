"""The confirmation email: on commit, in the customer's language, once, retried."""

from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from orders.models import OrderEvent
from orders.services import order_confirmation_send
from orders.tasks import order_send_confirmation


class FlakyBackend(EmailBackend):
    """Fails the first time, as an SMTP server restarting would."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures < 1:
            FlakyBackend.failures += 1
            raise SMTPServerDisconnected("try again")
        return super().send_messages(messages)


def test_sent_after_commit_in_french(
    place, near_store, tv, stock, eager_tasks, django_capture_on_commit_callbacks
):
    stock(near_store, tv, on_hand=1)
    with django_capture_on_commit_callbacks() as pending:
        order = place([(tv, 1, near_store)])
    assert mail.outbox == []  # nothing leaves before the order is committed
    for callback in pending:
        callback()

    (email,) = mail.outbox
    assert email.to == ["camille@example.fr"]
    assert email.subject == f"Votre commande {order.reference} est confirmée"
    assert "Bonjour Camille," in email.body
    assert "Total : 999,00\xa0€" in email.body
    assert "12 rue des Lilas" in email.body
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None
    assert order.events.filter(kind=OrderEvent.Kind.CONFIRMATION_SENT).count() == 1


def test_in_english_for_an_english_speaking_customer(place, store, tv, stock, customer):
    customer.preferred_language = "en"
    customer.save()
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)], mode="pickup", pickup_store=store)

    order_confirmation_send(order_id=order.pk)

    (email,) = mail.outbox
    assert email.subject == f"Your order {order.reference} is confirmed"
    assert "You will collect it at Paris Opéra" in email.body
    assert "It is held for you until" in email.body
    assert "Total: €999.00" in email.body


def test_never_sent_twice(place, store, tv, stock):
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)])
    order_send_confirmation.apply(args=[order.pk])
    order_send_confirmation.apply(args=[order.pk])  # a redelivered task
    assert len(mail.outbox) == 1


def test_no_email_address_no_email(place, store, tv, stock, customer):
    customer.email = ""
    customer.save()
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)])
    assert order_confirmation_send(order_id=order.pk) is False
    assert mail.outbox == []


def test_a_mail_server_hiccup_is_retried_then_sent_once(place, store, tv, stock, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 0
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)])

    # In-process, a retry runs at once instead of after its back-off.
    order_send_confirmation.apply(args=[order.pk], throw=False)

    assert FlakyBackend.failures == 1
    assert len(mail.outbox) == 1
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None


def test_the_task_backs_off_and_is_acknowledged_late():
    from django.conf import settings

    assert order_send_confirmation.retry_backoff and order_send_confirmation.retry_jitter
    assert order_send_confirmation.max_retries >= 5
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


@pytest.mark.django_db
def test_a_deleted_order_is_not_retried_forever():
    order_send_confirmation.apply(args=[987654])  # logs and stops
    assert mail.outbox == []
