"""The multi-store overview with a day of traffic, in-process.

    DATABASE_URL=postgres://…/clienteling_scale REDIS_URL=redis://… python bench/overview.py \
        [--per-store 600] [--runs 15]

Inside one transaction it never commits, it adds today's traffic to every selling store
(``--per-store`` visits in the last nine hours: 250 recognised, half of them served, the
rest anonymous; 200 stores make 120,000 visits), then times ``stores_overview`` over all
stores, p50/p95 and query count: computing today's figures on every request, then with
the figures cached for the minute (who is in each store is read live either way). It
forgets the figures it cached and prints the load average.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.models import Store  # noqa: E402
from customers.models import Customer  # noqa: E402
from dashboard.selectors import overview_figures_key, stores_overview  # noqa: E402
from floor.models import Visit  # noqa: E402


def traffic(stores, customers, per_store: int, since, rng):
    for store_id in stores:
        for i in range(per_store):
            at = since + timedelta(seconds=rng.randrange(9 * 3600 - 1200))
            known = i < per_store * 5 // 12
            yield Visit(
                store_id=store_id,
                customer_id=rng.choice(customers) if known else None,
                visitor_key="" if known else f"bench-{store_id}-{i}",
                source=Visit.Source.BEACON,
                arrived_at=at,
                last_seen_at=at + timedelta(minutes=10),
                departed_at=at + timedelta(minutes=15),
                attended_since=at + timedelta(minutes=rng.randrange(1, 9))
                if known and i % 2 == 0
                else None,
            )


def forget() -> None:
    """Only the overview's cached figures (the cache also holds rate limits)."""
    ids = Store.objects.values_list("pk", flat=True)
    cache.delete(overview_figures_key(list(ids), timezone.localdate()))


def timed(runs: int, *, fresh: bool) -> tuple[int, list[float]]:
    if fresh:
        forget()
    with CaptureQueriesContext(connection) as queries:
        stores_overview(Store.objects.all())
    times = []
    for _ in range(runs):
        if fresh:
            forget()
        began = time.perf_counter()
        stores_overview(Store.objects.all())
        times.append((time.perf_counter() - began) * 1000)
    return len(queries.captured_queries), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-store", type=int, default=600)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(1)
    stores = list(Store.objects.filter(is_warehouse=False).values_list("pk", flat=True))
    customers = list(Customer.objects.values_list("pk", flat=True)[:200_000])
    if not customers:
        sys.exit("No customers: run this on a seeded database (seed_demo --scale).")
    since = timezone.now() - timedelta(hours=9)
    with transaction.atomic():
        began = time.perf_counter()
        Visit.objects.bulk_create(
            traffic(stores, customers, args.per_store, since, rng), batch_size=5000
        )
        print(
            f"{len(stores)} stores, {len(stores) * args.per_store} visits today "
            f"(added in {time.perf_counter() - began:.0f} s, rolled back at the end)"
        )
        for label, fresh in (("today's figures on every request", True), ("cached", False)):
            count, times = timed(args.runs, fresh=fresh)
            q = statistics.quantiles(times, n=20)
            print(
                f"  overview, {label:<34} {count:2d} queries  "
                f"p50 {statistics.median(times):5.0f} ms  p95 {q[18]:5.0f} ms  "
                f"load {os.getloadavg()[0]:.1f}  cores {os.cpu_count()}"
            )
        transaction.set_rollback(True)
    forget()


if __name__ == "__main__":
    main()
