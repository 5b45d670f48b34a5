"""Writes about customers: quick creation at the counter, notes, app device links,
online interactions, wishlist items added on the floor, the access log of client data
and the customer-search rate limit."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product, Store, Variant

from .models import (
    AppDevice,
    BulkReadFlag,
    CardView,
    Channel,
    Consent,
    Customer,
    Interaction,
    Note,
    WishlistItem,
)
from .selectors import customers_resolve, identifier_normalize


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
    CardView.objects.bulk_create(
        CardView(viewer=viewer, customer_id=pk, store=store, reason=reason) for pk in ids
    )
    return _bulk_read_check(viewer=viewer, store=store)


def _bulk_read_check(*, viewer, store: Store | None) -> BulkReadFlag | None:
    minutes = settings.ACCESS_BULK_READ_MINUTES
    since = timezone.now() - timedelta(minutes=minutes)
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
