"""Redis, then PostgreSQL, killed under traffic and restarted: what did users get?

    python bench/outage.py [--down 30] [--calm 10] [--drain 120] [--tablets 20]

Starts its own instances in a temporary directory — a ``redis-server`` with AOF and a
PostgreSQL cluster (``initdb``/``pg_ctl``; run as root it uses the ``postgres`` user) —
migrates, creates a store, an associate, a customer with an email, stock and a webhook
source, then serves the app with Daphne and a Celery worker with beat (the outbox sweep
every 5 s), a local SMTP server counting Message-IDs. Four loops send traffic for the
whole run: signed presence webhooks (a new consenting client comes in every 0.2 s), an
associate browsing the orders list, orders placed through the form, sign-ins; and
``--tablets`` websocket tablets stay on the store's Floor page, keeping the list as the
page does (the whole list on connect, arrivals added) and reconnecting after a close
like the page. Phases: calm, Redis down ``--down`` seconds (SIGKILL, then
restarted on its AOF), calm, PostgreSQL down (``pg_ctl stop -m immediate``, then
started), calm, then up to ``--drain`` seconds for the outbox to send what is owed.

Prints, per phase and kind of request, the status counts; the 500s; orders saved but
answered as failures (and answered saved but not saved); emails lost or doubled by
Message-ID; the tablets connected through the Redis outage still stale 5 s after Redis is
back (missing a client who came in while it was down), and how long they took. Never run
by the test suite; everything it starts is stopped at the end.
"""

import argparse
import asyncio
import email
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


MARKER = re.compile(r'data-customer="(BENCH-[^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Sink(socketserver.ThreadingTCPServer):
    allow_reuse_address = daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SinkSession)
        self.accepted: list[str] = []


class SinkSession(socketserver.StreamRequestHandler):
    def handle(self):
        w = lambda text: self.wfile.write(text.encode() + b"\r\n")  # noqa: E731
        w("220 sink")
        try:
            while line := self.rfile.readline():
                cmd = line.decode(errors="replace").strip().upper()
                if cmd.startswith("DATA"):
                    w("354 go")
                    lines = []
                    while (data := self.rfile.readline()) not in (b".\r\n", b""):
                        lines.append(data)
                    self.server.accepted.append(
                        email.message_from_bytes(b"".join(lines))["Message-ID"]
                    )
                    w("250 OK")
                elif cmd.startswith("QUIT"):
                    w("221 bye")
                    return
                else:
                    w("250 OK")
        except ConnectionResetError:
            pass


class Instances:
    def __init__(self, tmp: Path):
        self.tmp, self.procs = tmp, []
        self.redis_port, self.pg_port = free_port(), free_port()
        self.pgdata = tmp / "pg"
        self.redis = None

    def start_redis(self):
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--dir",
                str(self.tmp),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.redis_port)) == 0:
                    return
            time.sleep(0.1)

    def kill_redis(self):
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait()

    def init_pg(self):
        self.pgdata.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
            shutil.chown(self.pgdata, "postgres")
        subprocess.run(
            as_postgres(
                ["initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start_pg()
        subprocess.run(
            as_postgres(
                [
                    "createdb",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.pg_port),
                    "-U",
                    "postgres",
                    "clienteling",
                ]
            ),
            check=True,
        )

    def start_pg(self):
        subprocess.run(
            as_postgres(
                [
                    "pg_ctl",
                    "-D",
                    str(self.pgdata),
                    "-w",
                    "-l",
                    str(self.tmp / "pg.log"),
                    "-o",
                    f"-p {self.pg_port} -k {self.tmp} -c listen_addresses=127.0.0.1",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop_pg(self, mode="immediate"):
        subprocess.run(
            as_postgres(["pg_ctl", "-D", str(self.pgdata), "-m", mode, "stop"]),
            stdout=subprocess.DEVNULL,
        )


class Browser:
    """One user's cookies, CSRF included; every answer recorded by phase and kind."""

    def __init__(self, base, record):
        self.base, self.record = base, record
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, kind, path, data=None, headers=None, body=None):
        if data is not None:
            body = urllib.parse.urlencode(
                {**data, "csrfmiddlewaretoken": self.csrf()}, doseq=True
            ).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        req = urllib.request.Request(  # noqa: S310 - our own http:// base
            self.base + path, data=body, headers={"Referer": self.base + path, **(headers or {})}
        )
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except Exception as error:  # connection refused, timeout
            status = type(error).__name__
        self.record(kind, status, time.monotonic() - started)
        return status


class Tablets:
    """Websocket tablets on the store's Floor page, in a thread of their own. Each keeps the
    list as static/js/live.js and floor.js do (the whole list replaces it, an arrival adds
    a card) and notes when each client first showed on it."""

    def __init__(self, url, origin, cookies):
        self.url, self.origin, self.cookies = url, origin, cookies
        self.seen = [{} for _ in cookies]  # per tablet: loyalty number -> first shown at
        self.connects = [0 for _ in cookies]
        self.open = [False for _ in cookies]
        self.closes = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run()), daemon=True)

    async def run(self):
        await asyncio.gather(*(self.tablet(i) for i in range(len(self.cookies))))

    async def tablet(self, i):
        import websockets

        seen = self.seen[i]
        while not self.stop.is_set():
            try:
                async with websockets.connect(
                    self.url,
                    additional_headers={
                        "Cookie": f"sessionid={self.cookies[i]}",
                        "Origin": self.origin,
                    },
                    max_size=None,
                    open_timeout=5,
                ) as ws:
                    self.connects[i] += 1
                    self.open[i] = True
                    while not self.stop.is_set():
                        try:
                            message = await asyncio.wait_for(ws.recv(), 1)
                        except TimeoutError:
                            continue
                        now = time.monotonic()
                        for number in MARKER.findall(message):
                            seen.setdefault(number, now)
            except Exception as error:  # closed or refused: the page tries again
                self.closes[f"{type(error).__name__}: {str(error)[:50]}"] += 1
            self.open[i] = False
            await asyncio.sleep(random.uniform(0.125, 0.25))  # the page's first retry


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--down", type=float, default=30)
    parser.add_argument("--calm", type=float, default=10)
    parser.add_argument("--drain", type=float, default=120)
    parser.add_argument("--tablets", type=int, default=20)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="outage-"))
    inst = Instances(tmp)
    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    servers = []
    try:
        inst.start_redis()
        inst.init_pg()
        http_port = free_port()
        env = {
            **os.environ,
            "DEBUG": "1",
            "HTTPS": "0",
            "SECRET_KEY": "outage-bench",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{inst.pg_port}/clienteling",
            "REDIS_URL": f"redis://127.0.0.1:{inst.redis_port}/0",
            "DB_POOL_TIMEOUT": "3",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.server_address[1]),
            "EMAIL_USE_TLS": "0",
            "OUTBOX_SWEEP_SECONDS": "5",
            "OUTBOX_LEASE_SECONDS": "15",
            "LOG_FORMAT": "json",
        }
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "clienteling.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        from django.test import Client
        from django.utils import timezone

        from customers.models import Consent, Customer
        from integrations.models import OutboundMessage, WebhookSource
        from integrations.webhooks import signed_headers
        from orders.models import Order
        from tests.factories import (
            PASSWORD,
            CustomerFactory,
            StockLevelFactory,
            StoreFactory,
            VariantFactory,
            make_staff,
        )

        store = StoreFactory(code="paris-opera", name="Paris Opéra")
        associate = make_staff("associate", store)
        customer = CustomerFactory(email="camille@example.fr")
        variant = VariantFactory()
        StockLevelFactory(store=store, variant=variant, on_hand=100000)
        source = WebhookSource.objects.create(
            key="bench-door", name="Door", kind="beacon", rate_limit_per_minute=100_000
        )
        comers = Customer.objects.bulk_create(
            Customer(loyalty_number=f"BENCH-{i}", first_name="Bench", last_name=f"Client {i}")
            for i in range(5000)
        )
        Consent.objects.bulk_create(
            Consent(
                customer=c,
                purpose=Consent.Purpose.IN_STORE_RECOGNITION,
                granted=True,
                source=Consent.Source.APP,
                recorded_at=timezone.now(),
            )
            for c in comers
        )
        cookies = []
        for _ in range(args.tablets):
            tablet_client = Client()
            tablet_client.force_login(associate)
            cookies.append(tablet_client.cookies["sessionid"].value)
        connections.close_all()

        logs = tmp / "logs"
        logs.mkdir()
        for name, cmd in (
            (
                "daphne",
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(http_port),
                    "clienteling.asgi:application",
                ],
            ),
            (
                "worker",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "clienteling",
                    "worker",
                    "-B",
                    "--pool=solo",
                    "-s",
                    str(tmp / "beat-schedule"),
                    "-l",
                    "INFO",
                ],
            ),
        ):
            with (logs / f"{name}.log").open("wb") as out:
                servers.append(
                    subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
                )
        base = f"http://127.0.0.1:{http_port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310
                break
            except Exception:
                time.sleep(0.2)

        phase = ["calm"]
        results = defaultdict(Counter)
        timings = defaultdict(list)
        orders_answered = {}  # key -> status

        first_ok_after = {}  # phase -> seconds from its start to the first 2xx/3xx answer
        phase_started = [time.monotonic()]

        def record(kind, status, seconds):
            results[(phase[0], kind)][status] += 1
            timings[(phase[0], kind)].append(seconds)
            if isinstance(status, int) and status < 400 and phase[0] not in first_ok_after:
                first_ok_after[phase[0]] = time.monotonic() - phase_started[0]

        def enter(name):
            phase[0] = name
            phase_started[0] = time.monotonic()

        stop = threading.Event()
        came_in = defaultdict(list)  # phase -> loyalty numbers answered 202 then

        def webhooks():
            b = Browser(base, record)
            for comer in comers:
                if stop.is_set():
                    break
                body = json.dumps(
                    {
                        "store": store.code,
                        "identifier_kind": "loyalty_number",
                        "identifier": comer.loyalty_number,
                        "event": "enter",
                        "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        "event_id": uuid.uuid4().hex,
                    }
                ).encode()
                during = phase[0]
                status = b.request(
                    "webhook",
                    "/api/presence/",
                    body=body,
                    headers={"Content-Type": "application/json", **signed_headers(source, body)},
                )
                if status == 202:
                    came_in[during].append(comer.loyalty_number)
                time.sleep(0.2)

        def sign_in(b):
            b.request("sign-in page", "/accounts/login/")
            return b.request(
                "sign-in", "/accounts/login/", data={"login": associate.email, "password": PASSWORD}
            )

        def browsing():
            b = Browser(base, record)
            while sign_in(b) != 302 and not stop.is_set():
                time.sleep(1)
            while not stop.is_set():
                b.request("orders page", "/orders/")
                time.sleep(0.3)

        def ordering():
            b = Browser(base, record)
            while sign_in(b) != 302 and not stop.is_set():
                time.sleep(1)
            while not stop.is_set():
                key = uuid.uuid4().hex
                status = b.request(
                    "order",
                    "/orders/new/",
                    data={
                        "key": key,
                        "customer": customer.pk,
                        "variant": [variant.pk],
                        "quantity": ["1"],
                        "source": [store.pk],
                        "mode": "pickup",
                        "pickup_store": store.pk,
                        "action": "place",
                    },
                )
                orders_answered[key] = status
                time.sleep(1)

        def signing_in():
            while not stop.is_set():
                sign_in(Browser(base, record))
                time.sleep(2)

        tablets = Tablets(
            f"ws://127.0.0.1:{http_port}/ws/stores/{store.code}/floor/?lang=fr", base, cookies
        )
        tablets.thread.start()
        for _ in range(100):
            if all(tablets.open):
                break
            time.sleep(0.1)
        threads = [
            threading.Thread(target=f, daemon=True)
            for f in (webhooks, browsing, ordering, signing_in)
        ]
        for t in threads:
            t.start()

        def calm(name):
            enter(name)
            time.sleep(args.calm)

        calm("calm")
        enter("redis down")
        through = [i for i, up in enumerate(tablets.open) if up]  # open as Redis dies
        inst.kill_redis()
        time.sleep(args.down)
        inst.start_redis()
        redis_back = time.monotonic()
        calm("after redis")
        enter("postgres down")
        inst.stop_pg()
        time.sleep(args.down)
        inst.start_pg()
        calm("after postgres")
        stop.set()
        tablets.stop.set()
        for t in threads:
            t.join(timeout=35)
        tablets.thread.join(timeout=10)

        for _ in range(20):  # this process's own pool, idle through the outage
            try:
                saved = dict(
                    Order.objects.filter(idempotency_key__in=orders_answered).values_list(
                        "idempotency_key", "reference"
                    )
                )
                break
            except Exception:
                connections.close_all()
                time.sleep(3)
        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline:
            if not OutboundMessage.objects.exclude(status="sent").exists():
                break
            time.sleep(2)
        accepted = Counter(sink.accepted)

        print(
            f"outage run: Redis and PostgreSQL down {args.down:.0f} s each, calm {args.calm:.0f} s,"
            f" 1 Daphne, 1 worker (+beat), load {os.getloadavg()[0]:.1f}"
        )
        for (name, kind), counts in results.items():
            spent = sorted(timings[(name, kind)])
            p95 = spent[int(0.95 * (len(spent) - 1))]
            print(f"  {name:15} {kind:13} {dict(counts)}  p95 {p95:.2f} s")
        total_500 = sum(c[500] for c in results.values())
        lied = [k for k, s in orders_answered.items() if k in saved and s != 302]
        phantom = [k for k, s in orders_answered.items() if k not in saved and s == 302]
        expected = {f"<order-{ref}-confirmation@clienteling>" for ref in saved.values()}
        lost = expected - set(accepted)
        doubled = [m for m, n in accepted.items() if n > 1]
        print(f"responses 500: {total_500}")
        print(
            "first answer that is not an error after PostgreSQL is back (pg_ctl returned): "
            f"{first_ok_after.get('after postgres', float('nan')):.1f} s"
        )
        print(
            f"orders placed: {len(saved)} saved of {len(orders_answered)} attempts; "
            f"saved but answered as failures: {len(lied)}; answered saved but not saved: "
            f"{len(phantom)}"
        )
        print(
            f"emails: {len(expected)} owed, {len(expected & set(accepted))} sent, "
            f"{len(lost)} lost, {len(doubled)} doubled (same Message-ID)"
        )
        # A tablet is stale until every client who came in while Redis was down shows on it.
        missed = came_in["redis down"]
        caught_up = []
        for i in through:
            seen = tablets.seen[i]
            times = [seen.get(number) for number in missed]
            caught_up.append(None if None in times else max([redis_back, *times]) - redis_back)
        stale = [t for t in caught_up if t is None or t > 5]
        known = sorted(t for t in caught_up if t is not None)
        print(
            f"tablets: {len(through)} of {args.tablets} open as Redis died; "
            f"{len(missed)} clients came in while it was down; "
            f"stale 5 s after Redis was back: {len(stale)}; "
            f"caught up in {known[len(known) // 2] if known else float('nan'):.1f} s p50, "
            f"{known[-1] if known else float('nan'):.1f} s max; "
            f"reconnections: {sum(tablets.connects) - args.tablets}"
        )
        rounded = [None if t is None else round(t, 1) for t in caught_up]
        print(f"  catch-up per tablet (s): {rounded}")
        print(f"  tablet closes and refusals: {dict(tablets.closes)}")
        after = came_in["after redis"]
        shown = sum(all(number in tablets.seen[i] for number in after) for i in through)
        print(
            f"clients who came in after Redis was back ({len(after)}): on all of "
            f"{shown} of {len(through)} tablets"
        )
        print(f"logs: {logs}")
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if inst.redis and inst.redis.poll() is None:
            inst.redis.terminate()
        inst.stop_pg("fast")
        sink.shutdown()


if __name__ == "__main__":
    main()
