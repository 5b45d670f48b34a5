from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .access import stores_for
from .events import floor_group


@database_sync_to_async
def _store_id_for(user, store_code: str) -> int | None:
    return stores_for(user).filter(code=store_code).values_list("pk", flat=True).first()


class FloorConsumer(AsyncWebsocketConsumer):
    """A tablet on a store's Floor page. Only staff of that store may join its group."""

    async def connect(self):
        user = self.scope["user"]
        store_id = None
        if user.is_authenticated:
            store_id = await _store_id_for(user, self.scope["url_route"]["kwargs"]["store_code"])
        if store_id is None:
            await self.close(code=4403)
            return
        self.group = floor_group(store_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def floor_html(self, event):
        """Forward a rendered fragment (htmx out-of-band swaps) to the tablet."""
        await self.send(text_data=event["html"])
