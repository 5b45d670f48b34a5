"""Writes to customer data."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Store

from .models import Consent, Customer


def _loyalty_number() -> str:
    return f"FID{secrets.randbelow(10**9):09d}"


def customer_quick_create(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    preferred_language: str = "fr",
    consents: Mapping[str, bool],
    by,
    store: Store | None = None,
) -> Customer:
    """A new customer created at the counter, with a fresh loyalty number and the
    customer's answer recorded for each consent purpose (granted or refused, by whom,
    when). Refuses an email already on file: that customer should be picked instead."""
    email = email.strip().lower()
    if email and Customer.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("A customer already has this email: search for them instead.")}
        )
    now = timezone.now()
    with transaction.atomic():
        for attempt in range(5):
            try:
                with transaction.atomic():
                    customer = Customer.objects.create(
                        loyalty_number=_loyalty_number(),
                        first_name=first_name.strip(),
                        last_name=last_name.strip(),
                        email=email,
                        phone=phone.strip(),
                        preferred_language=preferred_language,
                        home_store=store,
                    )
                break
            except IntegrityError:  # the drawn loyalty number is taken: draw again
                if attempt == 4:
                    raise
        Consent.objects.bulk_create(
            Consent(
                customer=customer,
                purpose=purpose,
                granted=granted,
                source=Consent.Source.STORE,
                recorded_at=now,
                recorded_by=by,
            )
            for purpose, granted in consents.items()
        )
    return customer
