"""Celery tasks of the floor: thin, idempotent."""

from celery import shared_task

from .services import visits_end_expired


@shared_task
def visits_tidy() -> int:
    """Periodic tidy-up: mark visits that went quiet as ended. Pages never wait for it."""
    return visits_end_expired()
