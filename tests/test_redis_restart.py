"""Redis restarts under the live pages: no tablet or board stays "Live" with a stale list.

A Redis server of the test's own (``redis-server`` on a free port, no persistence) carries
the channel layer; the test kills it and starts it again, through the real ASGI app."""

import asyncio

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from clienteling.asgi import application
from integrations.models import WebhookSource
from integrations.push import board_refresh_on_commit
from staff.models import StaffProfile
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    VisitFactory,
    WebhookSourceFactory,
    make_staff,
)
from tests.floor_helpers import post_signed, presence_payload
from tests.redis_server import RedisServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_hosts"),
]


@pytest.fixture
def restartable_redis(settings):
    server = RedisServer()
    server.start()
    layers = {**settings.CHANNEL_LAYERS}
    config = {**layers["default"]["CONFIG"]}
    config["hosts"] = [{**config["hosts"][0], "address": server.url}]
    settings.CHANNEL_LAYERS = {"default": {**layers["default"], "CONFIG": config}}
    yield server
    server.stop()


async def tablet(user, store, page="floor", lang="fr"):
    client = Client()
    await sync_to_async(client.force_login)(user)
    return WebsocketCommunicator(
        application,
        f"/ws/stores/{store.code}/{page}/?lang={lang}",
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
    )


@sync_to_async
def enters(store, first_name):
    customer = CustomerFactory(first_name=first_name, last_name="Martin")
    ConsentFactory(customer=customer)
    source = WebhookSourceFactory(key="beacons", kind=WebhookSource.Kind.BEACON)
    payload = presence_payload(store, customer.loyalty_number)
    return post_signed(Client(), "/api/presence/", source, payload)


async def test_a_tablet_open_through_a_redis_restart_gets_the_list_again_then_pushes(
    restartable_redis, associate, store
):
    paris = await tablet(associate, store)
    assert (await paris.connect())[0]
    assert "Camille" not in await paris.receive_from(timeout=3)
    others = [await tablet(associate, store, lang=lang) for lang in ("fr", "en", "en")]
    for other in others:
        assert (await other.connect())[0]
        await other.receive_from(timeout=3)

    restartable_redis.kill()
    response = await enters(store, "Camille")  # saved; its push is lost with Redis
    assert response.status_code == 202
    assert await paris.receive_nothing(timeout=0.5)

    restartable_redis.start()
    html = await paris.receive_from(timeout=10)
    assert 'id="floor-clients"' in html  # the whole list, replacing the tablet's
    assert "Camille Martin" in html and "Clients en magasin" in html
    french, english = "Clients en magasin", "Clients in the store"
    for other, language in zip(others, (french, english, english), strict=True):
        html = await other.receive_from(timeout=5)  # each in its own language
        assert "Camille Martin" in html and language in html
        await other.disconnect()

    response = await enters(store, "Louis")  # after the restart, pushes arrive again
    assert response.status_code == 202
    html = await paris.receive_from(timeout=5)
    assert "Louis Martin" in html
    assert 'hx-swap-oob="afterbegin:#floor-clients"' in html
    assert await paris.receive_nothing(timeout=0.3)
    await paris.disconnect()


async def test_sockets_opened_or_closed_while_redis_is_down_leave_no_subscription_behind(
    restartable_redis, associate, store
):
    leaving = await tablet(associate, store)
    assert (await leaving.connect())[0]
    await leaving.receive_from(timeout=3)
    restartable_redis.kill()
    await asyncio.sleep(0.3)  # the layer notices the connection is gone

    await leaving.disconnect()  # leaves cleanly although Redis cannot hear it
    arriving = await tablet(associate, store)
    with pytest.raises(redis.ConnectionError):  # refused: the page tries again
        await arriving.connect()

    restartable_redis.start()
    await asyncio.sleep(1.5)  # what the layer still held would be subscribed again by now
    again = await tablet(associate, store)
    assert (await again.connect())[0]
    assert 'id="floor-clients"' in await again.receive_from(timeout=3)
    # Redis carries this tablet's channel and groups, nothing of the two others.
    layer = get_channel_layer()._get_layer()
    assert len(layer.channels) == 1
    channels = restartable_redis.channels()
    assert len(channels) == 4  # its own, the floor's, the user's, the session's
    assert next(iter(layer.channels)) in channels
    await again.disconnect()


async def test_a_board_open_through_a_redis_restart_is_drawn_again(restartable_redis, store):
    manager = await sync_to_async(make_staff)(StaffProfile.Role.MANAGER, store)
    board = await tablet(manager, store, page="dashboard")
    assert (await board.connect())[0]
    assert "Paul Simon" not in await board.receive_from(timeout=5)

    restartable_redis.kill()

    @sync_to_async
    def paul_arrives():  # saved; the hint to the boards is lost with Redis
        now = timezone.now()
        customer = CustomerFactory(first_name="Paul", last_name="Simon")
        VisitFactory(store=store, customer=customer, arrived_at=now, last_seen_at=now)
        board_refresh_on_commit(store_id=store.pk)

    await paul_arrives()
    assert await board.receive_nothing(timeout=0.5)

    restartable_redis.start()
    html = await board.receive_from(timeout=10)
    assert '<section id="board-live"' in html and "Paul Simon" in html
    await board.disconnect()
