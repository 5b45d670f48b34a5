"""Placing orders and moving them along: stock held, released or taken off the shelf."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import Reservation, StockLevel
from orders import services as order_services
from orders.models import Order, OrderEvent
from orders.services import (
    DeliveryAddress,
    OrderError,
    StockUnavailable,
    order_cancel,
    order_collect,
    order_confirm,
    order_deliver,
    order_mark_ready,
    order_ship,
    orders_release_expired_holds,
)
from tests.factories import OfferFactory, VariantFactory

HOLD = timedelta(hours=48)


def level(store, variant):
    row = StockLevel.objects.get(store=store, variant=variant)
    return row.on_hand, row.reserved


def test_placing_holds_the_units_at_the_source(place, near_store, tv, stock, associate):
    stock(near_store, tv, on_hand=2)

    order = place([(tv, 2, near_store)])

    assert level(near_store, tv) == (2, 2)
    assert order.status == Order.Status.CREATED
    assert order.reference.startswith("CL-")
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("1998.00"),
        Decimal("0.00"),
        Decimal("1998.00"),
    )
    (line,) = order.lines.all()
    assert (line.quantity, line.source, line.unit_price) == (2, near_store, Decimal("999.00"))
    assert line.reservation.status == Reservation.Status.ACTIVE
    assert line.reservation.expires_at is None  # a delivery is held until it ships
    (event,) = order.events.all()
    assert (event.kind, event.by) == (OrderEvent.Kind.CREATED, associate)


def test_the_order_keeps_the_price_and_offers_it_was_placed_with(place, near_store, tv, stock):
    stock(near_store, tv, on_hand=1)
    offer = OfferFactory(name="Gold -10 %", scope="product")
    offer.products.add(tv.product)

    order = place([(tv, 1, near_store)])
    # Later, the list price rises and the offer ends: the order keeps what was agreed.
    tv.product.list_price = Decimal("1299.00")
    tv.product.save()
    offer.ends_at = timezone.now()
    offer.save()

    order.refresh_from_db()
    line = order.lines.get()
    assert (line.list_price, line.unit_price) == (Decimal("999.00"), Decimal("899.10"))
    assert [(o["offer_id"], o["name"], o["discount"]) for o in line.applied_offers] == [
        (offer.pk, "Gold -10 %", "99.90")
    ]
    assert (order.discount, order.total) == (Decimal("99.90"), Decimal("899.10"))


def test_an_order_priced_by_the_offers_engine_counts_a_limited_offer_once(
    place, near_store, tv, stock, customer
):
    stock(near_store, tv, on_hand=3)
    once = OfferFactory(name="Bienvenue -10 %", scope="product", uses_per_customer=1)
    once.products.add(tv.product)

    order = place([(tv, 1, near_store)])
    line = order.lines.get()
    assert (line.list_price, line.unit_price) == (Decimal("999.00"), Decimal("899.10"))
    assert [o["offer_id"] for o in line.applied_offers] == [once.pk]
    assert list(once.redemptions.values_list("customer", "reference", "channel")) == [
        (customer.pk, order.reference, "store")
    ]
    # The use is spent: the next order pays the list price.
    second = place([(tv, 1, near_store)])
    assert second.lines.get().unit_price == Decimal("999.00")
    assert once.redemptions.count() == 1


def test_an_offer_used_up_meanwhile_refuses_the_order_and_writes_nothing(
    place, near_store, tv, stock, customer, monkeypatch
):
    stock(near_store, tv, on_hand=3)
    once = OfferFactory(name="Bienvenue -10 %", scope="product", uses_per_customer=1)
    once.products.add(tv.product)
    # Another channel used it between the moment the order was priced and now.
    priced = order_services.prices_for

    def price_then_used_elsewhere(variants, **kwargs):
        prices = priced(variants, **kwargs)
        once.redemptions.create(
            customer=customer, reference="WEB-1", channel="web", redeemed_at=timezone.now()
        )
        return prices

    monkeypatch.setattr(order_services, "prices_for", price_then_used_elsewhere)
    with pytest.raises(OrderError) as refused:
        place([(tv, 1, near_store)])
    assert "Bienvenue -10 %" in refused.value.message
    assert not Order.objects.exists()
    assert level(near_store, tv) == (3, 0)


def test_a_double_tap_makes_one_order(place, near_store, tv, stock):
    stock(near_store, tv, on_hand=3)

    first = place([(tv, 1, near_store)], key="tap-tap")
    second = place([(tv, 1, near_store)], key="tap-tap")

    assert first.pk == second.pk
    assert Order.objects.count() == 1
    assert level(near_store, tv) == (3, 1)


def test_a_key_used_for_another_customer_is_refused(place, near_store, tv, stock):
    from tests.factories import CustomerFactory

    stock(near_store, tv, on_hand=3)
    place([(tv, 1, near_store)], key="once")
    with pytest.raises(OrderError):
        place([(tv, 1, near_store)], key="once", customer=CustomerFactory())
    assert Order.objects.count() == 1


def test_not_enough_units_is_refused_and_nothing_is_written(place, near_store, store, tv, stock):
    stock(near_store, tv, on_hand=2, reserved=1)
    other = VariantFactory(product__name="Barre de son")
    stock(store, other, on_hand=5)

    with pytest.raises(StockUnavailable) as refused:
        place([(other, 1, store), (tv, 2, near_store)])

    assert refused.value.message == (
        'Plus disponible : Téléviseur OLED 55 55" noir à Paris Bastille : 1 restant.'
    )
    assert not Order.objects.exists()
    assert not Reservation.objects.exists()
    assert level(near_store, tv) == (2, 1)
    assert level(store, other) == (5, 0)


def test_a_store_without_a_stock_row_has_nothing_to_give(place, store, tv):
    with pytest.raises(StockUnavailable):
        place([(tv, 1, store)])


def test_same_variant_and_source_twice_is_one_line(place, near_store, tv, stock):
    stock(near_store, tv, on_hand=3)
    order = place([(tv, 1, near_store), (tv, 2, near_store)])
    assert [line.quantity for line in order.lines.all()] == [3]
    assert level(near_store, tv) == (3, 3)


@pytest.mark.parametrize(
    ("postcode", "ok"),
    [("75020", True), ("20000", True), ("2A004", False), ("7502", False), ("00123", False)],
)
def test_home_delivery_needs_a_french_postcode(place, near_store, tv, stock, postcode, ok):
    stock(near_store, tv, on_hand=1)
    address = DeliveryAddress("Camille Martin", "12 rue des Lilas", postcode, "Paris")
    if ok:
        assert place([(tv, 1, near_store)], address=address).postcode == postcode
    else:
        with pytest.raises(OrderError, match="code postal"):
            place([(tv, 1, near_store)], address=address)
        assert level(near_store, tv) == (1, 0)


def test_pickup_needs_a_store_not_a_warehouse(place, near_store, warehouse, tv, stock):
    stock(near_store, tv, on_hand=1)
    with pytest.raises(OrderError, match="retirera"):
        place([(tv, 1, near_store)], mode="pickup", pickup_store=warehouse)


# --- Pickup holds ----------------------------------------------------------------------


def test_pickup_in_the_store_holding_the_units_is_held_48_hours(place, store, tv, stock):
    stock(store, tv, on_hand=1)
    now = timezone.now()
    order = place([(tv, 1, store)], mode="pickup", pickup_store=store, now=now)
    assert order.lines.get().reservation.expires_at == now + HOLD


def test_a_transfer_is_held_until_ready_then_48_hours(place, store, near_store, tv, stock, manager):
    stock(near_store, tv, on_hand=1)
    order = place([(tv, 1, near_store)], mode="pickup", pickup_store=store)
    assert order.lines.get().reservation.expires_at is None

    order_confirm(order_id=order.pk, by=manager)
    ready_at = timezone.now() + timedelta(days=3)
    order_mark_ready(order_id=order.pk, by=manager, now=ready_at)

    assert order.lines.get().reservation.expires_at == ready_at + HOLD


def test_a_lapsed_hold_frees_the_units_without_waiting_for_the_sweep(place, store, tv, stock):
    stock(store, tv, on_hand=1)
    now = timezone.now()
    first = place([(tv, 1, store)], mode="pickup", pickup_store=store, now=now - HOLD * 2)
    assert level(store, tv) == (1, 1)

    # Two days and more later, someone else may take the unit at once.
    second = place([(tv, 1, store)], now=now)

    assert level(store, tv) == (1, 1)
    assert first.lines.get().reservation.status == Reservation.Status.EXPIRED
    assert second.lines.get().reservation.status == Reservation.Status.ACTIVE
    # The first customer's order can go no further.
    with pytest.raises(OrderError, match="a expiré"):
        order_confirm(order_id=first.pk, by=None, now=now)


def test_the_sweep_cancels_lapsed_pickups_and_releases_their_units(
    place, store, near_store, tv, stock
):
    stock(store, tv, on_hand=2)
    stock(near_store, tv, on_hand=1)
    now = timezone.now()
    lapsed = place([(tv, 2, store)], mode="pickup", pickup_store=store, now=now - HOLD * 2)
    delivery = place([(tv, 1, near_store)], now=now - HOLD * 10)

    assert orders_release_expired_holds(now=now) == 1
    assert orders_release_expired_holds(now=now) == 0  # nothing left to do

    lapsed.refresh_from_db()
    assert lapsed.status == Order.Status.CANCELLED
    assert lapsed.events.last().kind == OrderEvent.Kind.HOLD_EXPIRED
    assert lapsed.events.last().by is None
    assert level(store, tv) == (2, 0)
    delivery.refresh_from_db()
    assert delivery.status == Order.Status.CREATED  # deliveries never lapse
    assert level(near_store, tv) == (1, 1)


# --- Life of an order ------------------------------------------------------------------


def test_delivery_life_shipping_takes_the_units_off_the_shelf(
    place, near_store, tv, stock, associate, manager
):
    stock(near_store, tv, on_hand=3)
    order = place([(tv, 2, near_store)])

    order_confirm(order_id=order.pk, by=manager)
    order_ship(order_id=order.pk, by=manager)
    assert level(near_store, tv) == (1, 0)
    order_deliver(order_id=order.pk, by=associate)

    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    assert [(e.kind, e.by) for e in order.events.all()] == [
        ("created", associate),
        ("confirmed", manager),
        ("shipped", manager),
        ("delivered", associate),
    ]
    assert order.lines.get().reservation.status == Reservation.Status.FULFILLED


def test_pickup_life_collection_takes_the_units_off_the_shelf(place, store, tv, stock, associate):
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)], mode="pickup", pickup_store=store)

    order_confirm(order_id=order.pk, by=associate)
    order_mark_ready(order_id=order.pk, by=associate)
    order_collect(order_id=order.pk, by=associate)

    assert Order.objects.get(pk=order.pk).status == Order.Status.COLLECTED
    assert level(store, tv) == (0, 0)


@pytest.mark.parametrize("step", ["created", "confirmed", "ready"])
def test_cancelling_puts_the_units_back_on_sale(place, store, tv, stock, associate, step):
    stock(store, tv, on_hand=2)
    order = place([(tv, 2, store)], mode="pickup", pickup_store=store)
    if step in ("confirmed", "ready"):
        order_confirm(order_id=order.pk, by=associate)
    if step == "ready":
        order_mark_ready(order_id=order.pk, by=associate)

    order_cancel(order_id=order.pk, by=associate, reason="Changed her mind")

    assert level(store, tv) == (2, 0)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.events.last().note == "Changed her mind"


def test_steps_out_of_order_are_refused(place, store, near_store, tv, stock, associate):
    stock(near_store, tv, on_hand=2)
    order = place([(tv, 1, near_store)])
    with pytest.raises(OrderError):
        order_ship(order_id=order.pk, by=associate)  # not confirmed yet
    order_confirm(order_id=order.pk, by=associate)
    with pytest.raises(OrderError):
        order_mark_ready(order_id=order.pk, by=associate)  # a delivery is never "ready"
    order_ship(order_id=order.pk, by=associate)
    with pytest.raises(OrderError):
        order_cancel(order_id=order.pk, by=associate)  # it left already
    assert level(near_store, tv) == (1, 0)


def test_the_sweep_runs_as_a_scheduled_task(place, store, tv, stock):
    from django.conf import settings

    from clienteling.celery import app
    from orders.tasks import orders_release_expired_holds as sweep_task

    entry = settings.CELERY_BEAT_SCHEDULE["orders-release-expired-pickup-holds"]
    assert entry["task"] == sweep_task.name and entry["task"] in app.tasks
    stock(store, tv, on_hand=1)
    place([(tv, 1, store)], mode="pickup", pickup_store=store, now=timezone.now() - HOLD * 2)

    assert sweep_task.apply().get() == 1
    assert level(store, tv) == (1, 0)
