"""Writes about customers: quick creation at the counter, notes, app device links,
online interactions, wishlist items added on the floor, the consent ledger
(``consent_record``, its one writer), the access log of client data and the customer-search
rate limit."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from catalog.models import Product, Store, Variant

from .consent_texts import LANGUAGES, wording_current
from .models import (
    AppDevice,
    BulkReadFlag,
    CardView,
    Channel,
    Consent,
    Customer,
    Interaction,
    Note,
    PrivacyCode,
    PrivacyRequest,
    WishlistItem,
)
from .selectors import customers_resolve, identifier_normalize
from .signals import consent_recorded

# Where each source of a consent happens.
SOURCE_CHANNEL = {
    Consent.Source.STORE: Channel.STORE,
    Consent.Source.SHOPPER_PAGE: Channel.WEB,
    Consent.Source.WEB: Channel.WEB,
    Consent.Source.APP: Channel.APP,
}


class ConsentError(ValueError):
    """A consent that cannot be recorded as asked; the message is for the person."""


@transaction.atomic
def consent_record(
    *,
    customer: Customer,
    purpose: str,
    granted: bool,
    source: str,
    by: AbstractBaseUser | None = None,
    store: Store | None = None,
    wording_version: str | None = None,
    language: str | None = None,
    at: datetime | None = None,
) -> Consent:
    """Record a grant or a withdrawal: a new row of the ledger, which is now in force.

    ``by`` is the staff member who recorded it (None: the shopper themselves, or an
    import). ``wording_version`` is the version of the words shown or read (default: the
    current one); a version other than the current one is refused, as the shopper cannot
    have been shown words that are no longer used. ``language`` is the language they were
    shown in (default: the customer's). Listeners of ``consent_recorded`` act in this
    transaction (the floor takes a withdrawn shopper's card away)."""
    if purpose not in Consent.Purpose.values:
        raise ConsentError(_("Unknown consent purpose."))
    if source not in Consent.Source.values:
        raise ConsentError(_("Unknown consent source."))
    current = wording_current(purpose)
    if wording_version is None:
        wording_version = current.version
    if wording_version != current.version:
        raise ConsentError(_("The wording has changed: read the new one to the client."))
    language = language or customer.preferred_language
    if language not in LANGUAGES:
        raise ConsentError(_("Unknown language."))
    if by is not None:
        actor = Consent.Actor.STAFF
    elif source == Consent.Source.IMPORT:
        actor = Consent.Actor.SYSTEM
    else:
        actor = Consent.Actor.SHOPPER
    # One writer per customer at a time; presence_record takes the same lock, so a
    # withdrawal and an entry are never interleaved (see floor.services).
    Customer.objects.select_for_update(no_key=True).filter(pk=customer.pk).values_list("pk").get()
    consent = Consent.objects.create(
        customer=customer,
        purpose=purpose,
        granted=granted,
        source=source,
        channel=SOURCE_CHANNEL.get(source, ""),
        actor=actor,
        recorded_at=at or timezone.now(),
        recorded_by=by,
        store=store,
        wording_version=wording_version,
        language=language,
    )
    consent_recorded.send(sender=Consent, consent=consent)
    return consent


def note_add(
    *, customer: Customer, author: AbstractBaseUser, store: Store | None, text: str
) -> Note:
    return Note.objects.create(customer=customer, author=author, store=store, text=text.strip())


@transaction.atomic
def app_device_link(
    *, customer: Customer, device_id: str, platform: str = "", label: str = ""
) -> AppDevice:
    """Link an app install to ``customer``; a device signed in as someone else moves over."""
    device, _ = AppDevice.objects.update_or_create(
        device_id=device_id,
        defaults={"customer": customer, "platform": platform, "label": label, "is_active": True},
    )
    return device


@dataclass(frozen=True)
class InteractionIn:
    """One online signal, as validated from a webhook item."""

    event_id: str
    identifier_kind: str
    identifier: str
    kind: str
    channel: str
    occurred_at: datetime
    sku: str = ""
    product_id: int | None = None


@dataclass(frozen=True)
class ItemResult:
    status: str  # "created", "duplicate" or "rejected"
    error: str = ""
    detail: str = ""


@transaction.atomic
def interactions_record(*, items: list[InteractionIn]) -> list[ItemResult]:
    """Record online signals, at most once per event id, in a fixed number of queries
    whatever the batch size. Returns one result per item, in order: an item naming an
    unknown customer or product is rejected, the others are kept."""
    known_ids = set(
        Interaction.objects.filter(event_id__in=[i.event_id for i in items]).values_list(
            "event_id", flat=True
        )
    )
    keys = [
        (i.identifier_kind, identifier_normalize(i.identifier_kind, i.identifier)) for i in items
    ]
    customers = customers_resolve(keys)
    variants = {
        v.sku: v
        for v in Variant.objects.filter(sku__in={i.sku for i in items if i.sku}).only(
            "pk", "sku", "product_id"
        )
    }
    product_ids = set(
        Product.objects.filter(
            pk__in={i.product_id for i in items if i.product_id is not None}
        ).values_list("pk", flat=True)
    )

    results: list[ItemResult] = []
    new: list[Interaction] = []
    wished: list[WishlistItem] = []
    for item, key in zip(items, keys, strict=True):
        if item.event_id in known_ids:
            results.append(ItemResult("duplicate"))
            continue
        customer = customers.get(key)
        if customer is None:
            results.append(
                ItemResult("rejected", "unknown_customer", "No customer has this identifier.")
            )
            continue
        variant = variants.get(item.sku) if item.sku else None
        if item.sku and variant is None:
            results.append(ItemResult("rejected", "unknown_product", f"No variant {item.sku!r}."))
            continue
        product_id = variant.product_id if variant else item.product_id
        if variant is None and product_id not in product_ids:
            results.append(
                ItemResult("rejected", "unknown_product", f"No product {item.product_id!r}.")
            )
            continue
        if variant is not None and item.product_id is not None and item.product_id != product_id:
            results.append(
                ItemResult("rejected", "unknown_product", "The SKU belongs to another product.")
            )
            continue
        known_ids.add(item.event_id)
        new.append(
            Interaction(
                customer=customer,
                kind=item.kind,
                product_id=product_id,
                variant=variant,
                channel=item.channel,
                occurred_at=item.occurred_at,
                event_id=item.event_id,
            )
        )
        if item.kind == Interaction.Kind.WISHLISTED and variant is not None:
            wished.append(
                WishlistItem(
                    customer=customer,
                    variant=variant,
                    channel=item.channel,
                    added_at=item.occurred_at,
                )
            )
        results.append(ItemResult("created"))
    # A concurrent batch carrying the same event id: the database keeps one.
    Interaction.objects.bulk_create(new, ignore_conflicts=True)
    WishlistItem.objects.bulk_create(wished, ignore_conflicts=True)
    return results


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
    consent_language: str | None = None,
) -> Customer:
    """A new customer created at the counter, with a fresh loyalty number and the
    customer's answer recorded for each consent purpose (granted or refused, by whom,
    when, with the current words, read in ``consent_language``: default, theirs).
    Refuses an email already on file: that customer should be picked instead."""
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
        for purpose, granted in consents.items():
            consent_record(
                customer=customer,
                purpose=purpose,
                granted=granted,
                source=Consent.Source.STORE,
                by=by,
                store=store,
                language=consent_language,
                at=now,
            )
    return customer


def wishlist_item_add(
    *, customer_id: int, variant: Variant, channel: str = Channel.STORE
) -> tuple[WishlistItem, bool]:
    """Put ``variant`` on the customer's wishlist. Idempotent: a variant already there stays
    as it was (its first channel and date). Returns the item and whether it is new."""
    with transaction.atomic():
        return WishlistItem.objects.get_or_create(
            customer_id=customer_id,
            variant=variant,
            defaults={"channel": channel, "added_at": timezone.now()},
        )


def card_view_record(
    *, viewer, customer: Customer, store: Store | None, reason: str = CardView.Reason.CARD
) -> None:
    """Log that ``viewer`` opened ``customer``'s card (privacy audit, read in admin)."""
    customer_reads_record(viewer=viewer, customer_ids=[customer.pk], store=store, reason=reason)


def customer_reads_record(
    *, viewer, customer_ids: Iterable[int], store: Store | None, reason: str
) -> BulkReadFlag | None:
    """Log one access row per client whose personal data ``viewer`` is shown (one insert
    for a whole page of results), then flag a bulk pattern: more than
    ``ACCESS_BULK_READ_CLIENTS`` distinct clients within ``ACCESS_BULK_READ_MINUTES``.
    Returns the flag when this read raised one."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return None
    now = timezone.now()
    minutes = settings.ACCESS_BULK_READ_MINUTES
    since = now - timedelta(minutes=minutes)
    if connection.vendor == "postgresql":
        clients = _reads_log_and_count(
            viewer.pk, ids, store.pk if store else None, reason, now, since
        )
    else:
        CardView.objects.bulk_create(
            CardView(viewer=viewer, customer_id=pk, store=store, reason=reason) for pk in ids
        )
        clients = (
            CardView.objects.filter(viewer=viewer, viewed_at__gte=since)
            .values("customer_id")
            .distinct()
            .count()
        )
    if clients <= settings.ACCESS_BULK_READ_CLIENTS:
        return None
    with transaction.atomic():
        if BulkReadFlag.objects.filter(viewer=viewer, raised_at__gte=since).exists():
            return None  # already flagged within this window
        return BulkReadFlag.objects.create(
            viewer=viewer, store=store, clients=clients, minutes=minutes
        )


# The rows and the count of distinct clients the viewer read since the window's start,
# these rows included, in one statement (the access log is written on every card read).
_READS_LOG_SQL = """
WITH logged AS (
    INSERT INTO {table} ({viewer}, {customer}, {store}, {reason}, {viewed_at})
    SELECT %s, ids.id, %s, %s, %s FROM unnest(%s::bigint[]) AS ids(id)
    RETURNING {customer}
)
SELECT COUNT(*) FROM (
    SELECT {customer} FROM {table} WHERE {viewer} = %s AND {viewed_at} >= %s
    UNION
    SELECT {customer} FROM logged
) AS clients
"""


def _reads_log_and_count(viewer_id, ids, store_id, reason, now, since) -> int:
    column = {f.name: connection.ops.quote_name(f.column) for f in CardView._meta.concrete_fields}
    sql = _READS_LOG_SQL.format(table=connection.ops.quote_name(CardView._meta.db_table), **column)
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer_id, store_id, reason, now, ids, viewer_id, since])
        return cursor.fetchone()[0]


class SearchLimited(Exception):
    """Too many customer searches by one person within a minute."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        super().__init__(
            _("Too many searches: at most %(n)d a minute. Wait a moment, then search again.")
            % {"n": per_minute}
        )


def customer_search_count(*, user) -> None:
    """Count one customer search by ``user`` (shared by every process through the cache);
    raise ``SearchLimited`` beyond ``CUSTOMER_SEARCHES_PER_MINUTE``."""
    per_minute = settings.CUSTOMER_SEARCHES_PER_MINUTE
    key = f"customer-search:{user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=90)
    if cache.incr(key) > per_minute:
        raise SearchLimited(per_minute)


# --- The shopper's own privacy page ------------------------------------------------------
#
# A shopper proves they own an email with a one-time code sent to it: 6 digits, kept only
# as a keyed hash, valid ``PRIVACY_CODE_MINUTES``, ``PRIVACY_CODE_TRIES`` tries. The page
# answers the same whether the email is a client's or not (no code is made for an unknown
# one, and nothing says so). What they change is recorded for every client record holding
# that email (normally one).

PRIVACY_CODE_MINUTES = 10
PRIVACY_CODE_TRIES = 5


def email_sha256(email: str) -> str:
    """As ``Customer.email_sha256`` computes it: SHA-256 of the lower-cased address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _code_hash(email_hash: str, code: str) -> str:
    return salted_hmac(
        "clienteling.privacy-code", f"{email_hash}:{code}", algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def privacy_code_issue(*, email: str) -> str | None:
    """A new code for ``email`` if a client has it, emailed after commit (earlier codes
    for it stop working); returns it, or None for an email no client has."""
    email_hash = email_sha256(email)
    now = timezone.now()
    # Done for every email alike: earlier codes of this one, and day-old ones of anyone.
    PrivacyCode.objects.filter(
        Q(email_sha256=email_hash) | Q(expires_at__lt=now - timedelta(days=1))
    ).delete()
    customer = (
        Customer.objects.filter(email_sha256=email_hash)
        .only("email", "preferred_language")
        .order_by("-pk")
        .first()
    )
    if customer is None:
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    PrivacyCode.objects.create(
        email_sha256=email_hash,
        code_hash=_code_hash(email_hash, code),
        created_at=now,
        expires_at=now + timedelta(minutes=PRIVACY_CODE_MINUTES),
    )
    from .tasks import privacy_code_send

    privacy_code_send.delay_on_commit(
        email=customer.email, code=code, language=customer.preferred_language
    )
    return code


def privacy_code_email(*, email: str, code: str, language: str) -> None:
    """Send the code (called by the task)."""
    with translation.override(language):
        context = {"code": code, "minutes": PRIVACY_CODE_MINUTES, "privacy_url": privacy_url()}
        subject = render_to_string("customers/email/privacy_code_subject.txt", context)
        body = render_to_string("customers/email/privacy_code.txt", context)
    send_mail(" ".join(subject.split()), body, None, [email])


def privacy_url() -> str:
    """The shopper's privacy page, as an absolute address (for emails and posters)."""
    return settings.SITE_URL.rstrip("/") + reverse("privacy:start")


@transaction.atomic
def privacy_code_check(*, email_hash: str, code: str) -> bool:
    """Whether ``code`` is the live code for this email; each check uses up a try, and a
    right code works once."""
    now = timezone.now()
    row = (
        PrivacyCode.objects.select_for_update()
        .filter(email_sha256=email_hash, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if row is None or row.attempts >= PRIVACY_CODE_TRIES:
        return False
    row.attempts += 1
    ok = constant_time_compare(row.code_hash, _code_hash(email_hash, code.strip()))
    if ok:
        row.used_at = now
    row.save(update_fields=["attempts", "used_at"])
    return ok


@transaction.atomic
def privacy_consent_change(
    *, email_hash: str, purpose: str, granted: bool, wording_version: str, language: str
) -> list[Consent]:
    """The shopper grants or withdraws ``purpose`` on their page, for every client record
    with their email: recorded as theirs (no staff member), from the privacy page."""
    return [
        consent_record(
            customer=customer,
            purpose=purpose,
            granted=granted,
            source=Consent.Source.SHOPPER_PAGE,
            wording_version=wording_version,
            language=language,
        )
        for customer in Customer.objects.filter(email_sha256=email_hash).order_by("pk")
    ]


@transaction.atomic
def privacy_request_record(*, email_hash: str, kind: str) -> list[PrivacyRequest]:
    """The shopper asks for a copy of their data or its erasure: one request per client
    record with their email, for head office; asking again while one is open adds none."""
    if kind not in PrivacyRequest.Kind.values:
        raise ValueError(kind)
    open_statuses = (PrivacyRequest.Status.RECEIVED, PrivacyRequest.Status.IN_PROGRESS)
    requests = []
    for customer in Customer.objects.select_for_update().filter(email_sha256=email_hash):
        request, _created = PrivacyRequest.objects.get_or_create(
            customer=customer,
            kind=kind,
            status__in=open_statuses,
            defaults={"requested_at": timezone.now(), "status": PrivacyRequest.Status.RECEIVED},
        )
        requests.append(request)
    return requests
