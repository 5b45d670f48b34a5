"""The server's work for one signed ``enter`` event, in-process: from the request to the
card published to the store's tablets.

    DATABASE_URL=postgres://…/clienteling REDIS_URL=redis://… \
        .venv/bin/python bench/event_path.py [--events 200] [--warmup 20] [--store CODE] \
        [--sql] [--profile]

Runs as the app runs under Daphne: Django's ASGI handler (``AsyncClient``), each event in
a task of its own as a server runs each request, the view in the sync thread, the card
sent to the store's floor group through the Redis channel layer from that thread, hopping
to the event loop. Statements are counted as they are sent, not through Django's query
log (which would run the prepared reads unprepared). Each event is a different demo client who
agreed to in-store recognition, walking into one selling store (``--store``, else the one
with the most stock) through a webhook source of the bench's own.

Everything happens in one transaction that is rolled back at the end, so the database is
left as found: the view's transaction is a savepoint in it, and the work it leaves for
after its commit (the push) runs as soon as the response is back, inside the timing. So
the figures leave out the commit itself (a WAL flush) and count the savepoint and its
release among the statements. A subscriber on the store's floor group checks that every
card arrived, showing the client who came in.

Prints p50/p95/max of the server time per event (the request, then its on-commit work),
the CPU time the process spent on it (less moved by the machine's other work than the
elapsed time, which also waits for PostgreSQL and Redis), the SQL statements per event
(``--sql`` lists one event's), the load average; ``--profile`` prints the top of a
cProfile of the timed events.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())

import django  # noqa: E402

warnings.filterwarnings("ignore", "No directory at")  # whitenoise, without collectstatic
django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import AsyncClient  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from entry import entry_event  # noqa: E402

from catalog.models import Store  # noqa: E402
from customers.models import Consent, Customer  # noqa: E402
from integrations.models import WebhookSource  # noqa: E402
from integrations.push import floor_group  # noqa: E402


class Rollback(Exception):
    pass


def percentiles(samples: list[float]) -> str:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {qs[49]:6.2f} ms   p95 {qs[94]:6.2f} ms   max {max(samples):6.2f} ms"


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min), {os.cpu_count()} cores"


class Run:
    """The bench's state on the sync thread: its transaction, source, store and clients."""

    def __init__(self, args):
        self.args = args
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        # Statements counted as they are sent, without Django's query log: logging would
        # send the prepared reads through a logged cursor, unprepared.
        self.sent: list[str] = []
        connection.execute_wrappers.append(self._count)
        if args.store:
            self.store = Store.objects.get(code=args.store)
        else:
            self.store = (
                Store.objects.filter(is_active=True, is_warehouse=False)
                .annotate(levels=Count("stock"))
                .order_by("-levels", "pk")
                .first()
            )
        run = uuid.uuid4().hex[:8]
        self.source = WebhookSource.objects.create(
            key=f"bench-{run}",
            name=f"Bench {run}",
            kind=WebhookSource.Kind.BEACON,
            rate_limit_per_minute=1_000_000,
        )
        wanted = args.warmup + args.events
        recognised = Consent.objects.granted_subquery(Consent.Purpose.IN_STORE_RECOGNITION)
        self.customers = list(
            Customer.objects.active()
            .exclude(loyalty_number="")
            .annotate(recognised=recognised)
            .filter(recognised=True)
            .exclude(visits__store=self.store, visits__departed_at__isnull=True)
            .order_by("pk")[:wanted]
        )
        if len(self.customers) < wanted:
            raise SystemExit(f"Only {len(self.customers)} recognisable clients; lower --events.")

    def body(self, customer: Customer) -> tuple[bytes, dict]:
        return entry_event(self.source, self.store.code, customer.loyalty_number)

    def _count(self, execute, sql, params, many, context):
        self.sent.append(sql % tuple(map(repr, params)) if params else sql)
        return execute(sql, params, many, context)

    def statements(self) -> list[str]:
        """The statements sent since the last call."""
        sent, self.sent = self.sent, []
        return sent

    def after_commit(self) -> None:
        """What the view's commit would run: its on-commit work (the push)."""
        callbacks, connection.run_on_commit = connection.run_on_commit, []
        for _sids, callback, _robust in callbacks:
            callback()

    def end(self) -> None:
        connection.execute_wrappers.remove(self._count)
        self.atomic.__exit__(Rollback, Rollback(), None)


async def event(client, run, body, headers):
    """One event's request, then the work its commit would run; and when it was answered."""
    response = await client.post(
        "/api/presence/", body, content_type="application/json", headers=headers
    )
    answered = time.perf_counter()
    await sync_to_async(run.after_commit)()
    return response, answered


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--store", help="a selling store's code (default: the most stock)")
    parser.add_argument("--sql", action="store_true", help="list one event's statements")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed events")
    args = parser.parse_args()

    on_thread = sync_to_async  # thread-sensitive: the thread the views run in
    run = await on_thread(Run)(args)
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(floor_group(run.store.pk), channel)
    client = AsyncClient()
    times: list[float] = []
    requests: list[float] = []
    cpus: list[float] = []
    counts: list[int] = []
    missing = 0
    profiler = cProfile.Profile() if args.profile else None
    try:
        for i, customer in enumerate(run.customers):
            body, headers = run.body(customer)
            timed = i >= args.warmup
            await on_thread(run.statements)()
            if timed and profiler:
                profiler.enable()
            start, cpu = time.perf_counter(), time.process_time()
            # Its own task, as a server runs each request: what a request leaves in its
            # context (Django's URL resolvers mark themselves there once) stays there.
            response, answered = await asyncio.create_task(event(client, run, body, headers))
            elapsed = (time.perf_counter() - start) * 1000
            cpu = (time.process_time() - cpu) * 1000
            if timed and profiler:
                profiler.disable()
            if response.status_code != 202:
                raise SystemExit(f"{response.status_code}: {response.content[:300]!r}")
            sent = await on_thread(run.statements)()
            if timed:
                times.append(elapsed)
                requests.append((answered - start) * 1000)
                cpus.append(cpu)
                counts.append(len(sent))
                if args.sql and i == args.warmup:
                    print(f"the statements of one event ({len(sent)}):")
                    for sql in sent:
                        print("   ", sql[:150])
            try:
                message = await asyncio.wait_for(layer.receive(channel), 2)
            except TimeoutError:
                missing += 1
                continue
            if f'data-customer="{customer.loyalty_number}"' not in message["html"]["fr"]:
                missing += 1
    finally:
        await on_thread(run.end)()
    print(
        f"store {run.store.code}: {len(times)} signed enter events, each a recognised client "
        f"({args.warmup} before them not timed)"
    )
    print(f"server time per event: {percentiles(times)}")
    print(f"  of which the request:  {percentiles(requests)}")
    after = [t - r for t, r in zip(times, requests, strict=True)]
    print(f"  and after its commit:  {percentiles(after)}")
    print(f"CPU time of this process per event (both threads): {percentiles(cpus)}")
    print(
        f"SQL statements per event: {statistics.median(counts):.0f} "
        f"(min {min(counts)}, max {max(counts)})"
    )
    print(f"cards published and received: {len(run.customers) - missing} of {len(run.customers)}")
    print(load())
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "tottime"))
        stats.print_stats(int(os.environ.get("BENCH_TOP", "45")))


if __name__ == "__main__":
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        asyncio.run(main())
