"""The one price function: every page, card and order asks here what a customer pays.

The offers engine (targeting, stacking, limits) plugs in behind this interface; until it
does, the price is the list price.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from catalog.models import Variant
from customers.models import Channel, Customer


@dataclass(frozen=True)
class AppliedOffer:
    offer_id: int
    name: str
    discount: Decimal


@dataclass(frozen=True)
class Price:
    list_price: Decimal
    final: Decimal
    offers: tuple[AppliedOffer, ...] = field(default=())
    explanation: str = ""

    @property
    def discount(self) -> Decimal:
        return self.list_price - self.final

    @property
    def is_discounted(self) -> bool:
        return self.final < self.list_price


def prices_for(
    variants: Iterable[Variant],
    *,
    customer: Customer | None = None,
    channel: str = Channel.STORE,
    at: datetime | None = None,
) -> dict[int, Price]:
    """Prices of many variants at once (keyed by variant id), in a bounded number of
    queries. Variants must come with ``product`` loaded (``select_related``)."""
    at = at or timezone.now()
    return {
        v.pk: Price(list_price=v.product.list_price, final=v.product.list_price) for v in variants
    }


def price_for(
    variant: Variant,
    *,
    customer: Customer | None = None,
    channel: str = Channel.STORE,
    at: datetime | None = None,
) -> Price:
    return prices_for([variant], customer=customer, channel=channel, at=at)[variant.pk]
