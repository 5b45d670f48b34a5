"""How long from a presence webhook to the card on every tablet of the store.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/push_latency.py \
        [--clients 50] [--rate 20] [--seconds 10] [--processes 2]

Starts ``--processes`` Daphne processes on the (migrated) database and Redis, connects
``--clients`` signed-in websocket tablets to one store's Floor page (spread over the
processes), then sends signed ``enter`` events of consenting clients at ``--rate`` per
second, each to the next process. For every event and every tablet it measures the time
from the moment the request is sent (the fragment may arrive before the 202 does) to the
moment that client's card reaches the tablet. In the same run, it measures the floor:
raw Redis publish-to-subscriber time for as many subscribers, at the same rate, with
messages of the same size. Prints p50/p95/p99.

It creates its own store, staff user, clients and webhook source (named ``bench-…``),
and deletes them at the end: it never touches other data.
"""

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
import uuid

import redis.asyncio as aioredis  # noqa: E402
import stack  # noqa: E402, I001 (sets Django up, as the servers it starts)
import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from entry import entry_event  # noqa: E402

from catalog.models import Store  # noqa: E402
from customers.models import Customer  # noqa: E402
from integrations.models import WebhookSource  # noqa: E402
from staff.models import StaffProfile  # noqa: E402

MARKER = re.compile(r'data-customer="(BENCH-[^"]+)"')


def percentiles(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return (
        f"p50 {qs[49]:6.1f} ms   p95 {qs[94]:6.1f} ms   p99 {qs[98]:6.1f} ms   "
        f"max {max(samples):6.1f} ms   (n={len(samples)})"
    )


class Fixture:
    """The bench's own data, removed afterwards."""

    def __init__(self, events: int, clients: int):
        run = uuid.uuid4().hex[:8]
        self.store = Store.objects.create(
            code=f"bench-{run}",
            name=f"Bench {run}",
            address="1 rue du Test",
            postcode="75001",
            city="Paris",
            latitude=48.86,
            longitude=2.34,
        )
        self.user = User.objects.create_user(
            f"bench-{run}", f"bench-{run}@bench.invalid", uuid.uuid4().hex
        )
        profile = StaffProfile.objects.create(user=self.user, role=StaffProfile.Role.ASSOCIATE)
        profile.stores.add(self.store)
        self.source = WebhookSource.objects.create(
            key=f"bench-{run}",
            name=f"Bench {run}",
            kind=WebhookSource.Kind.BEACON,
            rate_limit_per_minute=100_000,
        )
        self.customers = stack.consenting_clients(run, events)
        self.cookies = []
        for _ in range(clients):
            client = Client()
            client.force_login(self.user)
            self.cookies.append(client.cookies["sessionid"].value)

    def payload(self, customer: Customer) -> tuple[bytes, dict]:
        return entry_event(self.source, self.store.code, customer.loyalty_number)

    def delete(self) -> None:
        from django.contrib.sessions.models import Session

        Customer.objects.filter(pk__in=[c.pk for c in self.customers]).delete()
        self.store.delete()
        self.source.delete()
        Session.objects.filter(session_key__in=self.cookies).delete()
        self.user.delete()


async def post(port: int, body: bytes, headers: dict) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /api/presence/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    await reader.read()
    writer.close()
    return status


async def run_push(fixture: Fixture, ports: list[int], clients: int, rate: float, seconds: float):
    sent_at: dict[str, float] = {}
    arrivals: list[float] = []
    acks: list[float] = []
    statuses: list[int] = []
    sizes: list[int] = []
    ready = asyncio.Event()
    expected = len(fixture.customers) * clients

    async def tablet(i: int):
        port = ports[i % len(ports)]
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/stores/{fixture.store.code}/floor/?lang=fr",
            additional_headers={
                "Cookie": f"sessionid={fixture.cookies[i]}",
                "Origin": f"http://127.0.0.1:{port}",
            },
            max_size=None,
        ) as ws:
            await ws.recv()  # the current list, on connect
            connected.append(i)
            if len(connected) == clients:
                ready.set()
            async for message in ws:
                now = time.perf_counter()
                for number in MARKER.findall(message):
                    if number in sent_at:
                        arrivals.append((now - sent_at[number]) * 1000)
                        sizes.append(len(message))
                if len(arrivals) >= expected:
                    return

    connected: list[int] = []
    tasks = [asyncio.create_task(tablet(i)) for i in range(clients)]
    await asyncio.wait_for(ready.wait(), 60)

    async def send(i: int, customer: Customer):
        body, headers = fixture.payload(customer)
        start = time.perf_counter()
        sent_at[customer.loyalty_number] = start
        statuses.append(await post(ports[i % len(ports)], body, headers))
        acks.append((time.perf_counter() - start) * 1000)

    senders = []
    t0 = time.perf_counter()
    for i, customer in enumerate(fixture.customers):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        senders.append(asyncio.create_task(send(i, customer)))
    await asyncio.gather(*senders)
    elapsed = time.perf_counter() - t0
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
    except TimeoutError:
        for task in tasks:
            task.cancel()
    return arrivals, acks, statuses, expected, elapsed, statistics.mean(sizes) if sizes else 0


async def run_redis_floor(clients: int, events: int, rate: float, size: int) -> list[float]:
    url = settings.REDIS_URL
    channel = f"bench-floor-{uuid.uuid4().hex[:8]}"
    latencies: list[float] = []
    subscribers = []
    for _ in range(clients):
        conn = aioredis.Redis.from_url(url)
        pubsub = conn.pubsub()
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=1)  # the subscribe confirmation
        subscribers.append((conn, pubsub))

    async def listen(pubsub):
        got = 0
        while got < events:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
            if message is None:
                return
            sent = float(message["data"][:20])
            latencies.append((time.perf_counter() - sent) * 1000)
            got += 1

    listeners = [asyncio.create_task(listen(p)) for _, p in subscribers]
    publisher = aioredis.Redis.from_url(url)
    padding = b"x" * max(0, int(size) - 20)
    t0 = time.perf_counter()
    for i in range(events):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await publisher.publish(channel, f"{time.perf_counter():020.6f}".encode() + padding)
    await asyncio.wait_for(asyncio.gather(*listeners), 20)
    for conn, pubsub in subscribers:
        await pubsub.aclose()
        await conn.aclose()
    await publisher.aclose()
    return latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="websocket tablets (50)")
    parser.add_argument("--rate", type=float, default=20, help="entries per second (20)")
    parser.add_argument("--seconds", type=float, default=10, help="how long to send (10)")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes (2)")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("Set DATABASE_URL (PostgreSQL, migrated) and REDIS_URL: the bench uses both.")

    events = int(args.rate * args.seconds)
    print(
        f"Daphne processes: {args.processes}   tablets: {args.clients}   "
        f"rate: {args.rate:g}/s   events: {events}   cores: {os.cpu_count()}   "
        f"load average: {os.getloadavg()[0]:.1f}"
    )
    fixture = Fixture(events, args.clients)
    connection.close()
    servers = stack.start_app(args.processes)
    try:
        arrivals, acks, statuses, expected, elapsed, size = asyncio.run(
            run_push(fixture, servers.ports, args.clients, args.rate, args.seconds)
        )
        floor = asyncio.run(run_redis_floor(args.clients, events, args.rate, size))
    finally:
        servers.stop()
        fixture.delete()

    accepted = sum(1 for s in statuses if s == 202)
    print(
        f"sent {len(statuses)} entries in {elapsed:.1f} s ({len(statuses) / elapsed:.1f}/s), "
        f"{accepted} answered 202; fragment ~{size:.0f} bytes"
    )
    print(f"cards received: {len(arrivals)} of {expected} ({expected - len(arrivals)} missing)")
    print(f"request sent -> card on tablet : {percentiles(arrivals)}")
    print(f"request sent -> 202 received   : {percentiles(acks)}")
    print(f"Daphne logs: {stack.LOG_DIR}   load average now: {os.getloadavg()[0]:.1f}")
    print(f"floor: Redis publish -> subscriber ({args.clients} subscribers): {percentiles(floor)}")


if __name__ == "__main__":
    main()
