"""Writes to customer records."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from catalog.models import Variant

from .models import Channel, WishlistItem


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
