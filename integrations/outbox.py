"""The outbox: every email (and text message) we owe is a row first, written in the
transaction of the change that causes it, and sent exactly once from our side.

How a message leaves (``outbox_send`` task, ``message_deliver`` here):

1. ``email_queue`` writes the row (status *queued*) inside the caller's transaction and
   asks for the send task once it commits. If the broker is down then, the row stays
   queued: nothing is raised into the request, and the sweep sends it later.
2. The task **claims** the row in one short ``UPDATE`` (autocommit): queued, failed and
   due, or *sending* with a lease that ran out. Two workers never both win a claim.
3. It sends **outside any transaction and any row lock**, with ``EMAIL_TIMEOUT`` and a
   Message-ID derived from the business key (``<order-CL-0001-confirmation@…>``). The
   order (or whatever caused the email) is never locked meanwhile: a colleague acting
   on it never waits on the mail server.
4. It marks the row *sent* in another short ``UPDATE``. If the database fails just then,
   the task retries only that mark, never the send.

A send that fails marks the row *failed* with a back-off; ``outbox_sweep`` (beat, every
minute) re-enqueues what is due: failed rows, and rows left *queued* (the broker never
got the task, or a killed worker took it) or *sending* (a worker killed mid-send) past
``OUTBOX_LEASE``.

Text messages (``sms_queue``, ``channel="sms"``) take the same path through the SMS
backend of ``integrations/sms.py``; a provider's refusal (a 4xx: a wrong number, a bad
account) is recorded as failed without a retry, since the same request would be refused
again.

The one duplicate we cannot rule out: a worker killed after the mail server accepted
the message and before the mark. The sweep sends it again after the lease, with the
same Message-ID, so the receiving side (and anyone reading the logs) recognises the
retry. Every other path sends once.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboundMessage
from .sms import SmsError, sms_backend

logger = logging.getLogger(__name__)
Status = OutboundMessage.Status

# Enqueues that could not reach the broker since the process started (the sweep covers them).
failures: Counter[str] = Counter()


def message_id_for(key: str) -> str:
    """The stable Message-ID of the email with this business key."""
    return f"<{key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def email_queue(
    *,
    kind: str,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    headers: dict[str, str] | None = None,
) -> OutboundMessage:
    """Record an email to send once the current transaction commits; call it inside the
    transaction of the change that causes it. The same ``key`` again returns the row
    already recorded: a fact is told once."""
    message, created = OutboundMessage.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "message_id": message_id_for(key),
            "to": list(to),
            "subject": " ".join(subject.split()),
            "body": body,
            "html": html,
            "headers": headers or {},
        },
    )
    if created:
        transaction.on_commit(lambda: enqueue(message.pk))
    return message


def sms_queue(*, kind: str, key: str, to: str, body: str) -> OutboundMessage:
    """Record a text message to ``to`` (international form), like ``email_queue``."""
    message, created = OutboundMessage.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "channel": OutboundMessage.Channel.SMS,
            "message_id": "",
            "to": [to],
            "subject": "",
            "body": body,
        },
    )
    if created:
        transaction.on_commit(lambda: enqueue(message.pk))
    return message


def enqueue(message_id: int, countdown: float | None = None) -> bool:
    """Hand the row to a worker; ``False`` (logged, counted) if the broker is unreachable:
    the row stays where it is and the sweep picks it up."""
    from .tasks import outbox_send

    try:
        outbox_send.apply_async(args=[message_id], countdown=countdown)
    except Exception:
        failures["enqueue"] += 1
        logger.exception("Could not enqueue outbound email %s; the sweep will.", message_id)
        return False
    return True


# --- Sending ---------------------------------------------------------------------------


def message_claim(*, message_id: int, now: datetime | None = None) -> OutboundMessage | None:
    """Take the row for sending, or ``None`` if it is sent, not due, or being sent by a
    live worker. One ``UPDATE``: atomic without a surrounding transaction."""
    now = now or timezone.now()
    claimable = (
        Q(status=Status.QUEUED)
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_at__lt=now - settings.OUTBOX_LEASE)
    )
    won = OutboundMessage.objects.filter(claimable, pk=message_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return OutboundMessage.objects.get(pk=message_id) if won else None


def message_send(message: OutboundMessage) -> None:
    """Talk to the mail server (or the SMS provider). Never call it inside a transaction."""
    if message.channel == OutboundMessage.Channel.SMS:
        provider_id = sms_backend().send(to=message.to[0], body=message.body, key=message.key)
        message.message_id = provider_id[:255]
        return
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        to=message.to,
        headers={**message.headers, "Message-ID": message.message_id},
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    email.send()


def message_mark_sent(*, message_id: int, at: datetime, provider_id: str = "") -> None:
    changes = {"status": Status.SENT, "sent_at": at, "next_attempt_at": None, "last_error": ""}
    if provider_id:  # a text message: the provider's id for it
        changes["message_id"] = provider_id
    OutboundMessage.objects.filter(pk=message_id).exclude(status=Status.SENT).update(**changes)


def message_mark_failed(
    *, message_id: int, error: str, now: datetime | None = None, permanent: bool = False
) -> None:
    """A failed send is retried by the sweep after a back-off (1, 2, 4 … 60 minutes),
    up to ``OUTBOX_MAX_ATTEMPTS`` attempts; then it waits for someone in admin. A
    ``permanent`` failure (the provider refused the message) is not retried."""
    now = now or timezone.now()
    message = OutboundMessage.objects.get(pk=message_id)
    retry = not permanent and message.attempts < settings.OUTBOX_MAX_ATTEMPTS
    delay = timedelta(minutes=min(2 ** max(message.attempts - 1, 0), 60))
    OutboundMessage.objects.filter(pk=message_id, status=Status.SENDING).update(
        status=Status.FAILED,
        last_error=error[:2000],
        next_attempt_at=now + delay if retry else None,
    )


@dataclass
class Delivery:
    sent: bool
    at: datetime | None = None


def message_deliver(*, message_id: int) -> Delivery:
    """Claim, send, mark: see the module's docstring. Database errors propagate (the task
    retries them); a mail server error marks the row failed."""
    message = message_claim(message_id=message_id)
    if message is None:
        return Delivery(sent=False)
    try:
        message_send(message)
    except Exception as error:
        logger.warning("Sending %s failed: %s", message.key, error)
        message_mark_failed(
            message_id=message.pk,
            error=f"{type(error).__name__}: {error}",
            permanent=isinstance(error, SmsError) and error.permanent,
        )
        return Delivery(sent=False)
    at = timezone.now()
    logger.info("Sent %s (%s) as %s.", message.key, message.channel, message.message_id)
    provider_id = message.message_id if message.channel == OutboundMessage.Channel.SMS else ""
    try:
        message_mark_sent(message_id=message.pk, at=at, provider_id=provider_id)
    except DatabaseError as error:
        raise MarkPending(message.pk, at) from error
    return Delivery(sent=True, at=at)


class MarkPending(Exception):
    """Sent, but the database could not record it: retry the mark, never the send."""

    def __init__(self, message_id: int, at: datetime):
        super().__init__(message_id, at)
        self.message_id, self.at = message_id, at


def outbox_due(*, now: datetime | None = None) -> list[int]:
    """Rows the sweep hands to a worker again."""
    now = now or timezone.now()
    return list(
        OutboundMessage.objects.filter(
            Q(status=Status.QUEUED, created_at__lt=now - settings.OUTBOX_LEASE)
            | Q(status=Status.FAILED, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, claimed_at__lt=now - settings.OUTBOX_LEASE)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def outbox_sweep(*, now: datetime | None = None) -> int:
    """Enqueue every due row; returns how many were handed over."""
    return sum(enqueue(pk) for pk in outbox_due(now=now))
