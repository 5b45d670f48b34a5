"""Sockets admitted by their page's ticket (integrations.tickets): a burst of reconnecting
tablets is let in without reading the database, yet a ticket never admits a socket its
session would no longer be allowed: signed out, deactivated, store withdrawn, another
session's or another store's ticket, a forged one, or a cache that forgot what changed.
Real session cookies, the real ASGI app, Redis for the cache and the channel layer."""

import html
import re
import time
from urllib.parse import unquote

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import Client, override_settings

from integrations import live, tickets
from integrations.live import CLOSE_FORBIDDEN, CLOSE_SIGNED_OUT
from staff.models import StaffProfile
from tests.factories import make_staff
from tests.floor_helpers import browser_socket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_hosts"),
]
Role = StaffProfile.Role


@pytest.fixture(autouse=True)
def _one_clock(monkeypatch):
    """One server here: no margin for clocks that differ (the staff fixtures were saved
    a moment before each ticket); and a cache that has been keeping what changed for a
    minute (tickets issued before it began are not trusted)."""
    monkeypatch.setattr(tickets, "CLOCK_MARGIN", 0.0)
    cache.set(tickets.SINCE_KEY, time.time() - 60, None)


@pytest.fixture
def database_reads(monkeypatch):
    """Counts the sockets admitted the long way (reading the session, user and access from
    the database), letting them through."""
    reads = []
    admit = live._admit_in_thread

    async def counted(*args):
        reads.append(args)
        return await admit(*args)

    monkeypatch.setattr(live, "_admit_in_thread", counted)
    return reads


@sync_to_async
def page_socket_url(client: Client, page_url: str) -> str:
    """The socket URL the page tells the browser to open (its ``ws-connect``)."""
    response = client.get(page_url)
    assert response.status_code == 200
    return html.unescape(re.search(r'ws-connect="([^"]+)"', response.text).group(1))


async def connect(client: Client, url: str):
    """``(first message or None, close code or None)`` for a socket opened with the
    client's session cookie."""
    communicator = browser_socket(client, url)
    connected, code = await communicator.connect()
    if not connected:
        return None, code
    message = await communicator.receive_output(timeout=3)
    await communicator.disconnect()
    if message["type"] == "websocket.close":
        return None, message["code"]
    return message["text"], None


async def signed_in(user) -> Client:
    client = Client()
    await sync_to_async(client.force_login)(user)
    return client


def floor(store):
    return f"/stores/{store.code}/floor/"


async def test_a_tablet_with_its_pages_ticket_is_admitted_without_the_database(
    associate, store, database_reads
):
    client = await signed_in(associate)
    url = await page_socket_url(client, floor(store))
    for _ in range(3):  # reconnects
        state, code = await connect(client, url)
        assert code is None and 'id="floor-clients"' in state
    assert database_reads == []
    # Without a ticket (an older page), the same socket is admitted the long way.
    state, code = await connect(client, url.split("&ticket=")[0])
    assert code is None and 'id="floor-clients"' in state
    assert len(database_reads) == 1


async def test_a_board_with_its_pages_ticket_is_admitted_without_the_database(
    manager, store, database_reads
):
    client = await signed_in(manager)
    url = await page_socket_url(client, f"/stores/{store.code}/dashboard/")
    state, code = await connect(client, url)
    assert code is None and '<section id="board-live"' in state
    assert database_reads == []


async def test_after_sign_out_the_ticket_admits_nothing(associate, store, database_reads):
    client = await signed_in(associate)
    url = await page_socket_url(client, floor(store))
    cookie = client.cookies["sessionid"].value
    assert (await sync_to_async(client.post)("/accounts/logout/")).status_code == 302
    client.cookies["sessionid"] = cookie  # the old cookie, replayed

    assert await connect(client, url) == (None, CLOSE_SIGNED_OUT)
    assert len(database_reads) == 1


async def test_a_deactivated_associates_ticket_admits_nothing(associate, store):
    client = await signed_in(associate)
    url = await page_socket_url(client, floor(store))
    associate.is_active = False
    await sync_to_async(associate.save)()

    assert await connect(client, url) == (None, CLOSE_SIGNED_OUT)


async def test_a_ticket_for_a_withdrawn_store_admits_nothing(associate, store, other_store):
    profile = associate.staff_profile
    await sync_to_async(profile.stores.add)(other_store)
    client = await signed_in(associate)
    url = await page_socket_url(client, floor(store))
    await sync_to_async(profile.stores.remove)(store)

    assert await connect(client, url) == (None, CLOSE_FORBIDDEN)


async def test_a_deactivated_stores_ticket_admits_nothing(associate, store):
    client = await signed_in(associate)
    url = await page_socket_url(client, floor(store))
    store.is_active = False
    await sync_to_async(store.save)()

    assert await connect(client, url) == (None, CLOSE_FORBIDDEN)


async def test_a_ticket_admits_only_its_own_session_and_store(
    associate, store, other_store, database_reads
):
    client = await signed_in(associate)
    url = await page_socket_url(client, floor(store))
    # Another store's socket with this ticket: the ticket does not count.
    other = url.replace(f"/{store.code}/", f"/{other_store.code}/")
    assert await connect(client, other) == (None, CLOSE_FORBIDDEN)
    # Another session (a colleague of another store) showing this ticket: refused too.
    stranger = await signed_in(await sync_to_async(make_staff)(Role.ASSOCIATE, other_store))
    assert await connect(stranger, url) == (None, CLOSE_FORBIDDEN)
    # A ticket altered by hand is not a ticket.
    forged = url.replace("ticket=", "ticket=x")
    state, code = await connect(client, forged)
    assert code is None and 'id="floor-clients"' in state
    assert len(database_reads) == 3


async def test_when_the_cache_forgot_what_changed_tickets_are_not_trusted(
    associate, store, database_reads
):
    client = await signed_in(associate)
    url = await page_socket_url(client, floor(store))
    await sync_to_async(cache.clear)()  # Redis restarted with nothing kept

    state, code = await connect(client, url)
    assert code is None and 'id="floor-clients"' in state
    assert len(database_reads) == 1
    # The first page drawn since dates the cache's new start; pages whose request began
    # after it carry tickets the cache vouches for again.
    await page_socket_url(client, floor(store))
    url = await page_socket_url(client, floor(store))
    await connect(client, url)
    assert len(database_reads) == 1


def test_a_ticket_names_neither_the_session_key_nor_lives_past_the_session(associate, store):
    client = Client()
    client.force_login(associate)
    response = client.get(floor(store))
    session_key = client.cookies["sessionid"].value
    url = html.unescape(re.search(r'ws-connect="([^"]+)"', response.text).group(1))
    ticket = unquote(url.split("ticket=")[1])
    assert session_key not in url
    granted, user_id, expires, _issued = tickets.read(
        ticket, page="floor", store_code=store.code, session_key=session_key
    )
    assert (granted, user_id) == (store.pk, associate.pk)
    assert not tickets.read(ticket, page="board", store_code=store.code, session_key=session_key)


async def test_a_change_redis_could_not_record_voids_every_older_ticket(
    associate, store, database_reads
):
    client = await signed_in(associate)
    url = await page_socket_url(client, floor(store))
    unreachable = {
        "BACKEND": "integrations.cache.DegradingRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    with override_settings(CACHES={"default": unreachable}):
        # A colleague signs out while Redis cannot be reached: that revocation is lost.
        await sync_to_async(tickets.revoke_session)("a-colleagues-session-key")

    state, code = await connect(client, url)
    assert code is None and 'id="floor-clients"' in state
    assert len(database_reads) == 1  # the ticket was not trusted: the long way
