"""Benchmark: the manager's dashboard at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clienteling_scale \
        .venv/bin/python bench/dashboard.py

If DATABASE_URL names a migrated database that already holds visits (the ``--scale`` demo
database), it is only read: every request runs inside one transaction that is rolled back.
Otherwise the benchmark creates its own data in a scratch database on the same server
(``--scratch-db``, default ``clienteling_bench_dashboard``): ``--stores`` stores with
``--known`` recognised and ``--anonymous`` anonymous visits per store and day over
``--days`` days (today included, today's traffic spread over the hours before now), notes,
staff; past days are rolled up with the nightly task (timed too). The scratch database is
kept for the next run (``--reseed`` rebuilds it).

Requests go through Django's full stack (middleware, sessions, templates) in this process,
one at a time, without a network or an ASGI server: the figures are the server's own time
per page, the part that does not shrink by adding Daphne processes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--stores", type=int, default=220)
    p.add_argument("--days", type=int, default=31, help="days of history, today included")
    p.add_argument("--known", type=int, default=250, help="recognised visits per store and day")
    p.add_argument("--anonymous", type=int, default=350, help="anonymous visits per store and day")
    p.add_argument("--customers", type=int, default=200_000)
    p.add_argument("--requests", type=int, default=200, help="requests per measured page")
    p.add_argument("--scratch-db", default="clienteling_bench_dashboard")
    p.add_argument("--reseed", action="store_true", help="rebuild the scratch database")
    return p.parse_args()


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def usable_as_is(url: str) -> bool:
    """A migrated database with visits in it (read-only use)."""
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT to_regclass('dashboard_dailystorefigures') IS NOT NULL"
                " AND to_regclass('floor_visit') IS NOT NULL"
            ).fetchone()
            if not row[0]:
                return False
            return conn.execute("SELECT EXISTS (SELECT 1 FROM floor_visit)").fetchone()[0]
    except psycopg.OperationalError:
        return False


def ensure_scratch(url: str, name: str, reseed: bool) -> bool:
    """Create the scratch database if needed; True when it must be (re)seeded."""
    admin = with_db(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return not exists


def percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return (
        f"p50 {q[49]:7.1f} ms   p95 {q[94]:7.1f} ms   p99 {q[98]:7.1f} ms   "
        f"max {max(samples):7.1f} ms   (n={len(samples)})"
    )


# --- Seeding (scratch database only) ---------------------------------------------------------


def seed(args) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from dashboard.figures import day_start

    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO catalog_store (code, name, address, postcode, city, latitude, longitude,
                                       opening_hours, phone, is_warehouse, is_active)
            SELECT 'bench-' || lpad(i::text, 4, '0'), 'Magasin ' || lpad(i::text, 4, '0'),
                   i || ' rue du Commerce', '75001', 'Ville ' || i, 43 + (i %% 70) / 10.0,
                   (i %% 80) / 10.0 - 1, '{}', '', false, true
            FROM generate_series(1, %s) i
            """,
            [args.stores],
        )
        c.execute(
            """
            INSERT INTO customers_customer (loyalty_number, first_name, last_name, email, phone,
                                            preferred_language, tier, created_at)
            SELECT 'B' || lpad(i::text, 10, '0'), 'Client', 'Nom' || i, '', '', 'fr',
                   (ARRAY['member','member','member','silver','silver','gold','platinum'])
                       [1 + (i %% 7)], now()
            FROM generate_series(1, %s) i
            """,
            [args.customers],
        )
        # Seven staff per store: a manager and six associates; one head office account.
        password = make_password(None)
        c.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                                   email, is_staff, is_active, date_joined)
            SELECT %s, false, 'bench-' || s.code || '-' || j, 'Prénom' || j, s.code,
                   'bench-' || s.code || '-' || j || '@example.test', false, true, now()
            FROM catalog_store s CROSS JOIN generate_series(0, 6) j
            WHERE s.code LIKE 'bench-%%'
            """,
            [password],
        )
        c.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                                   email, is_staff, is_active, date_joined)
            VALUES (%s, true, 'bench-head-office', 'Siège', 'Bench', 'ho@example.test',
                    true, true, now())
            """,
            [password],
        )
        c.execute(
            """
            INSERT INTO staff_staffprofile (user_id, role)
            SELECT u.id, CASE WHEN u.username LIKE '%%-0' THEN 'manager' ELSE 'associate' END
            FROM auth_user u WHERE u.username LIKE 'bench-bench-%%'
            """
        )
        c.execute(
            """
            INSERT INTO staff_staffprofile_stores (staffprofile_id, store_id)
            SELECT p.id, s.id FROM staff_staffprofile p
            JOIN auth_user u ON u.id = p.user_id
            JOIN catalog_store s ON u.last_name = s.code
            """
        )
        c.execute(
            """
            CREATE TEMP TABLE bench_staff AS
            SELECT s.id AS store_id, array_agg(u.id ORDER BY u.id) AS ids
            FROM catalog_store s JOIN auth_user u ON u.last_name = s.code
            WHERE u.username NOT LIKE '%%-0'
            GROUP BY s.id
            """
        )
        c.execute("SELECT min(id), count(*) FROM customers_customer")
        cmin, ncust = c.fetchone()
        per_day = args.known + args.anonymous
        midnight = day_start(timezone.localdate())  # today, 00:00 in the stores' time zone
        # Past days: visits between 10:00 and 19:00, all gone by now.
        c.execute(
            """
            INSERT INTO floor_visit (store_id, customer_id, source, arrived_at,
                last_seen_at, departed_at, attended_by_id, attended_since)
            SELECT store_id,
                   CASE WHEN known THEN %(cmin)s + floor(r1 * %(ncust)s)::bigint END,
                   (ARRAY['beacon','wifi','app','checkin','scan'])[1 + floor(r2 * 5)::int],
                   arrived, arrived + stay * 0.9, arrived + stay,
                   CASE WHEN known AND r3 < 0.7 THEN ids[1 + floor(r4 * 6)::int] END,
                   CASE WHEN known AND r3 < 0.7 THEN arrived + r5 * interval '10 min' END
            FROM (
                SELECT st.store_id, st.ids, n <= %(known)s AS known,
                       %(midnight)s - d * interval '1 day' + interval '10 hours'
                           + random() * interval '9 hours' AS arrived,
                       (5 + random() * 55) * interval '1 min' AS stay,
                       random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                       random() AS r5
                FROM bench_staff st
                CROSS JOIN generate_series(1, %(past)s) d
                CROSS JOIN generate_series(1, %(per_day)s) n
            ) v
            ORDER BY arrived
            """,
            {
                "cmin": cmin,
                "ncust": ncust,
                "known": args.known,
                "per_day": per_day,
                "past": args.days - 1,
                "midnight": midnight,
            },
        )
        # Today: the same traffic over the nine hours before now; the last 40 minutes'
        # shoppers mostly still in the store.
        c.execute(
            """
            INSERT INTO floor_visit (store_id, customer_id, source, arrived_at,
                last_seen_at, departed_at, attended_by_id, attended_since)
            SELECT store_id,
                   CASE WHEN known THEN %(cmin)s + floor(r1 * %(ncust)s)::bigint END,
                   (ARRAY['beacon','wifi','app','checkin','scan'])[1 + floor(r2 * 5)::int],
                   arrived,
                   CASE WHEN here THEN greatest(arrived, now() - r5 * interval '5 min')
                        ELSE least(arrived + stay * 0.9, now()) END,
                   CASE WHEN here THEN NULL ELSE least(arrived + stay, now()) END,
                   CASE WHEN known AND r3 < 0.6 THEN ids[1 + floor(r4 * 6)::int] END,
                   CASE WHEN known AND r3 < 0.6
                        THEN least(arrived + r5 * interval '10 min', now()) END
            FROM (
                SELECT *, arrived > now() - interval '40 min' AND r6 < 0.8 AS here
                FROM (
                    SELECT st.store_id, st.ids, n <= %(known)s AS known,
                           greatest(%(midnight)s, now() - random() * interval '9 hours')
                               AS arrived,
                           (5 + random() * 55) * interval '1 min' AS stay,
                           random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                           random() AS r5, random() AS r6
                    FROM bench_staff st CROSS JOIN generate_series(1, %(per_day)s) n
                ) t
            ) v
            ORDER BY arrived
            """,
            {
                "cmin": cmin,
                "ncust": ncust,
                "known": args.known,
                "per_day": per_day,
                "midnight": midnight,
            },
        )
        c.execute(
            """
            INSERT INTO customers_note (customer_id, author_id, store_id, text, created_at)
            SELECT %(cmin)s + floor(random() * %(ncust)s)::bigint,
                   ids[1 + floor(random() * 6)::int], store_id, 'Note de démonstration',
                   least(%(midnight)s - d * interval '1 day' + interval '10 hours'
                         + random() * interval '9 hours', now())
            FROM bench_staff CROSS JOIN generate_series(0, %(past)s) d
            CROSS JOIN generate_series(1, 15) n
            """,
            {"cmin": cmin, "ncust": ncust, "past": args.days - 1, "midnight": midnight},
        )
        # What autovacuum has done by now (see migration 0003), then the presence pings that
        # came in since: the shoppers still in the store were seen in the last minutes.
        c.execute("VACUUM (ANALYZE)")
        c.execute(
            """
            UPDATE floor_visit
            SET last_seen_at = greatest(arrived_at, now() - random() * interval '3 min')
            WHERE departed_at IS NULL AND arrived_at >= %s
            """,
            [midnight],
        )
        c.execute("SELECT count(*) FROM floor_visit")
        visits = c.fetchone()[0]
    print(f"  seeded {visits:,} visits in {time.perf_counter() - t0:.0f} s")


def roll_up(days: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from dashboard.services import daily_figures_rollup

    today = timezone.localdate()
    samples = []
    for d in range(1, days):
        t0 = time.perf_counter()
        daily_figures_rollup(day=today - timedelta(days=d))
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"  nightly roll-up of one day, every store: {percentiles(samples)}")


# --- Measuring -------------------------------------------------------------------------------


def measure(label: str, n: int, fn) -> None:
    fn()  # warm caches and the connection pool
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"{label:<52} {percentiles(samples)}")


def run(args, read_only: bool) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from catalog.models import Store
    from dashboard.figures import day_start
    from dashboard.push import board_live_html
    from floor.models import Visit
    from staff.models import StaffProfile

    settings.DEBUG = False  # no query logging overhead while timing
    User = get_user_model()
    rng = random.Random(7)
    stores = list(Store.objects.filter(is_warehouse=False, is_active=True).order_by("pk"))
    today_visits = Visit.objects.filter(arrived_at__gte=day_start(timezone.localdate())).count()
    print(
        f"data: {len(stores)} stores, {Visit.objects.count():,} visits "
        f"({today_visits:,} today), {User.objects.count():,} staff accounts"
    )
    managers = list(
        User.objects.filter(
            staff_profile__role=StaffProfile.Role.MANAGER,
            staff_profile__stores__isnull=False,
        ).prefetch_related("staff_profile__stores")[:40]
    )
    head_office = User.objects.filter(is_superuser=True).first()
    if not managers or head_office is None:
        sys.exit("The database needs store managers and a head-office account.")

    clients = []
    for m in managers:
        c = Client()
        c.force_login(m)
        clients.append((c, m.staff_profile.stores.all()[0]))
    ho = Client()
    ho.force_login(head_office)

    def board():
        c, s = rng.choice(clients)
        r = c.get(f"/stores/{s.code}/dashboard/")
        assert r.status_code == 200, r.status_code

    def board_poll():
        c, s = rng.choice(clients)
        r = c.get(f"/stores/{s.code}/dashboard/", headers={"HX-Request": "true"})
        assert r.status_code == 200, r.status_code

    def board_push():
        board_live_html(rng.choice(clients)[1].pk)

    def overview():
        r = ho.get("/dashboard/?sort=-waiting")
        assert r.status_code == 200, r.status_code

    def export_store():
        c, s = rng.choice(clients)
        r = c.get("/dashboard/export/", _export_range(s.code, 30))
        assert r.status_code == 200
        b"".join(r.streaming_content)

    def export_all():
        r = ho.get("/dashboard/export/", _export_range("", 30))
        assert r.status_code == 200
        b"".join(r.streaming_content)

    with CaptureQueriesContext(connection) as q:
        board()
    board_queries = len(q.captured_queries)
    with CaptureQueriesContext(connection) as q:
        overview()
    print(
        f"queries: board page {board_queries}, overview {len(q.captured_queries)} "
        "(first request of a session included)"
    )
    n = args.requests
    measure("store board, full page (store manager)", n, board)
    measure("store board, live part (htmx poll every 30 s)", n, board_poll)
    measure("store board, websocket resync/push render", n, board_push)
    measure(f"multi-store overview, {len(stores)} stores (head office)", max(20, n // 4), overview)
    measure("CSV export, one store, 30 days", max(10, n // 10), export_store)
    measure(f"CSV export, {len(stores)} stores, 30 days", 5, export_all)
    if read_only:
        transaction.set_rollback(True)


def _export_range(code: str, days: int) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return {
        "start": (today - timedelta(days=days - 1)).isoformat(),
        "end": today.isoformat(),
        "store": code,
        "level": "stores",
    }


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark needs PostgreSQL).")
    read_only = usable_as_is(url)
    must_seed = False
    if read_only:
        print(f"database: {urlsplit(url).path[1:]} (read only: requests are rolled back)")
    else:
        url = with_db(url, args.scratch_db)
        must_seed = ensure_scratch(url, args.scratch_db, args.reseed)
        state = "created and seeded now" if must_seed else "reused from an earlier run"
        print(
            f"database: {args.scratch_db}, a scratch database with benchmark data ({state}); "
            "no migrated database with visits was given"
        )
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
    import django

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic needed
    django.setup()
    from django.core import signals
    from django.core.management import call_command
    from django.db import close_old_connections, transaction

    if must_seed:
        call_command("migrate", verbosity=0)
        seed(args)
        roll_up(args.days)
    if read_only:
        # Everything inside one transaction, rolled back: nothing is written.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        with transaction.atomic():
            run(args, read_only=True)
    else:
        run(args, read_only=False)
    import platform

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min), "
        f"Python {platform.python_version()}, in-process Django test client "
        "(no network, no ASGI server), one request at a time"
    )


if __name__ == "__main__":
    main()
