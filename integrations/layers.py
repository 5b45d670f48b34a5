"""The channel layer (channels_redis's pub/sub layer) told when Redis comes back.

When Redis restarts, the layer's subscription connection drops; redis-py reconnects it and
subscribes again to every channel and group of this process. What was published
meanwhile is lost, and channels_redis tells nobody (its ``on_reconnect`` is stored and
never called). Here, once the subscriptions are back, every consumer of this process gets
a ``layer.resync`` message: the live pages' consumers send their whole state again, read
after the subscriptions were restored, so nothing published before is missing and
nothing after can be (``SessionBoundConsumer.layer_resync``).

Two clean-ups while Redis is down, so that failed calls leave nothing behind:

- a channel or group subscription that failed is forgotten at once (the consumer's
  handshake fails and the page tries again);
- an unsubscription that fails because the connection is gone counts as done (the
  server dropped the subscription with the connection): otherwise it would be
  subscribed again on reconnection, and the consumer leaving would stop half-way."""

from __future__ import annotations

import asyncio
import logging
import time

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from redis import exceptions as redis_errors
from redis.asyncio.client import PubSub

logger = logging.getLogger(__name__)

RESYNC = {"type": "layer.resync"}


class ResyncingPubSubChannelLayer(RedisPubSubChannelLayer):
    """``channels_redis.pubsub.RedisPubSubChannelLayer`` with the behaviour above.
    Configured in ``CHANNEL_LAYERS`` with the same options."""

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        first_use = loop not in self._layers
        layer = super()._get_layer()
        if first_use:
            # The parent built its plain layer for this loop (and will flush whatever
            # layer the loop has when it closes): ours takes its place, unused yet.
            layer = self._layers[loop] = ResyncingLoopLayer(
                *self._args, **self._kwargs, channel_layer=self
            )
        return layer


class ResyncingLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shards = [ResyncingShard(shard.host, self) for shard in self._shards]

    resyncs = 0

    def resubscribed(self) -> None:
        """Tell every consumer of this process to resync (their channels' queues). The
        message is numbered: consumers may share what they render for one resync, never
        across two."""
        self.resyncs += 1
        message = self.channel_layer.serialize(
            {**RESYNC, "generation": self.resyncs, "at": time.monotonic()}
        )
        for queue in self.channels.values():
            queue.put_nowait(message)
        logger.warning(
            "Channel layer subscriptions restored after a Redis disconnection; "
            "%d live sockets resync.",
            len(self.channels),
        )

    async def _subscribe_to_channel(self, channel):
        try:
            await super()._subscribe_to_channel(channel)
        except BaseException:
            self.channels.pop(channel, None)
            raise

    async def group_add(self, group, channel):
        try:
            await super().group_add(group, channel)
        except BaseException:
            group_channel = self._get_group_channel_name(group)
            members = self.groups.get(group_channel, set())
            members.discard(channel)
            if not members:
                self.groups.pop(group_channel, None)
            raise


class ResyncingShard(RedisSingleShardConnection):
    def _ensure_redis(self):
        if self._redis is None:
            super()._ensure_redis()
            self._pubsub = ResubscribingPubSub(
                self._redis.connection_pool, resubscribed=self.channel_layer.resubscribed
            )

    async def unsubscribe(self, channel):
        try:
            await super().unsubscribe(channel)
        except (redis_errors.ConnectionError, redis_errors.TimeoutError):
            async with self._lock:
                self._subscribed_to.discard(channel)
                if self._pubsub is not None:
                    for name in (channel, channel.encode()):
                        self._pubsub.channels.pop(name, None)
            logger.info("Unsubscribed locally while Redis is unreachable.")


class ResubscribingPubSub(PubSub):
    """redis-py calls ``on_connect`` each time the connection is made again (not the first
    time) and resubscribes there; ``resubscribed`` runs once that is done."""

    def __init__(self, *args, resubscribed, **kwargs):
        super().__init__(*args, **kwargs)
        self.resubscribed = resubscribed

    async def on_connect(self, connection):
        had_subscriptions = self.subscribed
        await super().on_connect(connection)
        if had_subscriptions:
            self.resubscribed()
