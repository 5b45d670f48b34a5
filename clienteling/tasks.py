"""Celery tasks: thin, idempotent, enqueued with ``delay_on_commit``."""

import logging
from datetime import date, timedelta
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from .services.figures import daily_figures_rollup
from .services.floor import visits_end_expired

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
    from .services.orders import order_confirmation_send

    try:
        order_confirmation_send(order_id=order_id)
    except Order.DoesNotExist:
        logger.warning("Order %s is gone: no confirmation to send.", order_id)


@shared_task
def orders_release_expired_holds() -> int:
    from .services.orders import orders_release_expired_holds as release

    return release()


@shared_task
def visits_tidy() -> int:
    """Periodic tidy-up: mark visits that went quiet as ended. Pages never wait for it."""
    return visits_end_expired()


@shared_task
def figures_rollup(day: str | None = None) -> None:
    """Roll up one day's figures (ISO date; default yesterday). Safe to run twice."""
    the_day = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    daily_figures_rollup(day=the_day)
