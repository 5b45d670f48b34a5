"""The manager's board over the websocket: who may join, the full board on connect, a
re-render after each hint (sent only once the change is committed)."""

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.utils import timezone

from floor.models import Visit
from integrations.push import board_closed, board_group, board_opened, board_refresh_on_commit
from staff.models import StaffProfile
from tests.factories import CustomerFactory, VisitFactory, make_staff
from tests.test_websocket_access import _connect

Role = StaffProfile.Role
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _local_host(settings):
    settings.ALLOWED_HOSTS = ["localhost"]


def board_path(store):
    return f"/ws/stores/{store.code}/dashboard/"


@database_sync_to_async
def arrive(store, **customer):
    now = timezone.now()
    visit = VisitFactory(
        store=store, customer=CustomerFactory(**customer), arrived_at=now, last_seen_at=now
    )
    board_refresh_on_commit(store_id=store.pk)
    return visit


@database_sync_to_async
def claim(visit, user):
    Visit.objects.filter(pk=visit.pk).update(attended_by=user, attended_since=timezone.now())
    board_refresh_on_commit(store_id=visit.store_id)


async def test_manager_gets_the_board_on_connect_then_each_change(client, store, associate):
    manager = await database_sync_to_async(make_staff)(Role.MANAGER, store)
    await arrive(store, first_name="Inès", last_name="Garnier")
    await database_sync_to_async(client.force_login)(manager)

    board, connected, _ = await _connect(client, board_path(store))
    assert connected
    html = await board.receive_from(timeout=5)  # the full board, at once (resync)
    assert '<section id="board-live"' in html and 'hx-swap-oob="true"' in html
    assert "Inès Garnier" in html and "Personne n'est servi en ce moment." in html

    paul = await arrive(store, first_name="Paul", last_name="Simon")
    assert "Paul Simon" in await board.receive_from(timeout=5)

    await claim(paul, associate)
    html = await board.receive_from(timeout=5)
    assert "servi par Léa Moreau" in html
    await board.disconnect()


async def test_board_speaks_the_managers_language(client, store):
    manager = await database_sync_to_async(make_staff)(Role.MANAGER, store)
    await database_sync_to_async(client.force_login)(manager)
    client.cookies["django_language"] = "en"
    board, connected, _ = await _connect_with_cookies(client, board_path(store))
    assert connected
    assert "Nobody is being served right now." in await board.receive_from(timeout=5)
    await board.disconnect()


async def _connect_with_cookies(client, path):
    from channels.testing import WebsocketCommunicator

    from clienteling.asgi import application

    cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", cookies.encode()),
    ]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_head_office_may_join_any_store(client, store, head_office):
    await database_sync_to_async(client.force_login)(head_office)
    board, connected, _ = await _connect(client, board_path(store))
    assert connected
    await board.receive_from(timeout=5)
    await board.disconnect()


async def test_associates_other_stores_managers_and_strangers_are_refused(
    client, store, other_store, associate
):
    board, connected, code = await _connect(client, board_path(store))
    # Signed out: accepted only to be closed with the code that sends the page to sign-in.
    assert connected
    assert await board.receive_output(timeout=1) == {"type": "websocket.close", "code": 4401}

    await database_sync_to_async(client.force_login)(associate)
    _, connected, code = await _connect(client, board_path(store))
    assert (connected, code) == (False, 4403)  # an associate of this very store

    elsewhere = await database_sync_to_async(make_staff)(Role.MANAGER, other_store)
    await database_sync_to_async(client.force_login)(elsewhere)
    _, connected, code = await _connect(client, board_path(store))
    assert (connected, code) == (False, 4403)
    _, connected, code = await _connect(client, "/ws/stores/nowhere/dashboard/")
    assert (connected, code) == (False, 4403)


async def test_the_hint_leaves_only_after_commit_and_never_after_a_rollback(store):
    import asyncio

    from channels.layers import get_channel_layer
    from django.db import transaction

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(board_group(store.pk), channel)
    await database_sync_to_async(board_opened)(store.pk)  # as a board's consumer does
    # One receiver for the whole test: a cancelled receive unsubscribes (pub/sub layer).
    hint = asyncio.ensure_future(layer.receive(channel))

    @database_sync_to_async
    def change(*, fail):
        with transaction.atomic():
            board_refresh_on_commit(store_id=store.pk)
            if fail:
                raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await change(fail=True)
    await asyncio.sleep(0.3)
    assert not hint.done()  # nothing left for the rolled-back change
    await change(fail=False)
    assert (await asyncio.wait_for(hint, 2))["type"] == "dashboard.refresh"


async def test_floor_changes_are_published_to_a_store_s_boards_only_while_one_is_open(store):
    import asyncio

    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(board_group(store.pk), channel)
    hint = asyncio.ensure_future(layer.receive(channel))
    change = database_sync_to_async(lambda: board_refresh_on_commit(store_id=store.pk))
    await database_sync_to_async(cache.delete)(f"push.boards-open.{store.pk}")  # no board left over

    await change()  # no board open: nothing is published
    await asyncio.sleep(0.3)
    assert not hint.done()
    await database_sync_to_async(board_opened)(store.pk)
    await database_sync_to_async(board_opened)(store.pk)
    await database_sync_to_async(board_closed)(store.pk)  # one of the two boards closes
    await change()
    assert (await asyncio.wait_for(hint, 2))["type"] == "dashboard.refresh"

    await database_sync_to_async(board_closed)(store.pk)  # the last one closes
    hint = asyncio.ensure_future(layer.receive(channel))
    await change()
    await asyncio.sleep(0.3)
    assert not hint.done()
    hint.cancel()
