"""Celery tasks of customers: thin, enqueued with ``delay_on_commit``."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=5,
)
def privacy_code_send(*, email: str, code: str, language: str) -> None:
    """Email a privacy page code. The code is useless after 10 minutes, so retries stop
    early; sending it twice is harmless (the same code)."""
    from .services import privacy_code_email

    privacy_code_email(email=email, code=code, language=language)
