"""What tying a live socket to its session costs (``integrations/live.py``).

    DATABASE_URL=postgres://user@host:5432/clienteling .venv/bin/python bench/live_session.py

Prints, for a floor consumer of a signed-in associate:
  - the check made before forwarding each push (``live()`` before the deadline: a clock
    comparison), in nanoseconds per push, over ``--pushes`` calls;
  - the full re-check (session, user, profile and stores, session expiry), made on sign-out
    and admin changes, when the session expires and every ``LIVE_SESSION_RECHECK_SECONDS``:
    its SQL queries and p50/max time over ``--rechecks`` calls.
It creates a store, a user and a session, and deletes them afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from catalog.models import Store  # noqa: E402
from floor.consumers import FloorConsumer  # noqa: E402
from integrations.live import _seconds_left, _session_store  # noqa: E402
from staff.models import StaffProfile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pushes", type=int, default=200_000)
    parser.add_argument("--rechecks", type=int, default=50)
    args = parser.parse_args()

    store = Store.objects.create(
        code="bench-live", name="Bench live", city="Paris", latitude=48.87, longitude=2.33
    )
    user = django.contrib.auth.get_user_model().objects.create_user(
        username="bench-live",
        email="bench-live@example.test",
        password="x",  # noqa: S106
    )
    StaffProfile.objects.create(user=user, role=StaffProfile.Role.ASSOCIATE).stores.add(store)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
    key = client.session.session_key
    consumer = FloorConsumer()
    consumer.scope = {"url_route": {"kwargs": {"store_code": store.code}}}
    consumer.session_key, consumer.user_id = key, user.pk

    async def closed(code=None):
        raise AssertionError(f"closed with {code}")

    consumer.close = closed

    async def run():
        consumer.deadline = time.monotonic() + 3600
        start = time.perf_counter()
        for _ in range(args.pushes):
            await consumer.live()
        per_push = (time.perf_counter() - start) / args.pushes
        for _ in range(3):
            await consumer.recheck()  # warm up
        times = []
        for _ in range(args.rechecks):
            start = time.perf_counter()
            assert await consumer.recheck()
            times.append(time.perf_counter() - start)
        return per_push, times

    try:
        per_push, times = asyncio.run(run())
        # The same reads, in this thread, to count them (the consumer runs them in others).
        request = SimpleNamespace(session=_session_store(key))
        with CaptureQueriesContext(connection) as captured:
            consumer.authorise(get_user(request))
            _seconds_left(request.session)
        queries = len(captured)
    finally:
        Session.objects.filter(session_key=key).delete()
        user.delete()
        store.delete()
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print(f"before each push: {per_push * 1e9:.0f} ns ({args.pushes} pushes)")
    print(
        f"full re-check: {queries} queries, p50 {statistics.median(times) * 1e3:.1f} ms, "
        f"max {max(times) * 1e3:.1f} ms ({args.rechecks} re-checks)"
    )


if __name__ == "__main__":
    main()
