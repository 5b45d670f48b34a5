"""Helpers for tests of the floor: signed webhook posts and a listener on a store's
group of the real (Redis) channel layer."""

import asyncio
import json
import uuid

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers
from django.utils import timezone

from integrations.push import floor_group
from integrations.webhooks import signed_headers


def presence_payload(store, identifier, *, kind="loyalty_number", event="enter", at=None, **extra):
    return {
        "store": store.code,
        "identifier_kind": kind,
        "identifier": identifier,
        "event": event,
        "occurred_at": (at or timezone.now()).isoformat(),
        "event_id": extra.pop("event_id", None) or uuid.uuid4().hex,
        **extra,
    }


def post_signed(client, url, source, payload=None, *, body=None, now=None, headers=None):
    body = body if body is not None else json.dumps(payload).encode()
    all_headers = signed_headers(source, body, now=now)
    all_headers.update(headers or {})
    return client.post(url, body, content_type="application/json", headers=all_headers)


class GroupListener:
    """A channel in a store's floor group of the real channel layer, as a tablet's
    consumer has. It keeps its own layer instance and event loop: the layer's receive
    buffers belong to the loop that first used them."""

    def __init__(self, store):
        self.loop = asyncio.new_event_loop()
        self.layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        self.channel = self.loop.run_until_complete(self.layer.new_channel())
        self.loop.run_until_complete(self.layer.group_add(floor_group(store.pk), self.channel))

    def receive(self, timeout: float = 2.0) -> dict | None:
        try:
            return self.loop.run_until_complete(
                asyncio.wait_for(self.layer.receive(self.channel), timeout)
            )
        except TimeoutError:
            return None

    def all(self, timeout: float = 0.3) -> list[dict]:
        messages = []
        while (message := self.receive(timeout)) is not None:
            messages.append(message)
        return messages

    def close(self) -> None:
        async def unsubscribe():
            await self.layer.flush()  # the pub/sub layer: this process's subscriptions only

        self.loop.run_until_complete(unsubscribe())
        self.loop.close()


def browser_socket(client, path: str):
    """A live page's socket as the browser opens it: from the site's origin, with the
    session cookie of ``client`` (a signed-in ``django.test.Client``)."""
    from channels.testing import WebsocketCommunicator

    from clienteling.asgi import application

    return WebsocketCommunicator(
        application,
        path,
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
    )
