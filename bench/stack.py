"""What every server benchmark shares: Django set up for the bench, Daphne processes of the
app and of the stack's floor, a small HTTP/1.1 keep-alive client, and the figures' format
(percentiles, ratio to the floor, load average, number of processes).

The floor is a minimal Django + Channels app doing the least the same work can cost (see
its README). Its location: ``--floor DIR``, else ``FLOOR_DIR``, else ``../shared/floor``
next to this checkout. Its database (``FLOOR_DB``, default ``floor``) is created, migrated
and filled with its 1,000 rows on first use.

Import this module first: it sets Django up (production mode, plain HTTP on the loopback,
a key shared by the bench and the servers it starts, so the sessions it creates sign in).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())

import django  # noqa: E402

django.setup()

LOG_DIR = Path(tempfile.mkdtemp(prefix="bench-"))
FLOOR_DEFAULT = ROOT.parent / "shared" / "floor"


def consenting_clients(run: str, count: int) -> list:
    """``count`` gold clients of this run who agreed to in-store recognition: their entry
    events show a card on the tablets."""
    from django.utils import timezone

    from customers.models import Consent, Customer

    clients = Customer.objects.bulk_create(
        Customer(
            loyalty_number=f"BENCH-{run}-{i}",
            first_name="Bench",
            last_name=f"Client {i}",
            tier=Customer.Tier.GOLD,
        )
        for i in range(count)
    )
    Consent.objects.bulk_create(
        Consent(
            customer=c,
            purpose=Consent.Purpose.IN_STORE_RECOGNITION,
            granted=True,
            source=Consent.Source.APP,
            recorded_at=timezone.now(),
        )
        for c in clients
    )
    return clients


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


class Servers:
    """``count`` Daphne processes of one ASGI application, each on its own port."""

    def __init__(self, name: str, app: str, count: int, *, cwd: Path, env: dict | None = None):
        self.name = name
        base = {**os.environ, "LOG_LEVEL": "WARNING", **(env or {})}
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []
        for _ in range(count):
            port = free_port()
            log = open(LOG_DIR / f"{name}-{port}.log", "wb")  # noqa: SIM115 (lives with it)
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app],
                    cwd=cwd,
                    env=base,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            self.ports.append(port)
        deadline = time.monotonic() + 60
        for proc, port in zip(self.procs, self.ports, strict=True):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(f"{name}: Daphne did not start ({LOG_DIR})") from None
                    time.sleep(0.1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def __len__(self):
        return len(self.procs)

    def port(self, i: int) -> int:
        return self.ports[i % len(self.ports)]

    def rss_kib(self) -> int:
        """Resident memory of all the processes, in KiB."""
        total = 0
        for proc in self.procs:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the processes have used so far."""
        total = 0
        for proc in self.procs:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def tracebacks(self) -> int:
        return sum(
            (LOG_DIR / f"{self.name}-{port}.log").read_text(errors="replace").count("Traceback")
            for port in self.ports
        )

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_app(count: int, env: dict | None = None) -> Servers:
    """The app as README's Production section runs it (DEBUG off, Redis, PostgreSQL,
    static files collected)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return Servers("app", "clienteling.asgi:application", count, cwd=ROOT, env=env)


# --- The floor ------------------------------------------------------------------------------


def floor_dir(option: str | None = None) -> Path:
    path = Path(option or os.environ.get("FLOOR_DIR") or FLOOR_DEFAULT).resolve()
    if not (path / "toy" / "asgi.py").exists():
        sys.exit(
            f"No floor app at {path}: pass --floor DIR or set FLOOR_DIR "
            "(default: ../shared/floor next to this checkout)."
        )
    return path


def floor_env(*, record: bool = False) -> dict:
    """The floor on the app's Redis (its own key prefix) and the same channel layer as
    the app (pub/sub); ``record``: its webhook inserts and commits a row first."""
    from django.conf import settings

    env = {
        "FLOOR_DB": os.environ.get("FLOOR_DB", "floor"),
        "FLOOR_REDIS": settings.REDIS_URL,
        "FLOOR_PREFIX": f"floor-bench-{os.getpid()}",
        "LAYER": "pubsub",
        "DJANGO_SETTINGS_MODULE": "toy.settings",
    }
    if record:
        env["RECORD"] = "1"
    return env


def floor_prepare(path: Path) -> None:
    """Create, migrate and fill the floor's database if it is not there yet."""
    import psycopg

    name = os.environ.get("FLOOR_DB", "floor")
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres") as conn:
        conn.autocommit = True
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "FLOOR_DB": name, "DJANGO_SETTINGS_MODULE": "toy.settings"}
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], cwd=path, env=env, check=True)
    fill = (
        "from toy.models import Line\n"
        "if not Line.objects.exists():\n"
        "    Line.objects.bulk_create([Line(label=f'line {i}', amount=i) for i in range(1000)])"
    )
    subprocess.run([*run, "shell", "-c", fill], cwd=path, env=env, check=True)


def start_floor(path: Path, count: int, *, record: bool = False) -> Servers:
    return Servers("floor", "toy.asgi:application", count, cwd=path, env=floor_env(record=record))


# --- HTTP -----------------------------------------------------------------------------------


class Http:
    """One keep-alive HTTP/1.1 connection (as a browser keeps one to the server)."""

    def __init__(self, port: int, cookie: str = ""):
        self.port, self.cookie = port, cookie
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        if self.cookie:
            head += f"Cookie: {self.cookie}\r\n"
        if body:
            head += f"Content-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()) + "\r\n"
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length, chunked, close = None, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _sep, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            content = b""
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                content += await self.reader.readexactly(size)
                await self.reader.readline()
            await self.reader.readline()
        elif length is not None:
            content = await self.reader.readexactly(length)
        else:
            content, close = await self.reader.read(), True
        if close:
            await self.close()
        return status, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


# --- Figures ----------------------------------------------------------------------------------


def quantiles(samples: list[float]) -> dict[str, float]:
    if len(samples) < 2:
        value = samples[0] if samples else float("nan")
        return {"p50": value, "p95": value, "p99": value, "max": value}
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": qs[49], "p95": qs[94], "p99": qs[98], "max": max(samples)}


def ms(samples: list[float]) -> str:
    q = quantiles(samples)
    return (
        f"p50 {q['p50']:6.1f} ms  p95 {q['p95']:6.1f} ms  p99 {q['p99']:6.1f} ms  "
        f"(n={len(samples)})"
    )


def ratio(app: float, floor: float) -> str:
    return f"{app / floor:.2f}×" if floor else "—"


def interleave(rounds: int, floor_run, app_run) -> tuple[list, list]:
    """floor, app, floor, app…: each side's results, run after run, so that the machine's
    other work weighs on both alike."""
    floors, apps = [], []
    for _ in range(rounds):
        floors.append(floor_run())
        apps.append(app_run())
    return floors, apps
