"""Orders for home delivery or pickup: placing them with their stock held, and moving
them through their life. Each function is one transaction.

How stock stays exact (and deadlocks stay out):

- Stock rows are locked with a plain ``SELECT … FOR UPDATE`` ordered by primary key —
  never ``skip_locked``, which would skip the very row we need — and availability is
  read again once the locks are held. Counters change with ``F()`` only.
- A reservation changes (status, expiry) only while its stock row is locked, and
  ``StockLevel.reserved`` changes with it, in the same transaction.
- A service working on an existing order locks the order first, then its stock rows;
  placing an order locks stock rows only. Locks are always taken order → stock, stock
  rows in pk order, so two transactions never wait on each other in a circle.
- A pickup hold past its ``expires_at`` no longer counts for readers; the next writer on
  that stock row, or the periodic sweep, releases it. Nothing waits for the sweep.
- The CHECK constraints on ``StockLevel`` (0 ≤ reserved ≤ on hand) are the last guard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import Store, Variant
from customers.models import Channel, Customer
from customers.services import privacy_url
from integrations.models import OutboundMessage
from integrations.outbox import email_queue
from integrations.push import board_refresh_on_commit
from inventory.models import Reservation
from inventory.services import (
    available,
    reservations_consume,
    reservations_release,
    stock_lock,
    stock_reserve,
)
from offers.pricing import prices_for
from offers.services import OfferUsesExhausted, offer_redemptions_record

from .models import Order, OrderEvent, OrderLine, confirmation_key, validate_french_postcode

CENT = Decimal("0.01")
MAX_LINES = 30
MAX_QUANTITY = 99
STOCK_GUARDS = {
    "stock_on_hand_not_negative",
    "stock_reserved_not_negative",
    "stock_reserved_within_on_hand",
}

Status = Order.Status
Mode = Order.Mode


class OrderError(Exception):
    """A refusal the associate reads as is (already translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Shortage:
    variant: Variant
    source: Store
    requested: int
    available: int


class StockUnavailable(OrderError):
    """Someone else took the units first (or they were never there)."""

    def __init__(self, shortages: Sequence[Shortage]):
        self.shortages = list(shortages)
        items = "; ".join(
            ngettext(
                "%(product)s at %(store)s: %(available)d left",
                "%(product)s at %(store)s: %(available)d left",
                s.available,
            )
            % {"product": s.variant, "store": s.source, "available": s.available}
            for s in self.shortages
        )
        super().__init__(
            _("No longer available: %(items)s.") % {"items": items}
            if items
            else _("No longer available: the stock changed while you were ordering.")
        )


@dataclass(frozen=True)
class LineRequest:
    variant: Variant  # with ``product`` loaded
    quantity: int
    source: Store


@dataclass(frozen=True)
class DeliveryAddress:
    recipient: str
    street: str
    postcode: str
    city: str
    street_extra: str = ""
    phone: str = ""


# --- Placing an order ------------------------------------------------------------------


def order_place(
    *,
    key: str,
    customer: Customer,
    store: Store,
    by,
    lines: Sequence[LineRequest],
    mode: str,
    pickup_store: Store | None = None,
    address: DeliveryAddress | None = None,
    now: datetime | None = None,
) -> Order:
    """Place an order taken in ``store`` and hold its units, all or nothing.

    ``key`` identifies the submission: the same key again (a double tap, a retried
    request) returns the order it made. Raises ``StockUnavailable`` when a source no
    longer has the units, ``OrderError`` for anything else the associate must fix."""
    now = now or timezone.now()
    if not key or len(key) > 64:
        raise OrderError(_("This form is too old: reload the page and try again."))
    if (order := _placed_with(key, customer)) is not None:
        return order
    lines = _merged(lines)
    _check(lines, mode=mode, pickup_store=pickup_store, address=address)
    prices = prices_for(
        [line.variant for line in lines], customer=customer, channel=Channel.STORE, at=now
    )
    unit = {pk: (_cents(p.list_price), _cents(p.final)) for pk, p in prices.items()}
    # A hold for pickup runs from when the customer can collect: now if every unit is
    # already in the pickup store, else from when the order is marked ready.
    local = mode == Mode.PICKUP and all(line.source.pk == pickup_store.pk for line in lines)
    hold_until = now + settings.PICKUP_HOLD if local else None

    try:
        with transaction.atomic():
            stock = stock_lock(((line.source.pk, line.variant.pk) for line in lines), now=now)
            # A double tap that lost the race finds the winner's order once it has the locks.
            if (order := _placed_with(key, customer)) is not None:
                return order
            shortages = [
                Shortage(line.variant, line.source, line.quantity, units)
                for line in lines
                if (units := available(stock, (line.source.pk, line.variant.pk))) < line.quantity
            ]
            if shortages:
                raise StockUnavailable(shortages)

            subtotal = sum(unit[line.variant.pk][0] * line.quantity for line in lines)
            total = sum(unit[line.variant.pk][1] * line.quantity for line in lines)
            order = Order.objects.create(
                idempotency_key=key,
                customer=customer,
                store=store,
                mode=mode,
                pickup_store=pickup_store if mode == Mode.PICKUP else None,
                **_address_fields(address if mode == Mode.DELIVERY else None),
                subtotal=subtotal,
                discount=subtotal - total,
                total=total,
                created_by=by,
                created_at=now,
            )
            order_lines = OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    variant=line.variant,
                    source=line.source,
                    quantity=line.quantity,
                    product_name=line.variant.product.name,
                    sku=line.variant.sku,
                    list_price=unit[line.variant.pk][0],
                    unit_price=unit[line.variant.pk][1],
                    applied_offers=prices[line.variant.pk].as_json()["offers"],
                )
                for line in lines
            )
            stock_reserve(
                stock=stock,
                holds=[
                    (order_line.pk, (line.source.pk, line.variant.pk), line.quantity)
                    for order_line, line in zip(order_lines, lines, strict=True)
                ],
                expires_at=hold_until,
                now=now,
            )
            # Offers with a per-customer limit: this order uses one (the customer's row is
            # locked while counting, so two orders cannot both take the last use).
            offer_redemptions_record(
                customer=customer,
                offer_ids={o.offer_id for p in prices.values() for o in p.offers},
                reference=order.reference,
                channel=Channel.STORE,
                at=now,
            )
            OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.CREATED, by=by, at=now)
            # The confirmation email is recorded with the order, sent after commit.
            order_confirmation_queue(order=order, lines=order_lines, hold_until=hold_until)
            board_refresh_on_commit(store_id=store.pk)  # today's figures on the boards
    except OfferUsesExhausted as error:
        raise OrderError(
            _("%(error)s. The prices changed: check the order and place it again.")
            % {"error": error}
        ) from error
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        if constraint == "order_submitted_once":
            return _placed_with(key, customer)
        if constraint in STOCK_GUARDS:  # the last guard held: report it like any shortage
            raise StockUnavailable([]) from error
        raise
    return order


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _placed_with(key: str, customer: Customer) -> Order | None:
    order = Order.objects.filter(idempotency_key=key).first()
    if order is not None and order.customer_id != customer.pk:
        raise OrderError(_("This form was already used for another order: reload the page."))
    return order


def _merged(lines: Iterable[LineRequest]) -> list[LineRequest]:
    """One line per (variant, source), quantities added up, first appearance first."""
    merged: dict[tuple[int, int], LineRequest] = {}
    for line in lines:
        key = (line.variant.pk, line.source.pk)
        if key in merged:
            line = LineRequest(line.variant, merged[key].quantity + line.quantity, line.source)
        merged[key] = line
    return list(merged.values())


def _check(lines, *, mode, pickup_store, address) -> None:
    if not lines:
        raise OrderError(_("Add at least one product."))
    if len(lines) > MAX_LINES:
        raise OrderError(_("An order has at most %(max)d lines.") % {"max": MAX_LINES})
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise OrderError(_("Quantities are between 1 and %(max)d.") % {"max": MAX_QUANTITY})
        if not line.source.is_active:
            raise OrderError(
                _("%(store)s is closed: choose another source.") % {"store": line.source}
            )
    if mode == Mode.PICKUP:
        if pickup_store is None or pickup_store.is_warehouse or not pickup_store.is_active:
            raise OrderError(_("Choose the store where the customer will collect the order."))
    elif mode == Mode.DELIVERY:
        if address is None or not (address.recipient and address.street and address.city):
            raise OrderError(_("A home delivery needs the recipient, street, postcode and city."))
        try:
            validate_french_postcode(address.postcode)
        except ValidationError as error:
            raise OrderError(error.messages[0]) from None
    else:
        raise OrderError(_("Choose home delivery or pickup in a store."))


def _address_fields(address: DeliveryAddress | None) -> dict:
    if address is None:
        return {}
    return {
        "recipient": address.recipient,
        "street": address.street,
        "street_extra": address.street_extra,
        "postcode": address.postcode,
        "city": address.city,
        "phone": address.phone,
    }


# --- The life of an order --------------------------------------------------------------


def _lock_order(order_id: int) -> tuple[Order, list[Reservation]]:
    """Lock the order, then its stock rows; return it with its reservations read after
    the locks are held."""
    order = Order.objects.select_for_update(of=("self",)).get(pk=order_id)
    pairs = Reservation.objects.filter(line__order=order).values_list("store_id", "variant_id")
    stock_lock(pairs)
    return order, list(Reservation.objects.filter(line__order=order).order_by("pk"))


def _require(order: Order, *statuses: str, mode: str | None = None) -> None:
    if order.status not in statuses or (mode is not None and order.mode != mode):
        raise OrderError(
            _("This order is “%(status)s”: that step is not possible now.")
            % {"status": order.get_status_display()}
        )


def _require_hold(reservations: Sequence[Reservation], now: datetime) -> None:
    for reservation in reservations:
        lapsed = reservation.expires_at is not None and reservation.expires_at <= now
        if reservation.status != Reservation.Status.ACTIVE or lapsed:
            raise OrderError(
                _(
                    "The pickup hold has expired and the units were released: "
                    "cancel this order and place a new one."
                )
            )


def _record(order: Order, status: str, *, by, now: datetime, kind: str | None = None, note=""):
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    OrderEvent.objects.create(order=order, kind=kind or status, by=by, at=now, note=note)
    return order


def order_confirm(*, order_id: int, by, now: datetime | None = None) -> Order:
    """The source has the units set aside."""
    now = now or timezone.now()
    with transaction.atomic():
        order, held = _lock_order(order_id)
        _require(order, Status.CREATED)
        _require_hold(held, now)
        return _record(order, Status.CONFIRMED, by=by, now=now)


def order_mark_ready(*, order_id: int, by, now: datetime | None = None) -> Order:
    """Everything is in the pickup store: the customer has ``PICKUP_HOLD`` to come."""
    now = now or timezone.now()
    with transaction.atomic():
        order, held = _lock_order(order_id)
        _require(order, Status.CONFIRMED, mode=Mode.PICKUP)
        _require_hold(held, now)
        Reservation.objects.filter(pk__in=[r.pk for r in held]).update(
            expires_at=now + settings.PICKUP_HOLD
        )
        return _record(order, Status.READY, by=by, now=now)


def order_ship(*, order_id: int, by, now: datetime | None = None) -> Order:
    """The parcel left the source: its units leave the stock."""
    now = now or timezone.now()
    with transaction.atomic():
        order, held = _lock_order(order_id)
        _require(order, Status.CONFIRMED, mode=Mode.DELIVERY)
        _require_hold(held, now)
        reservations_consume(held, now=now)
        return _record(order, Status.SHIPPED, by=by, now=now)


def order_collect(*, order_id: int, by, now: datetime | None = None) -> Order:
    """The customer took the order away: its units leave the stock."""
    now = now or timezone.now()
    with transaction.atomic():
        order, held = _lock_order(order_id)
        _require(order, Status.READY, mode=Mode.PICKUP)
        _require_hold(held, now)
        reservations_consume(held, now=now)
        return _record(order, Status.COLLECTED, by=by, now=now)


def order_deliver(*, order_id: int, by, now: datetime | None = None) -> Order:
    now = now or timezone.now()
    with transaction.atomic():
        order, _held = _lock_order(order_id)
        _require(order, Status.SHIPPED)
        return _record(order, Status.DELIVERED, by=by, now=now)


def order_cancel(*, order_id: int, by, reason: str = "", now: datetime | None = None) -> Order:
    """Cancel before the units left: whatever is still held goes back on sale."""
    now = now or timezone.now()
    with transaction.atomic():
        order, held = _lock_order(order_id)
        _require(order, Status.CREATED, Status.CONFIRMED, Status.READY)
        active = [r for r in held if r.status == Reservation.Status.ACTIVE]
        reservations_release(active, now=now)
        return _record(order, Status.CANCELLED, by=by, now=now, note=reason[:300])


ACTIONS = {
    "confirm": order_confirm,
    "ready": order_mark_ready,
    "ship": order_ship,
    "collect": order_collect,
    "deliver": order_deliver,
    "cancel": order_cancel,
}


def order_next_actions(order: Order) -> list[str]:
    """The steps that can follow, as keys of ``ACTIONS``."""
    match order.status, order.mode:
        case Status.CREATED, _mode:
            return ["confirm", "cancel"]
        case Status.CONFIRMED, Mode.PICKUP:
            return ["ready", "cancel"]
        case Status.CONFIRMED, Mode.DELIVERY:
            return ["ship", "cancel"]
        case Status.READY, _mode:
            return ["collect", "cancel"]
        case Status.SHIPPED, _mode:
            return ["deliver"]
    return []


def orders_release_expired_holds(*, now: datetime | None = None) -> int:
    """Cancel the pickup orders whose hold has run out and put their units back on sale.
    Tidying only: readers already ignore lapsed holds. Returns how many were cancelled."""
    now = now or timezone.now()
    order_ids = list(
        Order.objects.filter(
            Exists(Reservation.objects.lapsed(now).filter(line__order=OuterRef("pk"))),
            status__in=[Status.CREATED, Status.CONFIRMED, Status.READY],
            mode=Mode.PICKUP,
        ).values_list("pk", flat=True)
    )
    released = 0
    for order_id in order_ids:  # one short transaction per order
        with transaction.atomic():
            order, held = _lock_order(order_id)
            if order.status not in (Status.CREATED, Status.CONFIRMED, Status.READY):
                continue
            active = [r for r in held if r.status == Reservation.Status.ACTIVE]
            reservations_release(active, now=now, status=Reservation.Status.EXPIRED)
            _record(order, Status.CANCELLED, by=None, now=now, kind=OrderEvent.Kind.HOLD_EXPIRED)
            released += 1
    return released


# --- Telling the customer --------------------------------------------------------------


def order_confirmation_queue(
    *, order: Order, lines: Sequence[OrderLine], hold_until: datetime | None
) -> OutboundMessage | None:
    """Record the order's confirmation email, in the customer's language, in the outbox:
    call it inside the transaction that places the order. It leaves after commit, once
    (``integrations/outbox.py``); ``None`` when the customer gave no email address."""
    if not order.customer.email:
        return None
    context = {
        "order": order,
        "customer": order.customer,
        "lines": lines,
        "hold_until": hold_until,
        "privacy_url": privacy_url(),
    }
    with translation.override(order.customer.preferred_language):
        subject = render_to_string("orders/email/confirmation_subject.txt", context)
        body = render_to_string("orders/email/confirmation.txt", context)
    return email_queue(
        kind="order.confirmation",
        key=confirmation_key(order.reference),
        to=[order.customer.email],
        subject=subject,
        body=body,
    )
