"""The customer card's reads for the client with the longest history, in-process.

    DATABASE_URL=postgres://…/clienteling_scale python bench/card.py [--runs 40]

Picks the active customer with the most purchase lines and a selling store with stock,
builds the card's context (``floor.card.customer_card``: history page, wishlist with
availability and prices, offers, suggestions) ``--runs`` times and prints its query count,
p50/p95, the slowest queries of one run and the load average. Reads only.
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

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from catalog.models import Store  # noqa: E402
from customers.models import Customer  # noqa: E402
from floor.card import customer_card  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    customer = (
        Customer.objects.active().annotate(n=Count("purchases__lines")).order_by("-n").first()
    )
    store = Store.objects.filter(is_warehouse=False, stock__isnull=False).first()
    if customer is None or store is None:
        sys.exit("No customer or no stock: run this on a seeded database.")
    for _ in range(3):  # warm-up
        customer_card(customer_id=customer.pk, store=store)
    with CaptureQueriesContext(connection) as queries:
        customer_card(customer_id=customer.pk, store=store)
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        customer_card(customer_id=customer.pk, store=store)
        times.append((time.perf_counter() - began) * 1000)
    print(
        f"card of customer {customer.pk} ({customer.n} purchase lines) in {store.code}: "
        f"{len(queries.captured_queries)} queries  p50 {statistics.median(times):.0f} ms  "
        f"p95 {statistics.quantiles(times, n=20)[18]:.0f} ms  "
        f"load {os.getloadavg()[0]:.1f}  cores {os.cpu_count()}"
    )
    print("slowest queries of one card:")
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:4]:
        print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:110]}")


if __name__ == "__main__":
    main()
