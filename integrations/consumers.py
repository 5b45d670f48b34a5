from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer


class LiveConsumer(AsyncWebsocketConsumer):
    """A live page's socket (the floor, a manager's board). The page's heartbeat
    (static/js/live.js) sends ``ping`` every few seconds: it is answered at once, so the
    page can tell a silent, dead connection from a quiet floor."""

    async def dispatch(self, message):
        """Channels' own dispatch first closes stale database connections, through the
        process's one database thread, before *every* message: each push, each heartbeat,
        each connect waits its turn there behind every other socket's. These consumers
        never hold a connection in the event loop (their database work runs through
        ``database_sync_to_async``, which closes its connections itself), so they skip it."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data == "ping":
            await self.send(text_data="pong")
