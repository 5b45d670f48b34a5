"""What operations rely on: the load balancer's probes, and one request id followed from
a request into its logs, its pushes and its Celery tasks."""

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.test import Client

from integrations import push
from integrations.request_id import RequestIdFilter, request_id
from tests.test_outages import CLOSED_PORT, database_down


def test_liveness_answers_even_without_the_database(db):
    with database_down():
        response = Client(raise_request_exception=False).get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_when_database_redis_and_migrations_are(db):
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "database": "ok",
        "redis": "ok",
        "migrations": "ok",
    }


def test_not_ready_names_the_database(db):
    with database_down():
        response = Client(raise_request_exception=False).get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "failed: OperationalError"
    assert response.json()["ready"] is False


def test_not_ready_names_redis(db, settings):
    settings.REDIS_URL = CLOSED_PORT
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["redis"] == "failed: ConnectionError"
    assert response.json()["database"] == "ok"


def test_the_proxy_request_id_is_answered_and_in_every_log_line(db, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    client = Client()
    response = client.post(
        "/api/presence/", b"{}", content_type="application/json", headers={"X-Request-ID": "lb-42"}
    )
    assert response.status_code == 401
    assert response["X-Request-ID"] == "lb-42"
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == "lb-42"


def test_a_request_id_is_made_when_none_or_a_bad_one_is_given(db):
    client = Client()
    made = client.get("/healthz")["X-Request-ID"]
    forged = client.get("/healthz", headers={"X-Request-ID": "x\x00" + "y" * 100})
    assert len(made) == 32
    assert forged["X-Request-ID"] != made and len(forged["X-Request-ID"]) == 32


async def test_a_push_carries_the_request_id():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("store.0.floor", channel)
    token = request_id.set("req-7")
    try:
        assert await sync_to_async(push.send)("store.0.floor", {"type": "floor.html", "html": {}})
    finally:
        request_id.reset(token)
    message = await asyncio.wait_for(layer.receive(channel), 5)
    assert message["request_id"] == "req-7"
    await layer.group_discard("store.0.floor", channel)


def test_log_lines_are_json_with_the_request_id():
    from integrations.request_id import JsonFormatter

    record = logging.LogRecord("orders", logging.INFO, __file__, 1, "Placed %s", ("CL-1",), None)
    token = request_id.set("-")  # outside any request
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    assert (
        JsonFormatter()
        .format(record)
        .endswith('"logger": "orders", "request_id": "-", "message": "Placed CL-1"}')
    )
