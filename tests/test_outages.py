"""Outages degrade, never lie: with PostgreSQL or Redis unreachable, what was saved is
answered as saved, and what cannot be done says so (503 with Retry-After), never a 500.

PostgreSQL "down" is the real database refusing every statement (Django's
``execute_wrapper``); Redis "down" is the real client pointed at a closed port."""

import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from psycopg_pool import ConnectionPool

from clienteling.celery import app as celery_app
from integrations.models import OutboundMessage, WebhookSource
from integrations.webhooks import signed_headers
from orders.models import Order
from tests.factories import PASSWORD, CustomerFactory, StockLevelFactory, VariantFactory

CLOSED_PORT = "redis://127.0.0.1:1/0"


@contextmanager
def database_down(tables: tuple[str, ...] = ()):
    """Every statement (or those on ``tables``) fails as with PostgreSQL unreachable."""

    def refuse(execute, sql, params, many, context):
        if not tables or any(f'"{table}"' in sql for table in tables):
            raise OperationalError("connection failed: Connection refused")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


@contextmanager
def broker_down():
    """The Celery broker (Redis) on a closed port, for this process's producer."""
    url = celery_app.conf.broker_url
    celery_app.conf.broker_url = CLOSED_PORT
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        celery_app.conf.broker_url = url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_pages_answer_a_clear_503_with_retry_after(associate, store):
    client = Client(raise_request_exception=False)
    client.force_login(associate)
    with database_down():
        response = client.get("/orders/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "momentanément indisponible" in response.text
    assert "Nothing you already saved is lost" in response.text


def test_webhooks_answer_a_fast_json_503_with_retry_after(db):
    source = WebhookSource.objects.create(key="door-opera", name="Door", kind="beacon")
    client = Client(raise_request_exception=False)
    body = b"{}"
    client.post("/api/presence/", body, content_type="application/json")  # warm up
    started = time.monotonic()
    with database_down():
        response = client.post(
            "/api/presence/",
            body,
            content_type="application/json",
            headers=signed_headers(source, body),
        )
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json()["error"] == "unavailable"


def test_a_server_error_at_sign_in_is_not_a_failed_attempt(client, associate, settings):
    client = Client(raise_request_exception=False)
    form = {"login": associate.email, "password": PASSWORD}
    for _ in range(6):  # more than the 5 failures the limit allows
        with database_down(tables=("auth_user", "account_emailaddress")):
            response = client.post("/accounts/login/", form)
        assert response.status_code == 503
    response = client.post("/accounts/login/", form)
    assert response.status_code == 302  # signed in: not locked out


def test_sign_in_works_while_redis_is_down(client, associate, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "integrations.cache.DegradingRedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    started = time.monotonic()
    response = client.post("/accounts/login/", {"login": associate.email, "password": PASSWORD})
    assert response.status_code == 302
    assert time.monotonic() - started < 10  # each cache call fails within a second


def test_an_order_saved_while_the_broker_is_down_is_answered_saved_and_sent_later(
    associate_client, store, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="camille@example.fr")
    variant = VariantFactory()
    StockLevelFactory(store=store, variant=variant, on_hand=1)
    form = {
        "key": "k-outage",
        "customer": customer.pk,
        "variant": [variant.pk],
        "quantity": ["1"],
        "source": [store.pk],
        "mode": "pickup",
        "pickup_store": store.pk,
        "action": "place",
    }
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = associate_client.post("/orders/new/", form)

    order = Order.objects.get()
    assert response.status_code == 302  # what was saved, not a 500
    message = OutboundMessage.objects.get()
    assert message.status == OutboundMessage.Status.QUEUED  # the sweep sends it
    assert message.key == f"order-{order.reference}-confirmation"


@pytest.mark.django_db(transaction=True)
def test_pooled_connections_are_checked_so_a_database_restart_costs_no_request(settings):
    from django.db import connections

    db = settings.DATABASES["default"]
    assert db["CONN_HEALTH_CHECKS"]  # Django then gives the pool its check
    assert connections["default"].pool._check == ConnectionPool.check_connection
    conninfo = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    with ConnectionPool(
        conninfo, min_size=2, max_size=2, check=connections["default"].pool._check
    ) as pool:
        pool.wait()
        with pool.connection() as one, pool.connection() as two:
            held = [one.info.backend_pid, two.info.backend_pid]
        # The database restarts: every connection the pool holds dies (only those: the
        # test process's own pool keeps its connections for the tests that follow).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", [held])
        answers, pids = [], []
        for _ in range(4):
            with pool.connection() as conn:
                answers.append(conn.execute("SELECT 1").fetchone()[0])
                pids.append(conn.info.backend_pid)
    assert answers == [1, 1, 1, 1]
    assert not set(held) & set(pids)


def test_a_counter_lost_with_a_redis_restart_starts_again(settings):
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"] == "integrations.cache.DegradingRedisCache"
    cache.delete("webhook-rl:test")  # added before Redis restarted without it
    assert cache.incr("webhook-rl:test") == 1
    assert cache.incr("webhook-rl:test") == 2
