"""A rush on the last unit: many tablets press "place" at the same instant.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/rush.py \
        [--attempts 1000] [--processes 2] [--max-concurrent 64] [--pool-timeout 3]

Starts ``--processes`` Daphne processes on the (migrated) database and Redis, creates a
store holding one unit of a product, a customer and signed-in associate sessions, then
sends ``--attempts`` order placements for that unit all at once (each its own idempotency
key, as many buyers would), spread over the processes, as the tablet's htmx form does.

Prints the answers by status with p50/p95/p99, then checks the outcome in the database:
exactly one order, stock never negative, no deadlock (PostgreSQL's counter for the
database), and no 500. A 503 (with Retry-After) is the expected answer past what a
process admits (``MAX_CONCURRENT_REQUESTS``) or past the pool wait (``DB_POOL_TIMEOUT``);
409 is "no longer available". Exits non-zero when a target is missed.

It creates its own data (named ``rush-…``) and deletes it at the end.
"""

import argparse
import asyncio
import collections
import os
import statistics
import sys
import time
import uuid
from urllib.parse import urlencode

import stack  # noqa: E402, I001 (sets Django up, as the servers it starts)
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from catalog.models import Brand, Category, Product, Store, Variant  # noqa: E402
from customers.models import Customer  # noqa: E402
from inventory.models import StockLevel  # noqa: E402
from orders.models import Order  # noqa: E402
from staff.models import StaffProfile  # noqa: E402

CSRF = "r" * 32  # the cookie's secret; the header may carry it as is


class Fixture:
    def __init__(self, sessions: int):
        run = uuid.uuid4().hex[:8]
        self.run = run
        self.store = Store.objects.create(
            code=f"rush-{run}",
            name=f"Rush {run}",
            address="1 rue du Test",
            postcode="75001",
            city="Paris",
            latitude=48.86,
            longitude=2.34,
        )
        brand = Brand.objects.create(name=f"Rush {run}", slug=f"rush-{run}")
        category = Category.objects.create(name=f"Rush {run}", slug=f"rush-{run}")
        self.product = Product.objects.create(
            name=f"Rush TV {run}", brand=brand, category=category, list_price="999.00"
        )
        self.variant = Variant.objects.create(
            product=self.product, sku=f"RUSH-{run}", ean=f"{int(run, 16) % 10**13:013d}"
        )
        self.level = StockLevel.objects.create(store=self.store, variant=self.variant, on_hand=1)
        self.customer = Customer.objects.create(
            loyalty_number=f"RUSH-{run}", first_name="Rush", last_name="Buyer"
        )
        self.user = User.objects.create_user(
            f"rush-{run}", f"rush-{run}@bench.invalid", uuid.uuid4().hex
        )
        profile = StaffProfile.objects.create(user=self.user, role=StaffProfile.Role.ASSOCIATE)
        profile.stores.add(self.store)
        self.cookies = []
        for _ in range(sessions):
            client = Client()
            client.force_login(self.user)
            self.cookies.append(client.cookies["sessionid"].value)

    def body(self) -> bytes:
        return urlencode(
            {
                "key": uuid.uuid4().hex,
                "customer": self.customer.pk,
                "variant": self.variant.pk,
                "quantity": "1",
                "source": "",
                "mode": "pickup",
                "pickup_store": self.store.pk,
                "action": "place",
            }
        ).encode()

    def delete(self) -> None:
        from django.contrib.sessions.models import Session

        Order.objects.filter(customer=self.customer).delete()
        StockLevel.objects.filter(variant=self.variant).delete()
        self.customer.delete()
        self.product.delete()
        self.product.brand.delete()
        self.product.category.delete()
        Session.objects.filter(session_key__in=self.cookies).delete()
        self.user.delete()
        self.store.delete()


async def place(port: int, cookie: str, body: bytes, start: asyncio.Event):
    """One htmx "place" POST: (status, seconds, Retry-After)."""
    head = (
        f"POST /orders/new/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n"
        f"Cookie: sessionid={cookie}; csrftoken={CSRF}\r\nX-CSRFToken: {CSRF}\r\n"
        "HX-Request: true\r\n\r\n"
    ).encode()
    await start.wait()
    began = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head + body)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _sep, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        await reader.read()
        writer.close()
    except (OSError, IndexError, ValueError) as error:
        return f"connection error ({type(error).__name__})", time.perf_counter() - began, None
    return status, time.perf_counter() - began, headers.get("retry-after")


def deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def ms(samples: list[float]) -> str:
    if len(samples) < 2:
        return f"n={len(samples)}"
    qs = statistics.quantiles([s * 1000 for s in samples], n=100, method="inclusive")
    return f"p50 {qs[49]:7.0f} ms  p95 {qs[94]:7.0f} ms  p99 {qs[98]:7.0f} ms  n={len(samples)}"


async def rush(fixture: Fixture, ports: list[int], attempts: int):
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(
            place(
                ports[i % len(ports)],
                fixture.cookies[i % len(fixture.cookies)],
                fixture.body(),
                start,
            )
        )
        for i in range(attempts)
    ]
    await asyncio.sleep(0.2)
    began = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks)
    return results, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--max-concurrent", type=int, default=None)
    parser.add_argument("--pool-timeout", type=float, default=None)
    args = parser.parse_args()

    env = {}
    if args.max_concurrent is not None:
        env["MAX_CONCURRENT_REQUESTS"] = str(args.max_concurrent)
    if args.pool_timeout is not None:
        env["DB_POOL_TIMEOUT"] = str(args.pool_timeout)
    fixture = Fixture(sessions=min(args.attempts, 50))
    deadlocks_before = deadlocks()
    servers = stack.start_app(args.processes, env)
    try:
        results, wall = asyncio.run(rush(fixture, servers.ports, args.attempts))
    finally:
        servers.stop()

    limit = os.environ.get("MAX_CONCURRENT_REQUESTS", "64")
    by_status = collections.defaultdict(list)
    retry_after = collections.Counter()
    for status, seconds, retry in results:
        by_status[status].append(seconds)
        if status == 503:
            retry_after[retry] += 1
    orders = Order.objects.filter(customer=fixture.customer).count()
    fixture.level.refresh_from_db()
    new_deadlocks = deadlocks() - deadlocks_before
    logged = servers.tracebacks()

    print(
        f"{args.attempts} attempts on the last unit, {args.processes} Daphne processes, "
        f"MAX_CONCURRENT_REQUESTS={env.get('MAX_CONCURRENT_REQUESTS', limit)}, "
        f"in {wall:.1f} s"
    )
    for status in sorted(by_status, key=str):
        print(f"  {status!s:>24}: {len(by_status[status]):5d}   {ms(by_status[status])}")
    print(f"  all: {ms([s for _st, s, _r in results])}")
    if retry_after:
        print(f"  503 Retry-After values: {dict(retry_after)}")
    print(
        f"orders: {orders}   on hand: {fixture.level.on_hand}   reserved: "
        f"{fixture.level.reserved}   deadlocks: {new_deadlocks}   "
        f"server tracebacks logged: {logged}   logs: {stack.LOG_DIR}"
    )
    ok = (
        orders == 1
        and fixture.level.on_hand >= 0
        and fixture.level.reserved <= fixture.level.on_hand
        and new_deadlocks == 0
        and not any(isinstance(s, int) and s >= 500 and s != 503 for s in by_status)
    )
    print("targets met" if ok else "TARGETS MISSED")
    fixture.delete()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
