"""A database from before "one room per feature" keeps every row when it migrates: the
models moved apps, their tables were renamed, nothing was copied or lost."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from catalog.models import Store
from dashboard.models import DailyStoreFigures
from floor.models import PresenceEvent, Visit
from integrations.models import WebhookSource
from inventory.models import Reservation, StockLevel
from orders.models import Order
from staff.models import StaffProfile

BEFORE_THE_MOVE = [
    ("catalog", "0003_product_search_indexes"),
    ("customers", "0004_notes_by_store_day"),
    ("clienteling", "0005_visit_autovacuum"),
    *((app, None) for app in ("staff", "integrations", "inventory", "orders", "floor")),
    ("dashboard", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _seed_before_the_move(old) -> None:
    """Rows in the old apps' tables, written with the models as they were then."""
    now = timezone.now()
    store = old.get_model("catalog", "Store").objects.create(
        code="paris-opera", name="Paris Opéra", city="Paris", latitude=48.87, longitude=2.33
    )
    brand = old.get_model("catalog", "Brand").objects.create(name="Lumio", slug="lumio")
    category = old.get_model("catalog", "Category").objects.create(name="TV", slug="tv")
    product = old.get_model("catalog", "Product").objects.create(
        name="OLED 55", brand=brand, category=category, list_price=Decimal("999.00")
    )
    variant = old.get_model("catalog", "Variant").objects.create(
        product=product, sku="OLED-55", ean="4006381333931"
    )
    old.get_model("catalog", "StockLevel").objects.create(
        store=store, variant=variant, on_hand=5, reserved=1
    )
    source = old.get_model("catalog", "WebhookSource").objects.create(
        key="beacons-opera", name="Beacons", kind="beacon"
    )
    source.stores.add(store)
    customer = old.get_model("customers", "Customer").objects.create(
        first_name="Olivier", last_name="Martin", loyalty_number="1234567890"
    )
    user = old.get_model("auth", "User").objects.create(username="lea", email="lea@example.fr")
    profile = old.get_model("clienteling", "StaffProfile").objects.create(
        user=user, role="associate"
    )
    profile.stores.add(store)
    visit = old.get_model("clienteling", "Visit").objects.create(
        store=store, customer=customer, source="beacon", arrived_at=now, last_seen_at=now
    )
    old.get_model("clienteling", "PresenceEvent").objects.create(
        store=store, visit=visit, customer=customer, event="enter", source="beacon",
        webhook_source=source, occurred_at=now, outcome="pushed",
    )  # fmt: skip
    order = old.get_model("clienteling", "Order").objects.create(
        idempotency_key="k1", reference="CL-TESTMOVE", customer=customer, store=store,
        mode="pickup", pickup_store=store, subtotal=Decimal("999.00"), discount=0,
        total=Decimal("999.00"), created_by=user,
    )  # fmt: skip
    line = old.get_model("clienteling", "OrderLine").objects.create(
        order=order, variant=variant, source=store, quantity=1, product_name="OLED 55",
        sku="OLED-55", list_price=Decimal("999.00"), unit_price=Decimal("999.00"),
    )  # fmt: skip
    old.get_model("clienteling", "Reservation").objects.create(
        line=line, store=store, variant=variant, quantity=1, expires_at=now + timedelta(days=2)
    )
    old.get_model("clienteling", "DailyStoreFigures").objects.create(
        store=store, day=now.date() - timedelta(days=1), computed_at=now
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_rows():
    try:
        _seed_before_the_move(migrate(BEFORE_THE_MOVE))
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    store = Store.objects.get(code="paris-opera")
    assert StockLevel.objects.get(store=store).on_hand == 5
    assert list(WebhookSource.objects.get(key="beacons-opera").stores.all()) == [store]
    assert list(StaffProfile.objects.get(user__username="lea").stores.all()) == [store]
    visit = Visit.objects.get(store=store)
    assert PresenceEvent.objects.get().visit == visit
    assert Visit.objects.present().get() == visit
    order = Order.objects.get(reference="CL-TESTMOVE")
    assert Reservation.objects.get().line.order == order
    assert DailyStoreFigures.objects.filter(store=store).count() == 1
    # The tables carry their new apps' names, and admin's content types followed them.
    assert Visit._meta.db_table == "floor_visit"
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert {"floor_visit", "inventory_stocklevel", "staff_staffprofile_stores"} <= tables
    assert not {t for t in tables if t.startswith("clienteling_")}
    assert ContentType.objects.get_for_model(Visit).app_label == "floor"
    assert not ContentType.objects.filter(app_label="clienteling", model="visit").exists()
