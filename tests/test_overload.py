"""A rush is answered 503 with Retry-After, never 500: past the number of requests a
process admits at once, and when a request waited in vain for a database connection."""

import asyncio
import contextlib
import json

import pytest
from asgiref.sync import SyncToAsync
from django.db import connection, connections
from django.test import Client, override_settings

from clienteling.asgi import application
from clienteling.overload import AdmissionLimit
from integrations.webhooks import signed_headers
from tests.factories import WebhookSourceFactory


async def call(app, path, *, method="GET", headers=()):
    """One HTTP request through an ASGI app as a server makes it (the body, then nothing
    until the client leaves, once answered): (status, headers with lower-case names, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    messages = [{"type": "http.request", "body": b"", "more_body": False}]
    answered = asyncio.Event()
    sent = []

    async def receive():
        if messages:
            return messages.pop()
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body


def slow_app(release: asyncio.Event):
    async def app(scope, receive, send):
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


@override_settings(MAX_CONCURRENT_REQUESTS=2, OVERLOAD_RETRY_AFTER=3)
async def test_requests_past_the_limit_get_503_with_retry_after_at_once():
    release = asyncio.Event()
    app = AdmissionLimit(slow_app(release))
    admitted = [asyncio.create_task(call(app, "/floor/")) for _ in range(2)]
    await asyncio.sleep(0.05)

    # While two are in flight, the next ones are refused without waiting.
    page, api = await asyncio.wait_for(
        asyncio.gather(call(app, "/orders/new/"), call(app, "/api/presence/")), timeout=1
    )

    status, headers, body = page
    assert (status, headers[b"retry-after"]) == (503, b"3")
    assert headers[b"content-type"].startswith(b"text/html")
    assert "Occupé, nouvel essai…" in body.decode()
    status, headers, body = api
    assert (status, headers[b"retry-after"]) == (503, b"3")
    assert json.loads(body)["error"] == "overloaded"

    # A form post is not reloaded as a GET (that would empty the form): it says so.
    status, _headers, body = await call(app, "/orders/new/", method="POST")
    assert status == 503
    assert "http-equiv" not in body.decode() and "Rien n’a été enregistré" in body.decode()

    release.set()
    assert [r[0] for r in await asyncio.gather(*admitted)] == [200, 200]
    assert app.in_flight == 0
    # Room again once they are done.
    assert (await call(app, "/floor/"))[0] == 200


@override_settings(MAX_CONCURRENT_REQUESTS=3)
async def test_many_at_once_admit_exactly_the_limit():
    release = asyncio.Event()
    app = AdmissionLimit(slow_app(release))
    tasks = [asyncio.create_task(call(app, "/floor/")) for _ in range(50)]
    await asyncio.sleep(0.05)
    release.set()
    statuses = [r[0] for r in await asyncio.gather(*tasks)]
    assert (statuses.count(200), statuses.count(503)) == (3, 47)


@override_settings(MAX_CONCURRENT_REQUESTS=0)
async def test_the_served_application_is_bounded():
    """The project's ASGI application itself answers 503 past its bound (0 here)."""
    status, headers, _body = await call(application, "/accounts/login/")
    assert status == 503 and headers[b"retry-after"]


@contextlib.contextmanager
def every_connection_taken():
    """Every pooled connection of this process taken, and a short wait for one. First the
    connections this process holds go back to the pool: this thread's, and the one the sync
    executor of earlier websocket tests may keep (a burst of Channels connects leaves one
    there, in the thread's own storage)."""
    connection.close()
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    pool = connection.pool
    held = [pool.getconn() for _ in range(pool.max_size)]
    saved_timeout, pool.timeout = pool.timeout, 0.3
    try:
        yield
    finally:
        pool.timeout = saved_timeout
        for conn in held:
            pool.putconn(conn)


@pytest.fixture
def exhausted_pool(transactional_db):
    with every_connection_taken():
        yield


def test_a_request_that_cannot_get_a_database_connection_gets_503(exhausted_pool):
    client = Client(raise_request_exception=False)
    response = client.get("/accounts/login/", HTTP_COOKIE="sessionid=" + "a" * 32)
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "Occupé" in response.text


def test_a_webhook_that_cannot_get_a_database_connection_gets_a_json_503(transactional_db):
    source = WebhookSourceFactory(key="beacons")
    body = json.dumps({"event_id": "e1"}).encode()
    headers = signed_headers(source, body)
    with every_connection_taken():
        response = Client(raise_request_exception=False).post(
            "/api/presence/", body, content_type="application/json", headers=headers
        )
    # The outage middleware answers first: no connection to be had is "unavailable".
    assert response.status_code == 503
    assert response.json()["error"] in {"overloaded", "unavailable"}
    assert response["Retry-After"]
