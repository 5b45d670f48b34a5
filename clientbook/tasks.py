"""Celery tasks of the client book: thin, idempotent."""

from celery import shared_task

from .rules import follow_ups_generate


@shared_task
def follow_ups_daily() -> dict[str, int]:
    """Raise the morning's follow-ups (holds lapsing, after a purchase, birthdays, lapsing
    VIPs). Safe to run twice: each occasion raises one follow-up."""
    return follow_ups_generate()
