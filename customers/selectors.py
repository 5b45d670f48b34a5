"""Reads about customers, shaped for the pages and webhooks that need them, each in a
fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Count, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Replace, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Product

from .models import (
    AppDevice,
    BulkReadFlag,
    Channel,
    Consent,
    Customer,
    Interaction,
    PrivacyRequest,
    Purchase,
)


class IdentifierKind(models.TextChoices):
    """How a webhook names a shopper."""

    LOYALTY_NUMBER = "loyalty_number", _("loyalty number")
    APP_DEVICE = "app_device", _("app device id")
    EMAIL_SHA256 = "email_sha256", _("SHA-256 of the lower-cased email")


def identifier_normalize(kind: str, identifier: str) -> str:
    """Identifiers as stored: email hashes in lower-case hex, the others as sent."""
    identifier = identifier.strip()
    return identifier.lower() if kind == IdentifierKind.EMAIL_SHA256 else identifier


def customers_resolve(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Customer]:
    """The customers named by normalized ``(kind, identifier)`` pairs, in at most one query
    per kind. Unknown identifiers are simply absent from the result."""
    wanted: dict[str, set[str]] = {kind: set() for kind in IdentifierKind.values}
    for kind, identifier in pairs:
        if kind in wanted and identifier:
            wanted[kind].add(identifier)
    found: dict[tuple[str, str], Customer] = {}
    if wanted[IdentifierKind.LOYALTY_NUMBER]:
        for c in Customer.objects.active().filter(
            loyalty_number__in=wanted[IdentifierKind.LOYALTY_NUMBER]
        ):
            found[(IdentifierKind.LOYALTY_NUMBER, c.loyalty_number)] = c
    if wanted[IdentifierKind.EMAIL_SHA256]:
        for c in Customer.objects.active().filter(
            email_sha256__in=wanted[IdentifierKind.EMAIL_SHA256]
        ):
            found[(IdentifierKind.EMAIL_SHA256, c.email_sha256)] = c
    if wanted[IdentifierKind.APP_DEVICE]:
        devices = AppDevice.objects.filter(
            device_id__in=wanted[IdentifierKind.APP_DEVICE],
            is_active=True,
            customer__erased_at__isnull=True,
        ).select_related("customer")
        for d in devices:
            found[(IdentifierKind.APP_DEVICE, d.device_id)] = d.customer
    return found


def customer_resolve(*, kind: str, identifier: str) -> Customer | None:
    key = (kind, identifier_normalize(kind, identifier))
    return customers_resolve([key]).get(key)


def consent_in_force(customer_id: int, purpose: str, *, at: datetime | None = None) -> bool:
    """Whether the latest grant or withdrawal for ``purpose`` recorded by ``at`` is a grant."""
    return Consent.objects.filter(customer_id=customer_id).in_force(purpose, at)


def consents_current(customer_id: int) -> list[dict]:
    """One row per purpose, in the purposes' order: its label (``purpose``), its value
    (``code``), the record in force (``consent``, or None) and whether it is a grant."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(customer_id=customer_id).order_by(
        "purpose", "-recorded_at", "-pk"
    ):
        latest.setdefault(consent.purpose, consent)
    rows = []
    for value, label in Consent.Purpose.choices:
        consent = latest.get(value)
        rows.append(
            {
                "purpose": label,
                "code": value,
                "consent": consent,
                "granted": bool(consent and consent.granted),
            }
        )
    return rows


_PHONE_QUERY = re.compile(r"[\d\s+().-]+")


SEARCH_MIN_CHARACTERS = 3


def customer_search(query: str) -> QuerySet[Customer]:
    """Customers matching a name, an email, a phone number or a loyalty number, typed
    partly: every word must start a first or last name; an email or loyalty number is
    matched by its beginning, a phone number by its last nine digits. Below three
    characters only a whole loyalty number finds anyone: two digits must not list half
    the clients."""
    query = " ".join(query.split())
    customers = Customer.objects.active().order_by("last_name", "first_name", "pk")
    if len(query) < SEARCH_MIN_CHARACTERS:
        return customers.filter(loyalty_number__iexact=query) if query else customers.none()
    if "@" in query:
        return customers.filter(email__istartswith=query)
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 6 and _PHONE_QUERY.fullmatch(query):
        bare_phone = Replace("phone", Value(" "), Value(""))
        for sep in (".", "-", "(", ")"):
            bare_phone = Replace(bare_phone, Value(sep), Value(""))
        return customers.annotate(bare_phone=bare_phone).filter(
            Q(bare_phone__endswith=digits[-9:]) | Q(loyalty_number__istartswith=query)
        )
    words = query.split(" ")
    condition = Q()
    for word in words:
        condition &= Q(last_name__istartswith=word) | Q(first_name__istartswith=word)
    if len(words) == 1:
        condition |= Q(loyalty_number__istartswith=query)
    return customers.filter(condition)


@dataclass
class Interest:
    """What one customer did online with one product lately."""

    product: Product
    last_at: datetime
    signals: list[dict] = field(default_factory=list)  # {"kind", "label", "count", "day"}


def customer_interests(customer_id: int, *, days: int = 14, limit: int = 8) -> list[Interest]:
    """Online signals of the last ``days`` days grouped by product, newest first:
    "viewed 3 times today", "left in cart yesterday". Two queries."""
    since = timezone.now() - timedelta(days=days)
    rows = list(
        Interaction.objects.filter(customer_id=customer_id, occurred_at__gte=since)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("product_id", "kind", "day")
        .annotate(count=Count("id"), last_at=Max("occurred_at"))
        .order_by("-last_at")[:200]
    )
    products = Product.objects.select_related("brand", "category").in_bulk(
        {r["product_id"] for r in rows}
    )
    interests: dict[int, Interest] = {}
    labels = dict(Interaction.Kind.choices)
    for row in rows:
        interest = interests.get(row["product_id"])
        if interest is None:
            if len(interests) == limit:
                continue
            interest = interests[row["product_id"]] = Interest(
                product=products[row["product_id"]], last_at=row["last_at"]
            )
        interest.signals.append(
            {
                "kind": row["kind"],
                "label": labels[row["kind"]],
                "count": row["count"],
                "day": row["day"],
                "when": _day_phrase(row["day"]),
            }
        )
    return list(interests.values())


def _day_phrase(day) -> str:
    today = timezone.localdate()
    if day == today:
        return gettext("today")
    if day == today - timedelta(days=1):
        return gettext("yesterday")
    return gettext("on %(date)s") % {"date": date_format(day, "j F")}


def purchase_summary(customer_id: int, *, months: int = 12) -> dict:
    """Lifetime spend and count, and the last ``months`` months' totals per channel."""
    since = timezone.now() - timedelta(days=round(months * 30.44))
    purchases = Purchase.objects.filter(customer_id=customer_id)
    lifetime = purchases.aggregate(spend=Sum("total"), count=Count("id"))
    per_channel = {
        row["channel"]: row
        for row in purchases.filter(purchased_at__gte=since)
        .values("channel")
        .annotate(total=Sum("total"), count=Count("id"))
        .order_by()
    }
    channels = [
        {
            "channel": label,
            "total": per_channel.get(value, {}).get("total") or 0,
            "count": per_channel.get(value, {}).get("count") or 0,
        }
        for value, label in Channel.choices
    ]
    return {
        "lifetime_spend": lifetime["spend"] or 0,
        "purchase_count": lifetime["count"],
        "channels": channels,
        "months": months,
    }


def purchases_page(customer_id: int) -> QuerySet[Purchase]:
    """Purchase history, newest first, lines and store loaded (paginate it)."""
    return (
        Purchase.objects.filter(customer_id=customer_id)
        .select_related("store")
        .prefetch_related("lines")
        .order_by("-purchased_at", "-pk")
    )


def privacy_overview(email_hash: str) -> dict:
    """What the shopper's privacy page shows for the client records with this email: per
    purpose, what it means (the current wording) and whether it is granted (on any of
    their records: then "withdraw" is offered, and applies to all), and their requests
    still open. Three queries."""
    from .consent_texts import wording_current

    customers = list(Customer.objects.filter(email_sha256=email_hash).order_by("pk"))
    ids = [c.pk for c in customers]
    latest: dict[tuple[int, str], bool] = {}
    for customer_id, purpose, granted in (
        Consent.objects.filter(customer_id__in=ids)
        .order_by("customer_id", "purpose", "-recorded_at", "-pk")
        .values_list("customer_id", "purpose", "granted")
    ):
        latest.setdefault((customer_id, purpose), granted)
    purposes = [
        {
            "code": value,
            "label": label,
            "wording": wording_current(value),
            "granted": any(latest.get((pk, value), False) for pk in ids),
        }
        for value, label in Consent.Purpose.choices
    ]
    requests = list(
        PrivacyRequest.objects.filter(
            customer_id__in=ids,
            status__in=(PrivacyRequest.Status.RECEIVED, PrivacyRequest.Status.IN_PROGRESS),
        ).order_by("-requested_at")
    )
    return {
        "customer": customers[0] if customers else None,
        "purposes": purposes,
        "requests": requests,
        "open_kinds": {r.kind for r in requests},
    }


def bulk_reads_recent(store_id: int, *, days: int = 7) -> list[BulkReadFlag]:
    """Bulk reads of client data flagged from a store lately, newest first (one query)."""
    since = timezone.now() - timedelta(days=days)
    return list(
        BulkReadFlag.objects.filter(store_id=store_id, raised_at__gte=since).select_related(
            "viewer"
        )[:20]
    )
