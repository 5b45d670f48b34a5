"""Live sockets follow the session (issue "Trust on the floor", point 1): a tablet whose
user signs out, is deactivated, loses the store, or whose session expires gets no more
pushes and is closed with a code the page understands. Real session cookies, the real
ASGI app and the Redis channel layer."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.test import Client

from clienteling.asgi import application
from integrations.live import CLOSE_FORBIDDEN, CLOSE_SIGNED_OUT
from integrations.models import WebhookSource
from staff.models import StaffProfile
from tests.factories import ConsentFactory, CustomerFactory, WebhookSourceFactory, make_staff
from tests.floor_helpers import browser_socket, post_signed, presence_payload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_hosts"),
]
Role = StaffProfile.Role


async def signed_in(user) -> Client:
    client = Client()
    await sync_to_async(client.force_login)(user)
    return client


async def open_socket(client: Client, path: str) -> WebsocketCommunicator:
    """The page's socket, with the browser's session cookie; its first message (the
    whole list or board) is read."""
    communicator = browser_socket(client, path)
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_from(timeout=3)
    return communicator


async def outputs(communicator, within: float) -> list[dict]:
    """Everything the server sent within ``within`` seconds (stops at a close)."""
    seen = []
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while (left := end - loop.time()) > 0:
        if await communicator.receive_nothing(timeout=left, interval=0.01):
            break  # (receive_output's own timeout would kill the consumer)
        message = await communicator.receive_output()
        seen.append(message)
        if message["type"] == "websocket.close":
            break
    return seen


@sync_to_async
def entry(store, **customer):
    shopper = CustomerFactory(**customer)
    ConsentFactory(customer=shopper)
    source = WebhookSource.objects.get(key="beacons")
    response = post_signed(
        Client(), "/api/presence/", source, presence_payload(store, shopper.loyalty_number)
    )
    assert response.status_code == 202


@pytest.fixture
def beacons(db):
    return WebhookSourceFactory(key="beacons", kind=WebhookSource.Kind.BEACON)


def floor_path(store):
    return f"/ws/stores/{store.code}/floor/"


async def test_sign_out_in_another_tab_closes_the_floor_and_nothing_arrives(
    associate, store, beacons
):
    client = await signed_in(associate)
    tablet = await open_socket(client, floor_path(store))
    colleague_client = await signed_in(await sync_to_async(make_staff)(Role.ASSOCIATE, store))
    colleague = await open_socket(colleague_client, floor_path(store))

    response = await sync_to_async(client.post)("/accounts/logout/")  # the other tab
    assert response.status_code == 302
    await entry(store, first_name="Camille", last_name="Martin")

    seen = await outputs(tablet, within=1.0)
    assert seen == [{"type": "websocket.close", "code": CLOSE_SIGNED_OUT}]
    # The colleague's session is untouched: the card reaches them.
    assert "Camille Martin" in await colleague.receive_from(timeout=3)
    await colleague.disconnect()


async def test_a_deactivated_account_is_closed_at_once(associate, store, beacons):
    tablet = await open_socket(await signed_in(associate), floor_path(store))

    associate.is_active = False
    await sync_to_async(associate.save)()
    await entry(store, first_name="Camille", last_name="Martin")

    assert await outputs(tablet, within=1.0) == [
        {"type": "websocket.close", "code": CLOSE_SIGNED_OUT}
    ]


async def test_an_associate_moved_to_another_store_leaves_the_old_floor(
    associate, store, other_store, beacons
):
    tablet = await open_socket(await signed_in(associate), floor_path(store))

    @sync_to_async
    def move():
        profile = associate.staff_profile
        profile.stores.remove(store)
        profile.stores.add(other_store)

    await move()
    await entry(store, first_name="Camille", last_name="Martin")

    assert await outputs(tablet, within=1.0) == [
        {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    ]


async def test_a_store_removed_from_its_side_closes_its_sockets(associate, store, beacons):
    tablet = await open_socket(await signed_in(associate), floor_path(store))

    await sync_to_async(store.staff.clear)()
    assert await outputs(tablet, within=1.0) == [
        {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    ]


async def test_a_manager_demoted_to_associate_leaves_the_board(store):
    manager = await sync_to_async(make_staff)(Role.MANAGER, store)
    board = await open_socket(await signed_in(manager), f"/ws/stores/{store.code}/dashboard/")

    @sync_to_async
    def demote():
        profile = manager.staff_profile
        profile.role = Role.ASSOCIATE
        profile.save()

    await demote()
    assert await outputs(board, within=1.0) == [
        {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    ]


async def test_a_board_closes_when_its_manager_signs_out(store):
    manager = await sync_to_async(make_staff)(Role.MANAGER, store)
    client = await signed_in(manager)
    board = await open_socket(client, f"/ws/stores/{store.code}/dashboard/")

    await sync_to_async(client.post)("/accounts/logout/")
    assert await outputs(board, within=1.0) == [
        {"type": "websocket.close", "code": CLOSE_SIGNED_OUT}
    ]


async def test_an_expiring_session_closes_its_socket_when_it_expires(associate, store, beacons):
    client = await signed_in(associate)

    @sync_to_async
    def expire_in(seconds):
        session = client.session
        session.set_expiry(seconds)
        session.save()

    await expire_in(3)
    tablet = await open_socket(client, floor_path(store))
    assert await outputs(tablet, within=0.5) == []  # still valid for a moment

    # No push needed: the socket closes on its own when the session expires.
    assert await outputs(tablet, within=4.0) == [
        {"type": "websocket.close", "code": CLOSE_SIGNED_OUT}
    ]


async def test_a_session_deleted_without_any_signal_is_noticed_at_the_next_recheck(
    associate, store, beacons, settings
):
    settings.LIVE_SESSION_RECHECK_SECONDS = 0.5
    client = await signed_in(associate)
    tablet = await open_socket(client, floor_path(store))

    # Say an admin or ``clearsessions`` removed the row: no signal is sent.
    await sync_to_async(Session.objects.filter(session_key=client.session.session_key).delete)()
    # Until the next re-check (at most the period) a push may still pass; not after it.
    await asyncio.sleep(0.6)
    await entry(store, first_name="Camille", last_name="Martin")

    assert await outputs(tablet, within=2.0) == [
        {"type": "websocket.close", "code": CLOSE_SIGNED_OUT}
    ]


async def test_pushes_keep_flowing_while_the_session_holds(associate, store, beacons, settings):
    settings.LIVE_SESSION_RECHECK_SECONDS = 0.2
    tablet = await open_socket(await signed_in(associate), floor_path(store))
    await asyncio.sleep(0.5)  # a few re-checks passed, all fine

    await entry(store, first_name="Camille", last_name="Martin")
    assert "Camille Martin" in await tablet.receive_from(timeout=3)
    await tablet.disconnect()


async def test_a_signed_out_page_is_told_to_sign_in_rather_than_retry(store):
    communicator = WebsocketCommunicator(
        application,
        floor_path(store),
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    connected, _ = await communicator.connect()
    assert connected  # accepted only to say why it closes
    assert await communicator.receive_output(timeout=1) == {
        "type": "websocket.close",
        "code": CLOSE_SIGNED_OUT,
    }
