"""The outbox against a real Celery worker process and a real SMTP conversation: the worker
is SIGKILLed at random points while orders are placed, and every order is still emailed
exactly once (by Message-ID); a slow mail server never holds an order action.

``OUTBOX_KILLS=20 OUTBOX_ORDERS=20`` runs the issue's full figure; the default is 5 and 5.
"""

import contextlib
import email
import os
import random
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote
from uuid import uuid4

import pytest

from clienteling.celery import app as celery_app
from integrations.models import OutboundMessage
from integrations.request_id import request_id
from orders.services import DeliveryAddress, LineRequest, order_confirm, order_place
from tests.factories import CustomerFactory, StockLevelFactory, VariantFactory

ROOT = Path(__file__).resolve().parents[1]
LEASE_SECONDS = 3
ADDRESS = DeliveryAddress(
    recipient="Camille Martin", street="12 rue des Lilas", postcode="75020", city="Paris"
)

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis as the Celery broker"
)


class SmtpSink(socketserver.ThreadingTCPServer):
    """A mail server on a free local port that records the Message-ID of each message it
    accepts, after ``delay`` seconds (a slow server)."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.accepted: list[str] = []
        self.delay = 0.0
        self.receiving = threading.Event()

    @property
    def port(self) -> int:
        return self.server_address[1]


class _SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        with contextlib.suppress(ConnectionResetError):  # the worker killed mid-conversation
            self.converse()

    def converse(self):
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith("EHLO"):
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif command.startswith("DATA"):
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.receiving.set()
                time.sleep(self.server.delay)
                message = email.message_from_bytes(b"".join(lines))
                self.server.accepted.append(message["Message-ID"])
                self.reply("250 OK: queued")
            elif command.startswith("QUIT"):
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    yield sink
    sink.shutdown()
    sink.server_close()


def _database_url(db: dict) -> str:
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """``celery worker --pool=solo`` on the test database, the SMTP sink and a short lease."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.proc, self.starts = env, log, None, 0

    def start(self, wait: bool = True) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "clienteling", "worker", "--pool=solo"]
                + ["--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "INFO"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.read_text(errors="replace").count(" ready.") >= self.starts:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace")[-3000:])
            time.sleep(0.1)
        raise RuntimeError("The worker did not start:\n" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker(transactional_db, smtp_sink, settings, tmp_path):
    from django.conf import settings as django_settings

    settings.OUTBOX_LEASE = timedelta(seconds=LEASE_SECONDS)  # the sweep in this process
    celery_app.control.purge()  # tasks other tests left in the broker
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=_database_url(django_settings.DATABASES["default"]),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_sink.port),
        EMAIL_USE_TLS="0",
        EMAIL_TIMEOUT="10",
        OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
        DB_POOL_MIN="1",
        DB_POOL_MAX="2",
    )
    env.setdefault("DEBUG", "1")
    process = Worker(env, tmp_path / "worker.log")
    yield process
    process.stop()


@pytest.fixture
def shop(transactional_db, store, associate):
    customer = CustomerFactory(first_name="Camille", email="camille@example.fr")
    variant = VariantFactory(sku="TV-OLED-55")
    StockLevelFactory(store=store, variant=variant, on_hand=100)

    def place():
        return order_place(
            key=uuid4().hex,
            customer=customer,
            store=store,
            by=associate,
            lines=[LineRequest(variant, 1, store)],
            mode="delivery",
            address=ADDRESS,
        )

    return place


def _wait_all_sent(count: int, timeout: float) -> None:
    """Sweep now and then (beat's job in production) until every row is sent."""
    from integrations.outbox import outbox_sweep

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = OutboundMessage.objects.filter(status=OutboundMessage.Status.SENT).count()
        if sent == count:
            return
        outbox_sweep()
        time.sleep(1)
    raise AssertionError(list(OutboundMessage.objects.values_list("key", "status", "attempts")))


def test_every_order_emailed_exactly_once_while_the_worker_is_killed(worker, smtp_sink, shop):
    kills = int(os.environ.get("OUTBOX_KILLS", 5))
    orders = int(os.environ.get("OUTBOX_ORDERS", 5))
    rng = random.Random(os.environ.get("OUTBOX_SEED"))
    per_kill = -(-orders // kills)  # orders placed while each worker lives
    placed = []

    started = time.monotonic()
    for _ in range(kills):
        worker.start()
        for _ in range(per_kill):
            if len(placed) < orders:
                placed.append(shop())
        smtp_sink.delay = rng.uniform(0, 0.3)  # widen the window between accept and mark
        time.sleep(rng.uniform(0, 1.5))  # a random point: idle, claiming, sending, marking
        worker.kill()
    worker.start()
    _wait_all_sent(len(placed), timeout=60 + 10 * LEASE_SECONDS)
    elapsed = time.monotonic() - started

    expected = {f"<order-{order.reference}-confirmation@clienteling>" for order in placed}
    accepted = Counter(smtp_sink.accepted)
    assert set(accepted) == expected  # every order emailed, nothing else
    retries = sum(n - 1 for n in accepted.values())  # killed between accept and mark
    # The same Message-ID again is a recognisable retry, and only a kill can cause one.
    assert retries <= kills
    attempts = sum(OutboundMessage.objects.values_list("attempts", flat=True))
    print(
        f"\n{kills} kills, {len(placed)} orders: {len(accepted)} emailed, "
        f"{len(placed) - retries} exactly once, {retries} recognisable retries "
        f"(same Message-ID), {attempts} claims, {elapsed:.1f} s"
    )


def test_an_order_action_never_waits_on_a_slow_mail_server(worker, smtp_sink, shop, associate):
    smtp_sink.delay = 5.0
    worker.start()

    started = time.monotonic()
    token = request_id.set("req-slow-mail")  # as a request placing the order would
    try:
        order = shop()
    finally:
        request_id.reset(token)
    placing = time.monotonic() - started
    assert smtp_sink.receiving.wait(30)  # the worker is talking to the mail server

    started = time.monotonic()
    order_confirm(order_id=order.pk, by=associate)  # a colleague confirms meanwhile
    confirming = time.monotonic() - started
    assert placing < 2.0
    assert confirming < 1.0
    assert smtp_sink.accepted == []  # the mail server had not answered yet
    _wait_all_sent(1, timeout=30)
    # The worker logged the send under the request id of the request that placed it.
    sent = [line for line in worker.log.read_text().splitlines() if "Sent order-" in line]
    assert sent and "req-slow-mail" in sent[0]
    print(f"\nwith a 5 s mail server: placed in {placing:.2f} s, confirmed in {confirming:.2f} s")
