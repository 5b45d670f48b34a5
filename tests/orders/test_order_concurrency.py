"""Real concurrency on PostgreSQL: every attempt runs in its own thread with its own
database connection, all released at once by a barrier."""

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest
from django.db import connection, connections

from inventory.models import Reservation, StockLevel
from orders.models import Order
from orders.services import LineRequest, StockUnavailable, order_cancel, order_place
from tests.factories import CustomerFactory, StockLevelFactory, VariantFactory
from tests.orders.conftest import ADDRESS

ATTEMPTS = 50

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pool_for(request):
    """A connection pool large enough for ``n`` threads at once (DB_POOL_MAX is 20 by
    default); the usual pool comes back afterwards."""
    options = connection.settings_dict["OPTIONS"].get("pool")
    assert isinstance(options, dict), "these tests run on PostgreSQL with a connection pool"
    original = options["max_size"]

    def resize(size):
        connections.close_all()
        connection.close_pool()
        options["max_size"] = size

    yield lambda n: resize(n + 2)
    resize(original)


def run_together(count, attempt):
    """Run ``attempt(i)`` in ``count`` threads released together; return the results."""
    barrier = threading.Barrier(count)

    def worker(i):
        try:
            barrier.wait(timeout=30)
            return attempt(i)
        finally:
            connections.close_all()  # back to the pool

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(worker, range(count)))


def test_fifty_shoppers_for_the_last_five_units(store, associate, pool_for):
    pool_for(ATTEMPTS)
    tv = VariantFactory(product__name="Téléviseur OLED 65")
    row = StockLevelFactory(store=store, variant=tv, on_hand=5, reserved=0)
    customers = CustomerFactory.create_batch(ATTEMPTS)

    def attempt(i):
        try:
            order_place(
                key=uuid4().hex,
                customer=customers[i],
                store=store,
                by=associate,
                lines=[LineRequest(tv, 1, store)],
                mode="delivery",
                address=ADDRESS,
            )
        except StockUnavailable as refused:
            return refused.message
        return "placed"

    results = run_together(ATTEMPTS, attempt)

    assert results.count("placed") == 5
    refusals = [r for r in results if r != "placed"]
    assert len(refusals) == ATTEMPTS - 5
    assert all(r.startswith("Plus disponible : Téléviseur OLED 65") for r in refusals)
    row.refresh_from_db()
    assert (row.on_hand, row.reserved) == (5, 5)
    assert Order.objects.count() == 5
    assert Reservation.objects.filter(status="active").count() == 5


def test_a_double_tap_across_connections_makes_one_order(store, associate, customer, pool_for):
    pool_for(10)
    tv = VariantFactory()
    row = StockLevelFactory(store=store, variant=tv, on_hand=3)

    def attempt(i):
        return order_place(
            key="same-submission",
            customer=customer,
            store=store,
            by=associate,
            lines=[LineRequest(tv, 1, store)],
            mode="delivery",
            address=ADDRESS,
        ).pk

    assert len(set(run_together(10, attempt))) == 1
    row.refresh_from_db()
    assert row.reserved == 1


def test_orders_locking_the_same_rows_in_opposite_orders_do_not_deadlock(
    store, near_store, associate, customer, pool_for
):
    pool_for(20)
    a, b = VariantFactory(), VariantFactory()
    for variant in (a, b):
        for place in (store, near_store):
            StockLevelFactory(store=place, variant=variant, on_hand=100)
    forwards = [LineRequest(a, 1, store), LineRequest(b, 1, near_store)]
    backwards = [LineRequest(b, 1, near_store), LineRequest(a, 1, store)]

    def attempt(i):
        return order_place(
            key=uuid4().hex,
            customer=customer,
            store=store,
            by=associate,
            lines=forwards if i % 2 else backwards,
            mode="delivery",
            address=ADDRESS,
        ).pk

    # A deadlock would surface as psycopg's DeadlockDetected (an OperationalError).
    assert len(set(run_together(20, attempt))) == 20
    assert StockLevel.objects.get(store=store, variant=a).reserved == 20
    assert StockLevel.objects.get(store=near_store, variant=b).reserved == 20


def test_cancelling_while_others_order_the_same_units_keeps_the_counts_exact(
    store, associate, customer, pool_for
):
    pool_for(20)
    tv = VariantFactory()
    row = StockLevelFactory(store=store, variant=tv, on_hand=10)
    existing = [
        order_place(
            key=uuid4().hex,
            customer=customer,
            store=store,
            by=associate,
            lines=[LineRequest(tv, 1, store)],
            mode="delivery",
            address=ADDRESS,
        )
        for _ in range(10)
    ]

    def attempt(i):
        if i < 10:
            order_cancel(order_id=existing[i].pk, by=associate)
            return "cancelled"
        try:
            order_place(
                key=uuid4().hex,
                customer=customer,
                store=store,
                by=associate,
                lines=[LineRequest(tv, 1, store)],
                mode="delivery",
                address=ADDRESS,
            )
        except StockUnavailable:
            return "refused"
        return "placed"

    results = run_together(20, attempt)

    row.refresh_from_db()
    held = Reservation.objects.filter(status="active").count()
    assert row.reserved == held == results.count("placed")
    assert 0 <= row.reserved <= row.on_hand == 10
