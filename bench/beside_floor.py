"""The app beside the stack's floor, in the same run: pages, push, reconnects, idle sockets.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/beside_floor.py \
        [--floor DIR] [--processes 2] [--rounds 2] [--only pages,push,reconnect,idle]

Starts ``--processes`` Daphne processes of the app and as many of the floor (``--floor``,
``FLOOR_DIR``, default ``../shared/floor`` next to this checkout), warms both up, then for
each figure runs floor, app, floor, app… (``--rounds``) and prints each run, the best of
each side and the app's ratio to the floor, with the load average and process count:

- idle (first, on processes that have only been warmed up: memory a process allocated
  once it keeps, so later rounds read less): memory per idle socket (resident memory of
  the processes before and after ``--reconnect`` sockets open, divided by their number);
- pages: ``--users`` signed-in users (50), each a keep-alive connection, closed loop, over
  a mix (``--mix``) of the customer card, product search, product page, floor page and
  stock page of one store (the floor: its one page); req/s and p95 for ``--seconds`` each;
- push: ``--tablets`` (50) on one store's floor, signed ``enter`` events at ``--rate`` (20/s);
  from the request sent to the card on each tablet, p95 (the floor with ``RECORD=1``:
  it records its event too); the app has ``--others`` (500) idle tablets of another store
  open meanwhile;
- reconnect: ``--reconnect`` tablets (500) connecting at once, each with the socket URL
  its page gave it: time until all are open and have their first state, failures.

It reads the store, customers, products and variants it finds in the database (the one
with the most stock rows, the customers with the longest history) and creates its own
associate, sessions, push store, clients and webhook source (named ``bench-…``), which it
deletes at the end, with the card reads it logged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import html
import itertools
import json
import os
import random
import re
import sys
import time
import uuid

import stack  # noqa: I001 (sets Django up)
import websockets
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test import Client
from entry import entry_event

from catalog.models import Product, Store
from customers.models import BulkReadFlag, CardView, Customer
from integrations import tickets
from integrations.models import WebhookSource
from inventory.models import StockLevel
from staff.models import StaffProfile

MARKER = re.compile(r'data-customer="(BENCH-[^"]+)"')
WS_CONNECT = re.compile(r'ws-connect="([^"]+)"')
PAGES = ("card", "search", "product", "floor", "stock")
FLOOR_MARKER = re.compile(r'id="c-(BENCH-[^"]+)"')


async def socket_urls(servers, page: str, cookies: list[str]) -> list[str]:
    """Each session's socket URL as its page tells the browser (with the page's ticket)."""
    urls = []
    for i, cookie in enumerate(cookies):
        http = stack.Http(servers.port(i), f"sessionid={cookie}")
        status, body = await http.request("GET", page)
        await http.close()
        if status != 200:
            sys.exit(f"{page}: {status}")
        urls.append(html.unescape(WS_CONNECT.search(body.decode()).group(1)))
    return urls


def each(url: str | list[str], i: int) -> str:
    return url if isinstance(url, str) else url[i % len(url)]


def sessions_for(user: User, count: int) -> list[str]:
    keys = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        keys.append(client.cookies["sessionid"].value)
    return keys


def associate(store: Store, run: str) -> User:
    user = User.objects.create_user(f"bench-{run}", f"bench-{run}@bench.invalid", uuid.uuid4().hex)
    profile = StaffProfile.objects.create(user=user, role=StaffProfile.Role.ASSOCIATE)
    profile.stores.add(store)
    return user


class Fixture:
    """What the app's side reads and the rows the bench creates (deleted afterwards)."""

    def __init__(self, users: int, events: int, tablets: int):
        run = uuid.uuid4().hex[:8]
        self.run = run
        store_id = (
            StockLevel.objects.filter(store__is_warehouse=False)
            .values("store_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("store_id", flat=True)
            .first()
        )
        if store_id is None:
            sys.exit("No stock in this database: seed it first (manage.py seed_demo).")
        self.store = Store.objects.get(pk=store_id)
        self.customers = list(
            Customer.objects.active()
            .annotate(n=Count("purchases"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)[:10]
        )
        levels = StockLevel.objects.filter(store=self.store, on_hand__gt=0).select_related(
            "variant__product"
        )[:200]
        self.variants = [level.variant_id for level in levels][:20]
        self.products = list(dict.fromkeys(level.variant.product_id for level in levels))[:20]
        words = Product.objects.filter(pk__in=self.products).values_list("name", flat=True)
        self.terms = [name.split()[0].lower() for name in words][:10] or ["a"]
        self.user = associate(self.store, run)
        self.cookies = sessions_for(self.user, users)
        # The push: a store of its own, consenting clients, a webhook source.
        self.push_store = Store.objects.create(
            code=f"bench-{run}",
            name=f"Bench {run}",
            address="1 rue du Test",
            postcode="75001",
            city="Paris",
            latitude=48.86,
            longitude=2.34,
        )
        self.push_user = associate(self.push_store, f"{run}-push")
        self.push_cookies = sessions_for(self.push_user, tablets)
        self.source = WebhookSource.objects.create(
            key=f"bench-{run}",
            name=f"Bench {run}",
            kind=WebhookSource.Kind.BEACON,
            rate_limit_per_minute=1_000_000,
        )
        self.clients = stack.consenting_clients(run, events)

    def paths(self, mix: tuple[str, ...] = PAGES) -> list[str]:
        """The mix, one of each page in turn (``mix``: which pages)."""
        paths = []
        for i in range(10):
            page = {
                "card": f"/customers/{self.customers[i % len(self.customers)]}/",
                "search": f"/products/?q={self.terms[i % len(self.terms)]}",
                "product": f"/products/{self.products[i % len(self.products)]}/",
                "floor": f"/stores/{self.store.code}/floor/",
                "stock": f"/stock/variants/{self.variants[i % len(self.variants)]}/",
            }
            paths += [page[name] for name in mix]
        return paths

    def enter(self, loyalty_number: str) -> tuple[bytes, dict]:
        return entry_event(self.source, self.push_store.code, loyalty_number)

    def delete(self) -> None:
        from django.contrib.sessions.models import Session

        users = [self.user, self.push_user]
        CardView.objects.filter(viewer__in=users).delete()
        BulkReadFlag.objects.filter(viewer__in=users).delete()
        Customer.objects.filter(pk__in=[c.pk for c in self.clients]).delete()
        self.push_store.delete()
        self.source.delete()
        Session.objects.filter(session_key__in=self.cookies + self.push_cookies).delete()
        for user in users:
            user.delete()


def floor_enter(identifier: str) -> tuple[bytes, dict]:
    body = json.dumps({"identifier": identifier}).encode()
    stamp = str(time.time())
    signature = hmac.new(b"secret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"X-Timestamp": stamp, "X-Signature": signature}


# --- Pages ------------------------------------------------------------------------------------


WARM_EVENTS = 10  # entry events per process before the push is timed


async def warm_entries(servers, names: list[str], payload) -> None:
    """Entry events sent to each process in turn, not timed: the first ones of a process
    pay what it does once (statements compiled, connections opened)."""
    for i, name in enumerate(names):
        body, headers = payload(name)
        http = stack.Http(servers.port(i))
        await http.request(
            "POST", "/api/presence/", body, {"Content-Type": "application/json", **headers}
        )
        await http.close()


async def pages(servers, users: int, seconds: float, paths: list[str], cookies: list[str]):
    """Closed loop: each user sends the next page as soon as the last one came back."""
    latencies, errors, done = [], [], 0
    stop = time.perf_counter() + seconds

    async def user(i: int):
        nonlocal done
        cookie = f"sessionid={cookies[i % len(cookies)]}" if cookies else ""
        http = stack.Http(servers.port(i), cookie)
        for path in itertools.islice(itertools.cycle(paths), i, None):
            if time.perf_counter() >= stop:
                break
            began = time.perf_counter()
            try:
                status, _body = await http.request("GET", path)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                errors.append(type(error).__name__)
                await http.close()
                continue
            if status != 200:
                errors.append(f"{status} {path}")
            latencies.append((time.perf_counter() - began) * 1000)
            done += 1
        await http.close()

    began, cpu = time.perf_counter(), servers.cpu_seconds()
    await asyncio.gather(*(user(i) for i in range(users)))
    wall, cpu = time.perf_counter() - began, servers.cpu_seconds() - cpu
    return {"rps": done / wall, "lat": latencies, "errors": errors, "cpu_ms": cpu * 1000 / done}


# --- Push -------------------------------------------------------------------------------------


async def beside_idle(work, servers, *, url: list[str], cookies, count: int):
    """Runs ``work`` (a coroutine) while ``count`` idle tablets of another store are open
    (opened 50 at a time, each with its first list, before the work starts)."""
    sockets = []

    async def one(i: int):
        port = servers.port(i)
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}{each(url, i)}",
            additional_headers={
                "Origin": f"http://127.0.0.1:{port}",
                "Cookie": f"sessionid={cookies[i % len(cookies)]}",
            },
            max_size=None,
            open_timeout=30,
        )
        await asyncio.wait_for(ws.recv(), 30)
        sockets.append(ws)

    try:
        for start in range(0, count, 50):
            await asyncio.gather(*(one(i) for i in range(start, min(count, start + 50))))
        return await work
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def push(
    servers, *, url: str | list[str], cookies, tablets: int, rate: float, names, payload, marker
):
    """Tablets on one floor; an event per 1/rate s; request sent -> card on each tablet."""
    sent_at: dict[str, float] = {}
    arrivals: list[float] = []
    seen: set[tuple[int, str]] = set()
    statuses: list[int] = []
    expected = len(names) * tablets
    ready = asyncio.Event()
    connected = 0
    finished = asyncio.Event()
    failed: list[str] = []

    async def tablet(i: int):
        nonlocal connected
        port = servers.port(i)
        headers = {"Origin": f"http://127.0.0.1:{port}"}
        if cookies:
            headers["Cookie"] = f"sessionid={cookies[i % len(cookies)]}"
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}{each(url, i)}", additional_headers=headers, max_size=None
            ) as ws:
                connected += 1
                if connected == tablets:
                    ready.set()
                async for message in ws:
                    now = time.perf_counter()
                    for name in marker.findall(message):
                        if name in sent_at and (i, name) not in seen:
                            seen.add((i, name))
                            arrivals.append((now - sent_at[name]) * 1000)
                    if len(arrivals) >= expected:
                        finished.set()
                    if finished.is_set():
                        return
        except (OSError, websockets.WebSocketException) as error:
            failed.append(type(error).__name__)
            ready.set()

    tasks = [asyncio.create_task(tablet(i)) for i in range(tablets)]
    await asyncio.wait_for(ready.wait(), 60)
    await asyncio.sleep(0.5)  # each app tablet got its first list

    async def send(i: int, name: str):
        body, headers = payload(name)
        http = stack.Http(servers.port(i))
        sent_at[name] = time.perf_counter()
        status, _ = await http.request(
            "POST",
            "/api/presence/",
            body,
            {"Content-Type": "application/json", "Connection": "close", **headers},
        )
        statuses.append(status)
        await http.close()

    senders = []
    t0, cpu = time.perf_counter(), servers.cpu_seconds()
    for i, name in enumerate(names):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        senders.append(asyncio.create_task(send(i, name)))
    await asyncio.gather(*senders)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(finished.wait(), 10)
    finished.set()
    cpu = servers.cpu_seconds() - cpu
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "lat": arrivals,
        "missing": expected - len(arrivals),
        "bad": sum(1 for s in statuses if s != 202) + len(failed),
        "cpu_ms": cpu * 1000 / len(names),  # the event's request and its cards' delivery
    }


# --- Reconnect and idle sockets -----------------------------------------------------------------


async def reconnect(
    servers, *, url: str | list[str], cookies, count: int, first_message: bool, hold=None
):
    """``count`` sockets connecting at once; seconds until all are open (with their first
    state when the page sends one), failures. ``hold``: called while they are all open."""
    opened: list[float] = []
    failures: list[str] = []
    sockets = []
    start = asyncio.Event()

    async def one(i: int):
        port = servers.port(i)
        headers = {"Origin": f"http://127.0.0.1:{port}"}
        if cookies:
            headers["Cookie"] = f"sessionid={cookies[i % len(cookies)]}"
        await start.wait()
        try:
            ws = await websockets.connect(
                f"ws://127.0.0.1:{port}{each(url, i)}",
                additional_headers=headers,
                max_size=None,
                open_timeout=30,
            )
            if first_message:
                await asyncio.wait_for(ws.recv(), 30)
        except Exception as error:  # noqa: BLE001 (counted and named)
            failures.append(type(error).__name__)
            return
        opened.append(time.perf_counter() - began)
        sockets.append(ws)

    tasks = [asyncio.create_task(one(i)) for i in range(count)]
    await asyncio.sleep(0.2)
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    result = {"all": max(opened) if opened else float("nan"), "failures": failures}
    if hold is not None:
        await asyncio.sleep(2)
        result["held"] = hold()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return result


def idle(servers, *, url, cookies, count, first_message):
    before = servers.rss_kib()
    result = asyncio.run(
        reconnect(
            servers,
            url=url,
            cookies=cookies,
            count=count,
            first_message=first_message,
            hold=servers.rss_kib,
        )
    )
    opened = count - len(result["failures"])
    if not opened:
        return float("nan")
    return (result["held"] - before) / opened


# --- The run ----------------------------------------------------------------------------------


def line(label: str, floor: str, app: str, ratio: str, processes: int) -> None:
    print(f"  {label:<34} floor {floor:<26} app {app:<34} {ratio:>7}  {stack.load()}  ×{processes}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--floor", help="the floor app's directory")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes per side")
    parser.add_argument("--rounds", type=int, default=2, help="floor, app runs per figure")
    parser.add_argument("--only", default="pages,push,reconnect,idle")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--mix", default=",".join(PAGES), help="the pages of the pages figure")
    parser.add_argument("--seconds", type=float, default=8, help="per pages run")
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--events", type=int, default=100, help="per push run")
    parser.add_argument("--reconnect", type=int, default=500)
    parser.add_argument(
        "--others", type=int, default=500, help="idle app tablets of another store during push"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("Set DATABASE_URL (PostgreSQL, migrated, seeded) and REDIS_URL.")
    mix = tuple(name for name in args.mix.split(",") if name in PAGES) or PAGES
    only = set(args.only.split(","))
    floor_path = stack.floor_dir(args.floor)
    stack.floor_prepare(floor_path)
    rounds = args.rounds
    fixture = Fixture(args.users, args.events * rounds + WARM_EVENTS * args.processes, args.tablets)
    connection.close()
    n = args.processes
    print(
        f"database {settings.DATABASES['default']['NAME']}   store {fixture.store.code}   "
        f"Daphne processes per side: {n}   cores: {os.cpu_count()}   {stack.load()}"
    )
    try:
        with (
            stack.start_app(n) as app,
            stack.start_floor(floor_path, n, record="push" in only) as floor,
        ):
            # Warm-up: every page of the mix once per process, the floor's page too.
            asyncio.run(pages(app, n, 1.5, fixture.paths(mix), fixture.cookies))
            asyncio.run(pages(floor, n, 1.5, ["/page/"], []))
            # The tablets' socket URLs as their pages give them, with the pages' tickets,
            # issued once the cache has been keeping what changed (a first page starts it
            # on a fresh Redis) and the staff the bench created are older than the tickets'
            # clock margin.
            asyncio.run(
                socket_urls(app, f"/stores/{fixture.store.code}/floor/", fixture.cookies[:1])
            )
            time.sleep(tickets.CLOCK_MARGIN + 0.5)
            app_ws = asyncio.run(
                socket_urls(app, f"/stores/{fixture.store.code}/floor/", fixture.cookies)
            )
            push_ws = asyncio.run(
                socket_urls(app, f"/stores/{fixture.push_store.code}/floor/", fixture.push_cookies)
            )

            if "idle" in only:
                print(f"idle sockets: resident memory per socket, {args.reconnect} sockets")
                floors, apps = stack.interleave(
                    rounds,
                    lambda: idle(
                        floor,
                        url="/ws/floor/",
                        cookies=None,
                        count=args.reconnect,
                        first_message=False,
                    ),
                    lambda: idle(
                        app,
                        url=app_ws,
                        cookies=fixture.cookies,
                        count=args.reconnect,
                        first_message=True,
                    ),
                )
                for f, a in zip(floors, apps, strict=True):
                    line(
                        "KiB per open idle socket",
                        f"{f:.1f} KiB",
                        f"{a:.1f} KiB",
                        stack.ratio(a, f),
                        n,
                    )

            if "pages" in only:
                print(
                    f"pages: {args.users} users, closed loop, {args.seconds:g} s per run, "
                    f"mix {','.join(mix)}"
                )
                floors, apps = stack.interleave(
                    rounds,
                    lambda: asyncio.run(pages(floor, args.users, args.seconds, ["/page/"], [])),
                    lambda: asyncio.run(
                        pages(app, args.users, args.seconds, fixture.paths(mix), fixture.cookies)
                    ),
                )
                for f, a in zip(floors, apps, strict=True):
                    p95f, p95a = stack.quantiles(f["lat"])["p95"], stack.quantiles(a["lat"])["p95"]
                    line(
                        "req/s (p95)",
                        f"{f['rps']:6.0f} ({p95f:.0f} ms)",
                        f"{a['rps']:6.0f} ({p95a:.0f} ms) err {len(a['errors'])}",
                        stack.ratio(a["rps"], f["rps"]),
                        n,
                    )
                    line(
                        "server CPU per request",
                        f"{f['cpu_ms']:6.2f} ms",
                        f"{a['cpu_ms']:6.2f} ms",
                        stack.ratio(a["cpu_ms"], f["cpu_ms"]),
                        n,
                    )
                errors = sorted({e for a in apps for e in a["errors"]})[:5]
                if errors:
                    print(f"  app errors: {errors}")
                best_f, best_a = max(f["rps"] for f in floors), max(a["rps"] for a in apps)
                print(
                    f"  best: floor {best_f:.0f} req/s, app {best_a:.0f} req/s, "
                    f"ratio {stack.ratio(best_a, best_f)}"
                )

            if "push" in only:
                print(
                    f"push: {args.tablets} tablets, {args.rate:g} events/s, "
                    f"{args.events} events per run; floor RECORD=1; app: {args.others} idle "
                    "tablets of another store open too (the floor has no stores)"
                )
                names = iter(c.loyalty_number for c in fixture.clients)
                warm = list(itertools.islice(names, WARM_EVENTS * n))
                asyncio.run(warm_entries(app, warm, fixture.enter))
                asyncio.run(warm_entries(floor, [f"BENCH-warm-{i}" for i in warm], floor_enter))
                counter = itertools.count()
                floors, apps = stack.interleave(
                    rounds,
                    lambda: asyncio.run(
                        push(
                            floor,
                            url="/ws/floor/",
                            cookies=None,
                            tablets=args.tablets,
                            rate=args.rate,
                            names=[f"BENCH-{next(counter)}" for _ in range(args.events)],
                            payload=floor_enter,
                            marker=FLOOR_MARKER,
                        )
                    ),
                    lambda: asyncio.run(
                        beside_idle(
                            push(
                                app,
                                url=push_ws,
                                cookies=fixture.push_cookies,
                                tablets=args.tablets,
                                rate=args.rate,
                                names=list(itertools.islice(names, args.events)),
                                payload=fixture.enter,
                                marker=MARKER,
                            ),
                            app,
                            url=app_ws,
                            cookies=fixture.cookies,
                            count=args.others,
                        )
                    ),
                )
                for f, a in zip(floors, apps, strict=True):
                    qf, qa = stack.quantiles(f["lat"]), stack.quantiles(a["lat"])
                    line(
                        "sent -> card, p50 / p95",
                        f"{qf['p50']:.1f} / {qf['p95']:.1f} ms",
                        f"{qa['p50']:.1f} / {qa['p95']:.1f} ms  missing {a['missing']} "
                        f"non-202 {a['bad']}",
                        stack.ratio(qa["p95"], qf["p95"]),
                        n,
                    )
                    line(
                        "server CPU per event",
                        f"{f['cpu_ms']:6.2f} ms",
                        f"{a['cpu_ms']:6.2f} ms",
                        stack.ratio(a["cpu_ms"], f["cpu_ms"]),
                        n,
                    )

            if "reconnect" in only:
                print(f"reconnect: {args.reconnect} tablets at once")
                floors, apps = stack.interleave(
                    rounds,
                    lambda: asyncio.run(
                        reconnect(
                            floor,
                            url="/ws/floor/",
                            cookies=None,
                            count=args.reconnect,
                            first_message=False,
                        )
                    ),
                    lambda: asyncio.run(
                        reconnect(
                            app,
                            url=app_ws,
                            cookies=fixture.cookies,
                            count=args.reconnect,
                            first_message=True,
                        )
                    ),
                )
                for f, a in zip(floors, apps, strict=True):
                    line(
                        "all open (app: with first state)",
                        f"{f['all']:.2f} s, {len(f['failures'])} failed",
                        f"{a['all']:.2f} s, {len(a['failures'])} failed",
                        stack.ratio(a["all"], f["all"]),
                        n,
                    )
                    if a["failures"]:
                        print(f"    app failures: {sorted(set(a['failures']))}")
            print(
                f"server tracebacks: app {app.tracebacks()}, floor {floor.tracebacks()}   "
                f"logs: {stack.LOG_DIR}"
            )

    finally:
        fixture.delete()
    return 0


if __name__ == "__main__":
    random.seed(1)
    sys.exit(main())
