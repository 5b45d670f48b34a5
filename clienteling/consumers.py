from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation

from .access import Role, has_role, stores_for
from .events import board_live_html, floor_group, floor_list_html, managers_group


@database_sync_to_async
def _store_id_for(user, store_code: str) -> int | None:
    return stores_for(user).filter(code=store_code).values_list("pk", flat=True).first()


class FloorConsumer(AsyncWebsocketConsumer):
    """A tablet on a store's Floor page. Only staff of that store may join its group.

    On every connect (and so every reconnect) the tablet first gets the whole list of
    clients present: a push missed while it was away is never lost."""

    async def connect(self):
        user = self.scope["user"]
        store_id = None
        if user.is_authenticated:
            store_id = await _store_id_for(user, self.scope["url_route"]["kwargs"]["store_code"])
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
        await self.accept()
        await self.send(
            text_data=await database_sync_to_async(floor_list_html)(store_id, self.language)
        )

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def floor_html(self, event):
        """Forward a rendered fragment (htmx out-of-band swaps) to the tablet: the one in
        its language when it comes in several."""
        html = event["html"]
        if isinstance(html, dict):
            html = html.get(self.language) or html[settings.LANGUAGE_CODE]
        await self.send(text_data=html)

    async def receive(self, text_data=None, bytes_data=None):
        """The page's heartbeat (static/js/live.js): a ping is answered at once."""
        if text_data == "ping":
            await self.send(text_data="pong")


@database_sync_to_async
def _managed_store_id(user, store_code: str) -> int | None:
    if not has_role(user, Role.MANAGER, Role.HEAD_OFFICE):
        return None
    return stores_for(user).filter(code=store_code).values_list("pk", flat=True).first()


@database_sync_to_async
def _board_html(store_id: int, language: str) -> str:

    with translation.override(language):
        return board_live_html(store_id)


def _language(scope) -> str:
    """The language the manager chose (its cookie), else the site's."""
    chosen = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return settings.LANGUAGE_CODE


class DashboardConsumer(AsyncWebsocketConsumer):
    """A manager's board of one store. The full board is sent on every (re)connect, and
    again after each hint that the floor changed: a push is a hint, the database is the
    truth. Only that store's managers and head office may join."""

    async def connect(self):
        user = self.scope["user"]
        store_id = None
        if user.is_authenticated:
            code = self.scope["url_route"]["kwargs"]["store_code"]
            store_id = await _managed_store_id(user, code)
        if store_id is None:
            await self.close(code=4403)
            return
        self.store_id = store_id
        self.language = _language(self.scope)
        self.group = managers_group(store_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_board()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """The page's heartbeat (static/js/live.js): a ping is answered at once."""
        if text_data == "ping":
            await self.send(text_data="pong")

    async def dashboard_refresh(self, event):
        await self.send_board()

    async def send_board(self):
        await self.send(text_data=await _board_html(self.store_id, self.language))
