"""Cross-store stock lookup and order placement, timed on a big database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clienteling_scale \\
        .venv/bin/python bench/stock_lookup.py [--lookups 400] [--orders 300]

Leaves the database as it found it: everything runs in one transaction that is rolled
back at the end (the order tables are created inside it when the database has not been
migrated that far; a few variants are stocked in every store inside it too).

Prints, for one variant's lookup across all stores — the page's selector
(``inventory.selectors.stock_lookup``: its query, and the rows it makes of the answer)
beside the very SQL it sent, run raw through a cursor, interleaved in the same run —
p50/p95/p99; then the whole stock page through Django in-process (middleware, selectors,
price, template) with its query count, for the 25 nearest stores, all of them and within
50 km; then order submissions per second (``order_place``: lock, check, write an order,
its line and reservation).
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("HTTPS", "0")
os.environ.pop("REDIS_URL", None)  # tasks would only be enqueued on commit, which never comes

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from inprocess import Rollback, production_settings, queries_of  # noqa: E402

from catalog.models import Store, Variant  # noqa: E402
from customers.models import Customer  # noqa: E402
from inventory.models import Reservation, StockLevel  # noqa: E402
from inventory.selectors import stock_lookup  # noqa: E402
from orders.models import Order, OrderEvent, OrderLine  # noqa: E402
from orders.services import DeliveryAddress, LineRequest, StockUnavailable, order_place  # noqa: E402
from staff.models import StaffProfile  # noqa: E402


def ms(samples):
    samples = sorted(samples)

    def pct(p):
        return samples[min(len(samples) - 1, int(p / 100 * len(samples)))] * 1000

    return f"p50 {pct(50):6.2f} ms   p95 {pct(95):6.2f} ms   p99 {pct(99):6.2f} ms"


def ensure_order_tables():
    existing = set(connection.introspection.table_names())
    missing = [
        m for m in (Order, OrderLine, Reservation, OrderEvent) if m._meta.db_table not in existing
    ]
    if missing:
        with connection.schema_editor(atomic=False) as editor:
            for model in missing:
                editor.create_model(model)
    return bool(missing)


def time_lookups(variant_ids, origin, radius_km=None):
    """Per variant: the selector, then the very SQL it sent, run raw through a cursor."""
    orm, raw = [], []
    with connection.cursor() as cursor:
        for variant_id in variant_ids:
            with CaptureQueriesContext(connection) as sent:
                stock_lookup(variant_id=variant_id, origin=origin, radius_km=radius_km)
            started = time.perf_counter()
            stock_lookup(variant_id=variant_id, origin=origin, radius_km=radius_km)
            orm.append(time.perf_counter() - started)
            started = time.perf_counter()
            for query in sent.captured_queries:
                cursor.execute(query["sql"])
                cursor.fetchall()
            raw.append(time.perf_counter() - started)
    return orm, raw, len(sent.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=400)
    parser.add_argument("--orders", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(5)

    stores = Store.objects.filter(is_active=True).count()
    warehouses = Store.objects.filter(is_active=True, is_warehouse=True).count()
    rows = StockLevel.objects.count()
    variants = Variant.objects.count()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; one process")
    print(
        f"database {connection.settings_dict['NAME']}: {stores} active stores "
        f"({warehouses} warehouses), {variants} variants, {rows} stock rows"
    )
    if stores < 200:
        print("  (fewer than 200 stores: seed with `manage.py seed_demo --scale` first)")

    try:
        with transaction.atomic():
            if ensure_order_tables():
                print("order tables created inside the rolled-back transaction")
            origin = Store.objects.filter(is_active=True, is_warehouse=False).order_by("pk").first()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT DISTINCT variant_id FROM inventory_stocklevel"
                    " TABLESAMPLE SYSTEM (1) REPEATABLE (5) LIMIT %s",
                    [args.lookups],
                )
                sampled = [r[0] for r in cursor.fetchall()]
            rng.shuffle(sampled)
            per_variant = StockLevel.objects.filter(variant_id=sampled[0]).count()

            # Warm the caches the way a running server has them warm.
            time_lookups(sampled[:20], origin)
            orm, raw, queries = time_lookups(sampled, origin)
            print(
                f"\none variant across all stores (origin {origin.code}; "
                f"{len(sampled)} random variants, ~{per_variant} stock rows each)"
            )
            print(f"  selector  stock_lookup()   {ms(orm)}")
            print(f"  raw SQL   same {queries} queries   {ms(raw)}")

            # A few variants stocked in every store: the widest answer the page can get.
            everywhere = sampled[:40]
            StockLevel.objects.bulk_create(
                [
                    StockLevel(store=s, variant_id=v, on_hand=rng.randint(1, 9))
                    for v in everywhere
                    for s in Store.objects.filter(is_active=True)
                ],
                ignore_conflicts=True,
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE inventory_stocklevel")
            orm, raw, queries = time_lookups(everywhere * 5, origin)
            print(f"\none variant stocked in every store ({stores} rows in the answer)")
            print(f"  selector  stock_lookup()   {ms(orm)}")
            print(f"  raw SQL   same {queries} queries   {ms(raw)}")
            orm, raw, queries = time_lookups(everywhere * 5, origin, radius_km=50)
            print("  same, within 50 km")
            print(f"  selector  stock_lookup()   {ms(orm)}")
            print(f"  raw SQL   same {queries} queries   {ms(raw)}")

            # The whole page: sign-in middleware, selectors, price, template.
            from tests.factories import make_staff

            associate = make_staff(
                StaffProfile.Role.ASSOCIATE, origin, username=f"bench-{uuid4().hex[:8]}"
            )
            client = Client(HTTP_HOST="localhost")
            client.force_login(associate)
            print(
                "\nthe stock page through Django in-process (middleware, selectors, price, "
                "template; test client, no network), variant in every store"
            )
            for label, query in (
                ("25 nearest listed", ""),
                ("all stores listed", "?all=1"),
                ("within 50 km", "?radius=50"),
            ):
                urls = [f"/stock/variants/{v}/{query}" for v in everywhere]
                for url in urls[:5]:  # warm-up
                    assert client.get(url).status_code == 200
                sent = queries_of(client, urls[0])
                pages = []
                for url in urls * 3:
                    started = time.perf_counter()
                    response = client.get(url)
                    pages.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.status_code
                print(f"  {label:18} {len(sent):2d} queries   {ms(pages)}")

            # Order submissions: one line each, from a store that has the unit.
            candidates = list(
                StockLevel.objects.filter(on_hand__gte=2, reserved=0)
                .select_related("store", "variant__product")
                .order_by("?")[: args.orders]
            )
            customers = list(Customer.objects.order_by("?").values_list("pk", flat=True)[:50])
            customers = list(Customer.objects.filter(pk__in=customers))
            address = DeliveryAddress("Camille Martin", "12 rue des Lilas", "75020", "Paris")
            refused = 0
            started = time.perf_counter()
            for row in candidates:
                try:
                    order_place(
                        key=uuid4().hex,
                        customer=rng.choice(customers),
                        store=origin,
                        by=associate,
                        lines=[LineRequest(row.variant, 1, row.store)],
                        mode="delivery",
                        address=address,
                    )
                except StockUnavailable:
                    refused += 1
            elapsed = time.perf_counter() - started
            print(
                "\norder submissions, one connection, each in its own savepoint "
                "(no commit: the run is rolled back)"
            )
            print(
                f"  order_place  {len(candidates) / elapsed:7.1f} orders/s  "
                f"({len(candidates)} orders, {elapsed * 1000 / len(candidates):.2f} ms each, "
                f"{refused} refused)"
            )
            raise Rollback
    except Rollback:
        print("\nrolled back: the database is as it was")


if __name__ == "__main__":
    with production_settings():
        main()
