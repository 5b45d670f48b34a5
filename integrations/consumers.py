from channels.generic.websocket import AsyncWebsocketConsumer


class LiveConsumer(AsyncWebsocketConsumer):
    """A live page's socket (the floor, a manager's board). The page's heartbeat
    (static/js/live.js) sends ``ping`` every few seconds: it is answered at once, so the
    page can tell a silent, dead connection from a quiet floor."""

    async def receive(self, text_data=None, bytes_data=None):
        if text_data == "ping":
            await self.send(text_data="pong")
