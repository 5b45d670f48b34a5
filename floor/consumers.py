import asyncio
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings

from integrations.live import SessionBoundConsumer
from integrations.push import floor_group
from staff.access import stores_for

from .push import floor_list_html

# Per process, per store and language: the latest render of the list and when it began.
_renders: dict[tuple[int, str], tuple[float, asyncio.Future]] = {}


async def floor_list_since(store_id: int, language: str, joined_at: float) -> str:
    """The list of clients present, read after ``joined_at`` (when the socket joined its
    store's group: anything changed later reaches it as a push). Tablets reconnecting
    together share renders: one that began after a socket joined serves it, so a burst of
    reconnects costs a few renders per process, not one per tablet."""
    key = (store_id, language)
    loop = asyncio.get_running_loop()
    while True:
        started, render = _renders.get(key, (0.0, None))
        if render is None or render.get_loop() is not loop:
            break
        if started >= joined_at:
            return await asyncio.shield(render)
        if render.done():
            break
        await asyncio.wait([render])  # began before this socket joined: wait, then renew
    render = asyncio.ensure_future(database_sync_to_async(floor_list_html)(store_id, language))
    _renders[key] = (time.monotonic(), render)
    return await asyncio.shield(render)


class FloorConsumer(SessionBoundConsumer):
    """A tablet on a store's Floor page. Only staff of that store may join its group, and
    only while their session lasts and they keep the store (``SessionBoundConsumer``).

    On every connect (and so every reconnect) the tablet first gets the whole list of
    clients present: a push missed while it was away is never lost."""

    def authorise(self, user) -> int | None:
        code = self.scope["url_route"]["kwargs"]["store_code"]
        return stores_for(user).filter(code=code).values_list("pk", flat=True).first()

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.refuse_signed_out()
            return
        store_id, deadline = await self.admit(user)
        if store_id is None:
            await self.close(code=4403)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode())
        languages = dict(settings.LANGUAGES)
        self.language = next((c for c in query.get("lang", []) if c in languages), None) or (
            settings.LANGUAGE_CODE
        )
        self.group = floor_group(store_id)
        # Join first, then read: a change committed meanwhile arrives after the list.
        await self.channel_layer.group_add(self.group, self.channel_name)
        joined_at = time.monotonic()
        await self.bind(deadline)
        await self.accept()
        await self.send(text_data=await floor_list_since(store_id, self.language, joined_at))

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
