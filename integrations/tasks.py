"""Celery tasks of integrations: the outbox's sender and sweep (``outbox.py``)."""

import logging
from datetime import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

# The database restarting or unreachable: try again soon, then less often.
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,  # well under the broker's visibility timeout
    retry_jitter=True,
    max_retries=12,
)
def outbox_send(self, message_id: int, sent_at: str | None = None) -> bool:
    """Send one outbound email (claim, send, mark). Idempotent: a redelivered or duplicate
    task finds the row claimed or sent and does nothing."""
    from .outbox import MarkPending, message_deliver, message_mark_sent

    if sent_at is not None:  # a retry of the mark only: the email already left
        message_mark_sent(message_id=message_id, at=datetime.fromisoformat(sent_at))
        return True
    try:
        return message_deliver(message_id=message_id).sent
    except MarkPending as pending:
        raise self.retry(
            kwargs={"message_id": message_id, "sent_at": pending.at.isoformat()},
            countdown=5,
            max_retries=None,
        ) from pending


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=5, max_retries=3)
def outbox_sweep() -> int:
    """Re-enqueue what was never sent: broker down at commit, a failed send now due, a
    worker killed mid-send (past the lease)."""
    from .outbox import outbox_sweep as sweep

    return sweep()
