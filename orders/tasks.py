"""Celery tasks of orders: thin and idempotent. Confirmation emails leave through the
outbox (``integrations/outbox.py``)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def orders_release_expired_holds() -> int:
    from .services import orders_release_expired_holds as release

    return release()
