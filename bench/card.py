"""The customer card for the client with the longest history, in-process.

    DATABASE_URL=postgres://…/clienteling_scale python bench/card.py [--runs 40]

Picks the active customer with the most purchase lines and a selling store with stock,
builds the card's context ``--runs`` times: its first paint (``floor.card.customer_card``:
history page, wishlist with availability and prices, visits, notes, consents, orders) and
what it loads right after (``card_suggestions``: offers, suggestions, complements); then
requests both through Django's stack (middleware, session, template; no network) as an
associate of that store. Prints for each the query count, p50/p95 (and the p50 of this
process's CPU time, which other work on the machine moves less), the slowest queries of one
run and the load average. ``DEBUG`` off, static files without a manifest.

Everything runs in one transaction that is rolled back: the page logs each read of the
card, and the associate is the benchmark's own. The database must be migrated.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from inprocess import Rollback, production_settings  # noqa: E402

from catalog.models import Store  # noqa: E402
from customers.models import Customer  # noqa: E402
from floor import card  # noqa: E402
from staff.models import StaffProfile  # noqa: E402


def timed(label: str, call, runs: int) -> None:
    for _ in range(3):  # warm-up
        call()
    queries = []

    def record(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - began, sql))

    with connection.execute_wrapper(record):  # the page resets connection.queries
        call()
    times, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    print(
        f"{label}: {len(queries)} queries  "
        f"p50 {statistics.median(times):.1f} ms  "
        f"p95 {statistics.quantiles(times, n=20)[18]:.1f} ms  "
        f"(this process's CPU p50 {statistics.median(cpu):.1f} ms)  "
        f"load {os.getloadavg()[0]:.1f}  cores {os.cpu_count()}"
    )
    print("  slowest queries:")
    for seconds, sql in sorted(queries, reverse=True)[:4]:
        print(f"  {seconds * 1000:6.1f} ms  {sql[:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    customer = (
        Customer.objects.active().annotate(n=Count("purchases__lines")).order_by("-n").first()
    )
    store = Store.objects.filter(is_warehouse=False, stock__isnull=False).first()
    if customer is None or store is None:
        sys.exit("No customer or no stock: run this on a seeded database.")
    print(f"customer {customer.pk} ({customer.n} purchase lines), store {store.code}")
    try:
        with transaction.atomic():
            timed(
                "card's context, first paint",
                lambda: card.customer_card(customer_id=customer.pk, store=store),
                args.runs,
            )
            timed(
                "card's context, suggestions and offers",
                lambda: card.card_suggestions(customer=customer, store=store),
                args.runs,
            )
            user = get_user_model().objects.create_user(username="bench-card-associate")
            StaffProfile.objects.create(user=user, role=StaffProfile.Role.ASSOCIATE)
            user.staff_profile.stores.add(store)
            client = Client()
            client.force_login(user)

            def page():
                response = client.get(f"/customers/{customer.pk}/")
                assert response.status_code == 200, response.status_code

            timed("card page", page, args.runs)

            def suggestions():
                response = client.get(
                    f"/customers/{customer.pk}/suggestions/", headers={"HX-Request": "true"}
                )
                assert response.status_code == 200, response.status_code

            timed("card's suggestions and offers (the page loads them)", suggestions, args.runs)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    with production_settings():
        main()
