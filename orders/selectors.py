"""Orders as pages read them, each in a bounded number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Concat
from django.utils import timezone

from catalog.models import Store, Variant
from customers.models import Channel, Customer
from integrations.models import OutboundMessage
from inventory.models import Reservation
from inventory.selectors import StockAt, default_source, fulfilment_options
from offers.pricing import Price, prices_for
from staff.access import Role, staff_profile, stores_for

from .models import Order, OrderEvent, OrderLine

OPEN = "open"


def _with_summary(orders: QuerySet[Order], now: datetime) -> QuerySet[Order]:
    """Adds ``items`` (units ordered), ``hold_until`` (earliest running pickup hold) and
    ``hold_lapsed`` (a hold ran out)."""
    return orders.annotate(
        items=Sum("lines__quantity"),
        hold_until=Min(
            "lines__reservation__expires_at",
            filter=Q(lines__reservation__status=Reservation.Status.ACTIVE),
        ),
        hold_lapsed=Exists(Reservation.objects.lapsed(now).filter(line__order=OuterRef("pk"))),
    )


def open_orders_for(*, customer_id: int, now: datetime | None = None) -> list[Order]:
    """The customer's orders under way (every store), newest first: what the customer
    card lists with ``orders/partials/open_orders.html``. One query."""
    now = now or timezone.now()
    orders = Order.objects.filter(customer_id=customer_id, status__in=Order.OPEN_STATUSES)
    return list(
        _with_summary(orders, now)
        .select_related("store", "pickup_store")
        .order_by("-created_at", "-pk")[:20]
    )


def store_orders(
    *, store: Store, status: str = OPEN, now: datetime | None = None
) -> QuerySet[Order]:
    """Orders a store deals with: taken there, to hand over there, or with units leaving
    from there; ``status`` is ``"open"``, a status, or ``""`` for all. Each order comes
    with ``ships_from_here`` and the summary of ``_with_summary``."""
    now = now or timezone.now()
    sourced_here = OrderLine.objects.filter(order=OuterRef("pk"), source=store)
    orders = Order.objects.filter(Q(store=store) | Q(pickup_store=store) | Exists(sourced_here))
    if status == OPEN:
        orders = orders.filter(status__in=Order.OPEN_STATUSES)
    elif status:
        orders = orders.filter(status=status)
    return (
        _with_summary(orders, now)
        .annotate(ships_from_here=Exists(sourced_here))
        .select_related("customer", "store", "pickup_store")
        .order_by("-created_at", "-pk")
    )


def order_placed_with(*, key: str, customer_id: int) -> Order | None:
    """The order this form submission (its idempotency key) already placed for the
    customer, if any: a retried "place" finds it even once its units are reserved."""
    if not key:
        return None
    return Order.objects.filter(idempotency_key=key, customer_id=customer_id).first()


def order_detail(*, order_id: int) -> Order:
    """An order with its lines (variant, source, reservation) and its history, and when
    its confirmation email left (``confirmation_sent_at``, from the outbox)."""
    confirmation = OutboundMessage.objects.filter(
        key=Concat(Value("order-"), OuterRef("reference"), Value("-confirmation")),
        status=OutboundMessage.Status.SENT,
    )
    return (
        Order.objects.select_related("customer", "store", "pickup_store", "created_by")
        .annotate(confirmation_sent_at=Subquery(confirmation.values("sent_at")[:1]))
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related(
                    "variant__product", "source", "reservation"
                ),
            ),
            Prefetch("events", queryset=OrderEvent.objects.select_related("by")),
        )
        .get(pk=order_id)
    )


def order_hold(order: Order, now: datetime | None = None) -> tuple[datetime | None, bool]:
    """(When the pickup hold runs out, whether it has) for an order from ``order_detail``."""
    now = now or timezone.now()
    holds = [line.reservation for line in order.lines.all()]
    active = [r for r in holds if r.status == Reservation.Status.ACTIVE and r.expires_at]
    lapsed = any(r.status == Reservation.Status.EXPIRED for r in holds) or any(
        r.expires_at <= now for r in active
    )
    return (min(r.expires_at for r in active) if active else None), lapsed


def can_act_on(user, order: Order) -> bool:
    """Staff of a store the order concerns (taken, handed over, or shipped from), and
    head office, may move it along. Uses ``order.lines`` as prefetched."""
    profile = staff_profile(user)
    if profile is None:
        return False
    if profile.role == Role.HEAD_OFFICE:
        return True
    concerned = {order.store_id, order.pickup_store_id} | {
        line.source_id for line in order.lines.all()
    }
    return stores_for(user).filter(pk__in=concerned - {None}).exists()


@dataclass
class PreviewLine:
    variant: Variant
    quantity: int | None
    chosen: Store | None  # None: the nearest with stock
    options: list[StockAt]
    price: Price

    @property
    def default(self) -> StockAt | None:
        return default_source(self.options, self.quantity or 1)

    @property
    def source(self) -> StockAt | None:
        """Where the units will come from, with what it has available."""
        if self.chosen is None:
            return self.default
        found = next((o for o in self.options if o.store.pk == self.chosen.pk), None)
        return found or StockAt(store=self.chosen, distance_km=None, on_hand=0, reserved=0)

    @property
    def is_short(self) -> bool:
        return self.source is None or self.source.available < (self.quantity or 1)

    @property
    def total(self) -> Decimal:
        return self.price.final * (self.quantity or 0)


@dataclass
class OrderPreview:
    lines: list[PreviewLine]

    @property
    def subtotal(self) -> Decimal:
        return sum(
            (line.price.list_price * (line.quantity or 0) for line in self.lines), Decimal(0)
        )

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))

    @property
    def discount(self) -> Decimal:
        return self.subtotal - self.total


def order_preview(
    *,
    customer: Customer | None,
    lines: Sequence[tuple[Variant, int | None, Store | None]],
    near: Store,
    now: datetime | None = None,
) -> OrderPreview:
    """What the order form shows before it is placed: each line priced for the customer
    by the one price function, with its possible sources and the default one. Bounded
    queries whatever the number of lines."""
    now = now or timezone.now()
    variants = [variant for variant, _q, _s in lines]
    prices = prices_for(variants, customer=customer, channel=Channel.STORE, at=now)
    options = fulfilment_options([v.pk for v in variants], near=near, now=now)
    return OrderPreview(
        [
            PreviewLine(variant, quantity, source, options.get(variant.pk, []), prices[variant.pk])
            for variant, quantity, source in lines
        ]
    )
