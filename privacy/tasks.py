"""Celery tasks of privacy: thin and idempotent (each checks whether its work is done)."""

from celery import shared_task

from . import services


@shared_task
def customer_export_build_task(export_id: int) -> None:
    """Build a requested export (a built one is left alone)."""
    services.customer_export_build(export_id=export_id)


@shared_task
def retention_apply_task() -> int:
    """Apply the retention periods; returns the run's id (a second run removes nothing)."""
    return services.retention_apply().pk
