"""Celery tasks of the dashboard: thin, idempotent."""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from .services import daily_figures_rollup


@shared_task
def figures_rollup(day: str | None = None) -> None:
    """Roll up one day's figures (ISO date; default yesterday). Safe to run twice."""
    the_day = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    daily_figures_rollup(day=the_day)
