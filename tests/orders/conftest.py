from decimal import Decimal
from uuid import uuid4

import pytest

from clienteling.celery import app as celery_app
from orders.services import DeliveryAddress, LineRequest, order_place
from tests.factories import (
    CustomerFactory,
    StockLevelFactory,
    StoreFactory,
    VariantFactory,
    WarehouseFactory,
)


@pytest.fixture
def near_store(db):
    """About 3.4 km from Paris Opéra."""
    return StoreFactory(
        code="paris-bastille",
        name="Paris Bastille",
        city="Paris",
        postcode="75011",
        latitude=48.8532,
        longitude=2.3692,
    )


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(
        code="wh-saint-priest",
        name="Entrepôt Saint-Priest",
        city="Saint-Priest",
        latitude=45.6960,
        longitude=4.9440,
    )


@pytest.fixture
def tv(db):
    return VariantFactory(
        product__name="Téléviseur OLED 55",
        product__list_price=Decimal("999.00"),
        sku="TV-OLED-55",
        size='55"',
        colour="noir",
    )


@pytest.fixture
def customer(db):
    return CustomerFactory(
        first_name="Camille", last_name="Martin", email="camille@example.fr", phone="0612345678"
    )


@pytest.fixture
def stock(db):
    """``stock(store, variant, on_hand, reserved=0)`` creates a stock row."""

    def make(store, variant, on_hand, reserved=0):
        return StockLevelFactory(store=store, variant=variant, on_hand=on_hand, reserved=reserved)

    return make


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process (they still leave only on commit)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


ADDRESS = DeliveryAddress(
    recipient="Camille Martin", street="12 rue des Lilas", postcode="75020", city="Paris"
)


@pytest.fixture
def place(associate, store, customer):
    """Place an order with sensible defaults; ``lines`` is [(variant, qty, source)]."""

    def make(lines, *, mode="delivery", pickup_store=None, key=None, who=None, **kwargs):
        return order_place(
            key=key or uuid4().hex,
            customer=kwargs.pop("customer", customer),
            store=kwargs.pop("store", store),
            by=who or associate,
            lines=[LineRequest(v, q, s) for v, q, s in lines],
            mode=mode,
            pickup_store=pickup_store,
            address=kwargs.pop("address", ADDRESS if mode == "delivery" else None),
            **kwargs,
        )

    return make
