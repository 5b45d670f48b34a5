"""Reads about customers, shaped for the pages and webhooks that need them, each in a
fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.db import models
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Variant
from catalog.prepared import Prepared

from .models import (
    AppDevice,
    BulkReadFlag,
    Channel,
    Consent,
    Customer,
    Interaction,
    PrivacyRequest,
    Purchase,
    PurchaseLine,
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


def customer_resolve(*, kind: str, identifier: str, lock: bool = False) -> Customer | None:
    """The customer an identifier names, if any. With ``lock``, their row is locked (FOR NO
    KEY UPDATE, until the transaction ends) by the same statement that finds it."""
    key = (kind, identifier_normalize(kind, identifier))
    if not lock:
        return customers_resolve([key]).get(key)
    kind, identifier = key
    if not identifier:
        return None
    if kind == IdentifierKind.APP_DEVICE:
        device = (
            AppDevice.objects.filter(
                device_id=identifier, is_active=True, customer__erased_at__isnull=True
            )
            .select_related("customer")
            .select_for_update(no_key=True, of=("customer",))
            .first()
        )
        return device.customer if device else None
    found = _locked_by.get(kind)
    return found.first(identifier) if found is not None else None


def _locked_customer(field: str) -> Prepared:
    return Prepared(
        lambda identifier: (
            Customer.objects.active()
            .filter(**{field: identifier})
            .select_for_update(no_key=True)
            .order_by("last_name", "first_name", "pk")[:1]
        )
    )


# The doorway's reads (every entry event): statements built once per process.
_locked_by = {
    IdentifierKind.LOYALTY_NUMBER: _locked_customer("loyalty_number"),
    IdentifierKind.EMAIL_SHA256: _locked_customer("email_sha256"),
}
_in_force = Prepared(
    lambda customer_id, purpose, at: (
        Consent.objects.filter(customer_id=customer_id)
        .for_purpose(purpose, at)
        .values_list("granted")[:1]
    )
)


def consent_in_force(customer_id: int, purpose: str, *, at: datetime | None = None) -> bool:
    """Whether the latest grant or withdrawal for ``purpose`` recorded by ``at`` is a grant."""
    rows = _in_force(customer_id, str(purpose), at or timezone.now())
    return bool(rows and rows[0][0])


_consents_of = Prepared(
    lambda customer_id: Consent.objects.filter(customer_id=customer_id).order_by(
        "purpose", "-recorded_at", "-pk"
    ),
)


def consents_current(customer_id: int) -> list[dict]:
    """One row per purpose, in the purposes' order: its label (``purpose``), its value
    (``code``), the record in force (``consent``, or None) and whether it is a grant."""
    latest: dict[str, Consent] = {}
    for consent in _consents_of(customer_id):
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


# --- Online interest ---------------------------------------------------------------------
#
# How strongly a client signalled, online, that they want a product (the card ranks what they
# looked at by it, the floor card names the strongest, the suggestions follow it). Over the
# last INTEREST_DAYS days, every interaction counts the weight of its kind times its recency:
#   kind:    added to the wishlist or saved for later 6, left in a cart 4, each view 1,
#            an online order 1 (they have it already: a reason to talk, not to sell it again);
#   recency: x3 in the last 24 hours, x2 in the last 3 days, x1 before.
# Three views this morning and a save (3x1x3 + 6x3 = 27) beat one glance a minute ago (3).

INTEREST_DAYS = 14
KIND_WEIGHTS = {
    Interaction.Kind.WISHLISTED: 6,
    Interaction.Kind.SAVED: 6,
    Interaction.Kind.CART_ABANDONED: 4,
    Interaction.Kind.VIEWED: 1,
    Interaction.Kind.ORDERED: 1,
}
RECENCY_FACTORS = ((timedelta(days=1), 3), (timedelta(days=3), 2))
# Strength levels the card names: "strong" from one save or cart today, "marked" from a
# few views or an older save.
STRONG, MARKED = 12, 4
# Which kind the floor card names when a product has several: the strongest intent.
KIND_RANKS = {
    Interaction.Kind.WISHLISTED: 5,
    Interaction.Kind.SAVED: 4,
    Interaction.Kind.CART_ABANDONED: 3,
    Interaction.Kind.ORDERED: 2,
    Interaction.Kind.VIEWED: 1,
}


def interest_since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=INTEREST_DAYS)


def interest_strength(now: datetime | None = None) -> Case:
    """One interaction's strength, as an expression to ``Sum`` (see above)."""
    now = now or timezone.now()
    weight = Case(
        *[When(kind=kind, then=Value(w)) for kind, w in KIND_WEIGHTS.items()],
        default=Value(1),
    )
    recency = Case(
        *[When(occurred_at__gte=now - age, then=Value(f)) for age, f in RECENCY_FACTORS],
        default=Value(1),
    )
    return ExpressionWrapper(weight * recency, output_field=models.IntegerField())


def interest_kind_rank() -> Case:
    """The kind as a number, strongest intent highest (``Max`` it, read with KIND_OF_RANK)."""
    return Case(
        *[When(kind=kind, then=Value(r)) for kind, r in KIND_RANKS.items()],
        default=Value(0),
        output_field=models.IntegerField(),
    )


KIND_OF_RANK = {rank: kind for kind, rank in KIND_RANKS.items()}


def strength_level(strength: int) -> str:
    return "strong" if strength >= STRONG else "marked" if strength >= MARKED else "light"


@dataclass
class Signal:
    """One kind of interaction with one product in one channel: how many, when last."""

    kind: str
    channel: str
    count: int
    last_at: datetime


@dataclass
class Interest:
    """What one customer did online with one product lately, and how strongly."""

    product: Product
    variant_id: int | None  # one they looked at, or the product's first
    last_at: datetime
    strength: int = 0
    signals: list[Signal] = field(default_factory=list)

    @property
    def level(self) -> str:
        return strength_level(self.strength)

    @property
    def level_label(self) -> str:
        return str(STRENGTH_LABELS[self.level])

    @property
    def summary(self) -> str:
        """ "viewed 3 times this morning on the website, saved": the signals in the order
        they happened, each moment and channel said once."""
        parts, last_when, last_channel = [], None, None
        for signal in sorted(self.signals, key=lambda s: s.last_at):
            part = _kind_phrase(signal.kind, signal.count)
            when = _moment_phrase(signal.last_at)
            if when != last_when:
                part += " " + when
            if signal.channel != last_channel:
                part += " " + str(CHANNEL_PHRASES.get(signal.channel, signal.channel))
            parts.append(part)
            last_when, last_channel = when, signal.channel
        return ", ".join(parts)


STRENGTH_LABELS = {
    "strong": _("strong interest"),
    "marked": _("marked interest"),
    "light": _("a passing look"),
}
CHANNEL_PHRASES = {
    Channel.WEB: _("on the website"),
    Channel.APP: _("in the app"),
    Channel.STORE: _("in store"),
}


def _kind_phrase(kind: str, count: int) -> str:
    if kind == Interaction.Kind.VIEWED:
        return ngettext("viewed once", "viewed %(count)s times", count) % {"count": count}
    return str(
        {
            Interaction.Kind.WISHLISTED: _("added to the wishlist"),
            Interaction.Kind.SAVED: _("saved"),
            Interaction.Kind.CART_ABANDONED: _("left in the cart"),
            Interaction.Kind.ORDERED: _("ordered"),
        }.get(kind, kind)
    )


def _moment_phrase(moment: datetime) -> str:
    """ "this morning", "this afternoon", "this evening", "yesterday", "on 3 December"."""
    local = timezone.localtime(moment)
    today = timezone.localdate()
    if local.date() == today:
        if local.hour < 12:
            return gettext("this morning")
        return gettext("this afternoon") if local.hour < 18 else gettext("this evening")
    if local.date() == today - timedelta(days=1):
        return gettext("yesterday")
    return gettext("on %(date)s") % {"date": date_format(local.date(), "j F")}


def _interest_rows_query(customer_id: int, now: datetime) -> QuerySet:
    return (
        Interaction.objects.filter(customer_id=customer_id, occurred_at__gte=interest_since(now))
        .values("product_id", "kind", "channel")
        .annotate(
            count=Count("id"),
            last_at=Max("occurred_at"),
            strength=Sum(interest_strength(now)),
            variant_id=Max("variant_id"),
        )
        .order_by("-last_at")[:200]
    )


def _interest_products_query(*ids) -> QuerySet[Product]:
    """The products of ``ids``, each with its first variant (``first_variant_id``)."""
    first_variant = Variant.objects.filter(product=OuterRef("pk")).order_by("pk").values("pk")
    return (
        Product.objects.select_related("brand", "category")
        .annotate(first_variant_id=Subquery(first_variant[:1]))
        .filter(pk__in=ids)
    )


_interest_rows = Prepared(_interest_rows_query)
_interest_products = Prepared(_interest_products_query)


def customer_interests(customer_id: int, *, limit: int = 8) -> list[Interest]:
    """The products the customer showed interest in online over the last INTEREST_DAYS
    days, strongest first, each with its signals per kind and channel. Two queries."""
    now = timezone.now()
    rows = _interest_rows(customer_id, now)
    products = {p.pk: p for p in _interest_products(*{r["product_id"] for r in rows})}
    interests: dict[int, Interest] = {}
    for row in rows:
        product = products[row["product_id"]]
        interest = interests.get(product.pk)
        if interest is None:
            interest = interests[product.pk] = Interest(
                product=product,
                variant_id=row["variant_id"] or product.first_variant_id,
                last_at=row["last_at"],
            )
        interest.strength += row["strength"]
        interest.signals.append(
            Signal(
                kind=row["kind"],
                channel=row["channel"],
                count=row["count"],
                last_at=row["last_at"],
            )
        )
    ranked = sorted(interests.values(), key=lambda i: (-i.strength, -i.last_at.timestamp()))
    return ranked[:limit]


def _purchase_figures_query(customer_id: int, now: datetime, *, months: int) -> QuerySet:
    recent = Q(purchased_at__gte=now - timedelta(days=round(months * 30.44)))
    return (
        Purchase.objects.filter(customer_id=customer_id)
        .values("channel")
        .annotate(
            spend=Sum("total"),
            count=Count("id"),
            total=Sum("total", filter=recent),
            recent=Count("id", filter=recent),
        )
        .order_by()
    )


_purchase_figures: dict[int, Prepared] = {}


def purchase_summary(customer_id: int, *, months: int = 12) -> dict:
    """Lifetime spend and count, and the last ``months`` months' totals per channel."""
    figures = _purchase_figures.get(months)
    if figures is None:
        build = partial(_purchase_figures_query, months=months)
        figures = _purchase_figures[months] = Prepared(build)
    rows = figures(customer_id, timezone.now())  # one query: per channel, lifetime and recent
    per_channel = {row["channel"]: row for row in rows}
    channels = [
        {
            "channel": label,
            "total": per_channel.get(value, {}).get("total") or 0,
            "count": per_channel.get(value, {}).get("recent") or 0,
        }
        for value, label in Channel.choices
    ]
    return {
        "lifetime_spend": sum(row["spend"] for row in rows),
        "purchase_count": sum(row["count"] for row in rows),
        "channels": channels,
        "months": months,
    }


def purchases_page(customer_id: int) -> QuerySet[Purchase]:
    """Purchase history, newest first, store loaded (paginate it; ``purchase_lines_attach``
    to a page)."""
    return (
        Purchase.objects.filter(customer_id=customer_id)
        .select_related("store")
        .order_by("-purchased_at", "-pk")
    )


def _purchase_lines_query(*purchase_ids) -> QuerySet[PurchaseLine]:
    return PurchaseLine.objects.filter(purchase_id__in=purchase_ids).order_by("purchase_id", "pk")


_purchase_lines = Prepared(_purchase_lines_query)


def purchase_lines_attach(purchases: list[Purchase]) -> list[Purchase]:
    """Give each purchase its lines (``shown_lines``), in one query."""
    lines: dict[int, list[PurchaseLine]] = {p.pk: [] for p in purchases}
    for line in _purchase_lines(*lines) if lines else ():
        lines[line.purchase_id].append(line)
    for purchase in purchases:
        purchase.shown_lines = lines[purchase.pk]
    return purchases


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
