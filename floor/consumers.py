from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings

from integrations.live import SessionBoundConsumer
from integrations.push import floor_group
from staff.access import stores_for

from .push import floor_list_html


class FloorConsumer(SessionBoundConsumer):
    """A tablet on a store's Floor page. Only staff of that store may join its group, and
    only while their session lasts and they keep the store (``SessionBoundConsumer``).

    On every connect (and so every reconnect) the tablet first gets the whole list of
    clients present, and again when Redis comes back after an outage: a push missed while
    it was away is never lost."""

    page = "floor"

    def authorise(self, user) -> int | None:
        code = self.scope["url_route"]["kwargs"]["store_code"]
        return stores_for(user).filter(code=code).values_list("pk", flat=True).first()

    async def join(self, store_id: int) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        languages = dict(settings.LANGUAGES)
        self.language = next((c for c in query.get("lang", []) if c in languages), None) or (
            settings.LANGUAGE_CODE
        )
        self.store_id = store_id
        self.group = floor_group(store_id)
        await self.channel_layer.group_add(self.group, self.channel_name)

    def state_key(self) -> tuple:
        return ("floor", self.store_id, self.language)

    async def state_html(self) -> str:
        return await database_sync_to_async(floor_list_html)(self.store_id, self.language)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.unbind()

    async def floor_html(self, event):
        """Forward a rendered fragment (htmx out-of-band swaps) to the tablet: the one in
        its language when it comes in several. Never after the session ended."""
        if not await self.live():
            return
        html = event["html"]
        if isinstance(html, dict):
            html = html.get(self.language) or html[settings.LANGUAGE_CODE]
        await self.send(text_data=html)
