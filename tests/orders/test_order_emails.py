"""The confirmation email: recorded with the order, sent after commit through the outbox,
in the customer's language, once, with a Message-ID a retry can be recognised by."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from clienteling.celery import app as celery_app
from integrations.models import OutboundMessage
from integrations.outbox import message_claim, message_deliver, outbox_due, outbox_sweep
from integrations.tasks import outbox_send

Status = OutboundMessage.Status


class DownBackend(EmailBackend):
    """A mail server that does not answer."""

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def deliver(order) -> None:
    message = OutboundMessage.objects.get(key=f"order-{order.reference}-confirmation")
    message_deliver(message_id=message.pk)


def test_sent_after_commit_in_french(
    place, near_store, tv, stock, eager_tasks, django_capture_on_commit_callbacks
):
    stock(near_store, tv, on_hand=1)
    with django_capture_on_commit_callbacks() as pending:
        order = place([(tv, 1, near_store)])
    # Recorded with the order, nothing leaves before it is committed.
    message = OutboundMessage.objects.get()
    assert (message.status, message.kind) == (Status.QUEUED, "order.confirmation")
    assert mail.outbox == []
    for callback in pending:
        callback()

    (email,) = mail.outbox
    assert email.to == ["camille@example.fr"]
    assert email.subject == f"Votre commande {order.reference} est confirmée"
    message_id = f"<order-{order.reference}-confirmation@clienteling>"
    assert email.extra_headers["Message-ID"] == message_id
    assert "Bonjour Camille," in email.body
    assert "Total : 999,00\xa0€" in email.body
    assert "12 rue des Lilas" in email.body
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert message.sent_at is not None


def test_nothing_is_recorded_when_the_order_is_not(place, store, tv, stock):
    stock(store, tv, on_hand=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        place([(tv, 1, store)])
        raise RuntimeError("the request failed after placing")
    assert not OutboundMessage.objects.exists()


def test_in_english_for_an_english_speaking_customer(place, store, tv, stock, customer):
    customer.preferred_language = "en"
    customer.save()
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)], mode="pickup", pickup_store=store)

    deliver(order)

    (email,) = mail.outbox
    assert email.subject == f"Your order {order.reference} is confirmed"
    assert "You will collect it at Paris Opéra" in email.body
    assert "It is held for you until" in email.body
    assert "Total: €999.00" in email.body


def test_never_sent_twice(place, store, tv, stock):
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)])
    message = OutboundMessage.objects.get()
    outbox_send.apply(args=[message.pk])
    outbox_send.apply(args=[message.pk])  # a redelivered task
    assert len(mail.outbox) == 1
    assert order.reference in mail.outbox[0].subject


def test_a_claimed_email_is_not_sent_by_another_worker_until_its_lease_runs_out(
    place, store, tv, stock, settings
):
    stock(store, tv, on_hand=1)
    place([(tv, 1, store)])
    message = OutboundMessage.objects.get()
    now = timezone.now()

    assert message_claim(message_id=message.pk, now=now) is not None  # then the worker dies
    assert message_claim(message_id=message.pk, now=now + timedelta(seconds=10)) is None
    assert outbox_due(now=now + timedelta(seconds=10)) == []

    later = now + settings.OUTBOX_LEASE + timedelta(seconds=1)
    assert outbox_due(now=later) == [message.pk]  # the sweep sends it again, same Message-ID
    again = message_claim(message_id=message.pk, now=later)
    assert (again.status, again.attempts) == (Status.SENDING, 2)


def test_a_mail_server_down_is_retried_by_the_sweep_then_sent_once(
    place, store, tv, stock, settings
):
    stock(store, tv, on_hand=1)
    place([(tv, 1, store)])
    message = OutboundMessage.objects.get()

    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    outbox_send.apply(args=[message.pk])
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "Connection unexpectedly closed" in message.last_error
    assert outbox_due() == []  # not before its back-off
    assert outbox_due(now=message.next_attempt_at) == [message.pk]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message.next_attempt_at = timezone.now()
    message.save()
    celery_app.conf.task_always_eager = True
    try:
        assert outbox_sweep(now=timezone.now() + timedelta(seconds=1)) == 1
    finally:
        celery_app.conf.task_always_eager = False

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")


def test_no_email_address_no_email(place, store, tv, stock, customer):
    customer.email = ""
    customer.save()
    stock(store, tv, on_hand=1)
    place([(tv, 1, store)])
    assert not OutboundMessage.objects.exists()


def test_the_tasks_back_off_and_are_acknowledged_late():
    from django.conf import settings

    assert outbox_send.retry_backoff and outbox_send.retry_jitter
    assert outbox_send.max_retries >= 5
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= 30 * 60
    assert settings.EMAIL_TIMEOUT


@pytest.mark.django_db
def test_a_deleted_message_is_not_retried_forever():
    assert outbox_send.apply(args=[987654]).get() is False
    assert mail.outbox == []


def test_the_order_page_knows_when_the_confirmation_left(place, store, tv, stock):
    from orders.selectors import order_detail

    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)])
    assert order_detail(order_id=order.pk).confirmation_sent_at is None  # "on its way"
    deliver(order)
    assert order_detail(order_id=order.pk).confirmation_sent_at is not None


@pytest.mark.django_db(transaction=True)  # the failed UPDATE must not poison a test transaction
def test_a_send_whose_mark_failed_retries_only_the_mark(place, store, tv, stock):
    from django.db import OperationalError, connection

    from integrations.outbox import MarkPending

    stock(store, tv, on_hand=1)
    place([(tv, 1, store)])
    message = OutboundMessage.objects.get()

    def mark_fails(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and '"sent_at"' in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(mark_fails), pytest.raises(MarkPending) as pending:
        message_deliver(message_id=message.pk)
    assert len(mail.outbox) == 1  # it left; the database could not record it

    # The task's retry carries the time it left and only records it.
    outbox_send.apply(kwargs={"message_id": message.pk, "sent_at": pending.value.at.isoformat()})
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.sent_at) == (Status.SENT, pending.value.at)
