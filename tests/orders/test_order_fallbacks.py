"""The database's own guards behind the order service's checks: when a submission slips
past them, the constraint decides, and the associate still gets a proper answer."""

import threading
from decimal import Decimal

import pytest
from django.db import connections, transaction

from inventory.models import Reservation, StockLevel
from orders import services
from orders.models import Order
from orders.services import StockUnavailable


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_submission_that_slips_past_the_checks_returns_the_first_order(
    store, near_store, tv, stock, customer, place
):
    """Two submissions with one key that lock different stock rows do not wait for each
    other: the second finds no order, and only the unique key stops it. It must answer
    with the first order, and hold nothing."""
    stock(store, tv, on_hand=3)
    stock(near_store, tv, on_hand=3)
    inserted, release = threading.Event(), threading.Event()

    def first_submission():
        try:
            with transaction.atomic():
                Order.objects.create(
                    idempotency_key="same-key",
                    customer=customer,
                    store=store,
                    mode="pickup",
                    pickup_store=store,
                    subtotal=Decimal("999.00"),
                    discount=Decimal("0"),
                    total=Decimal("999.00"),
                )
                inserted.set()
                release.wait(timeout=10)  # still uncommitted while the second one runs
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_submission)
    thread.start()
    assert inserted.wait(timeout=10)
    threading.Timer(0.5, release.set).start()
    order = place([(tv, 1, near_store)], key="same-key")
    thread.join(timeout=10)

    assert order.idempotency_key == "same-key"
    assert Order.objects.count() == 1
    assert not Reservation.objects.exists()
    assert StockLevel.objects.get(store=near_store, variant=tv).reserved == 0


@pytest.mark.django_db
def test_the_stock_check_constraint_turns_into_out_of_stock(store, tv, stock, place, monkeypatch):
    """Were the availability check ever wrong, the CHECK (reserved ≤ on hand) refuses the
    hold: the associate reads "no longer available", and nothing is written."""
    stock(store, tv, on_hand=1)
    monkeypatch.setattr(services, "available", lambda stock, pair: 99)  # a wrong check
    with pytest.raises(StockUnavailable):
        place([(tv, 2, store)])
    assert not Order.objects.exists()
    assert StockLevel.objects.get(store=store, variant=tv).reserved == 0
