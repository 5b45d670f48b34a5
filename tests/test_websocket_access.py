import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from clienteling.asgi import application
from integrations.push import floor_group

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(client, path, origin=b"http://localhost"):
    headers = [(b"origin", origin), (b"host", b"localhost")]
    cookie = client.cookies.get("sessionid")
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie.value}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@override_settings(ALLOWED_HOSTS=["localhost"])
async def test_store_staff_join_their_floor_and_receive_pushes(client, associate, store):
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    await sync_to_async(client.force_login)(associate)
    communicator, connected, _ = await _connect(client, f"/ws/stores/{store.code}/floor/")
    assert connected
    assert 'id="floor-clients"' in await communicator.receive_from(timeout=2)  # the list first
    await get_channel_layer().group_send(
        floor_group(store.pk), {"type": "floor.html", "html": "<div id='x'>hi</div>"}
    )
    assert await communicator.receive_from(timeout=2) == "<div id='x'>hi</div>"
    await communicator.disconnect()


@override_settings(ALLOWED_HOSTS=["localhost"])
async def test_other_store_anonymous_and_foreign_origin_are_refused(
    client, associate, store, other_store
):
    from asgiref.sync import sync_to_async

    floor, connected, code = await _connect(client, f"/ws/stores/{store.code}/floor/")
    # Not signed in: accepted only to be closed with the code that sends the page to sign-in.
    assert connected
    assert await floor.receive_output(timeout=1) == {"type": "websocket.close", "code": 4401}

    await sync_to_async(client.force_login)(associate)
    _, connected, code = await _connect(client, f"/ws/stores/{other_store.code}/floor/")
    assert not connected and code == 4403

    _, connected, _ = await _connect(
        client, f"/ws/stores/{store.code}/floor/", origin=b"http://evil.example"
    )
    assert not connected


@override_settings(ALLOWED_HOSTS=["localhost"])
async def test_the_floor_and_the_board_answer_the_pages_heartbeat(client, manager, store):
    from asgiref.sync import sync_to_async

    await sync_to_async(client.force_login)(manager)
    for path in (f"/ws/stores/{store.code}/floor/", f"/ws/stores/{store.code}/dashboard/"):
        communicator, connected, _ = await _connect(client, path)
        assert connected
        await communicator.receive_from(timeout=2)  # the full state, first
        await communicator.send_to(text_data="ping")
        assert await communicator.receive_from(timeout=2) == "pong"
        await communicator.send_to(text_data="anything else")
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
