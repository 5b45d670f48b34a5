import asyncio
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation

from .access import Role, has_role, stores_for
from .events import floor_group, managers_group

logger = logging.getLogger(__name__)


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


@database_sync_to_async
def _managed_store_id(user, store_code: str) -> int | None:
    if not has_role(user, Role.MANAGER, Role.HEAD_OFFICE):
        return None
    return stores_for(user).filter(code=store_code).values_list("pk", flat=True).first()


@database_sync_to_async
def _board_html(store_id: int, language: str) -> str:
    from .views.dashboard import board_live_html

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
        self.render_lock = asyncio.Lock()
        self.refresh_pending = False
        self.refreshes = set()
        self.group = managers_group(store_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._refresh()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            for task in self.refreshes:
                task.cancel()

    async def dashboard_refresh(self, event):
        # A burst of hints costs one render: hints that arrive before the next render
        # reads the database are covered by it.
        if self.refresh_pending:
            return
        self.refresh_pending = True
        task = asyncio.create_task(self._refresh())
        self.refreshes.add(task)
        task.add_done_callback(self._refreshed)

    async def _refresh(self):
        async with self.render_lock:  # one render at a time, sent in order
            self.refresh_pending = False
            html = await _board_html(self.store_id, self.language)
            await self.send(text_data=html)

    def _refreshed(self, task):
        self.refreshes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Dashboard refresh failed", exc_info=task.exception())
