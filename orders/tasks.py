"""Celery tasks of orders: thin, idempotent, enqueued with ``delay_on_commit``."""

import logging
from smtplib import SMTPException

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
)
def order_send_confirmation(order_id: int) -> None:
    from .models import Order
    from .services import order_confirmation_send

    try:
        order_confirmation_send(order_id=order_id)
    except Order.DoesNotExist:
        logger.warning("Order %s is gone: no confirmation to send.", order_id)


@shared_task
def orders_release_expired_holds() -> int:
    from .services import orders_release_expired_holds as release

    return release()
