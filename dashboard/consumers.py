from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import translation

from integrations.live import SessionBoundConsumer
from integrations.push import board_closed, board_group, board_opened
from staff.access import Role, has_role, stores_for

from .push import board_live_html


def _managed_store_id(user, store_code: str) -> int | None:
    if not has_role(user, Role.MANAGER, Role.HEAD_OFFICE):
        return None
    return stores_for(user).filter(code=store_code).values_list("pk", flat=True).first()


@database_sync_to_async
def _board_html(store_id: int, language: str) -> str:

    with translation.override(language):
        return board_live_html(store_id)


def _language(scope) -> str:
    """The page's language (``?lang=``, as the page was rendered), else the manager's
    chosen one (its cookie), else the site's."""
    query = parse_qs(scope.get("query_string", b"").decode())
    for chosen in (
        *query.get("lang", []),
        scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, ""),
    ):
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class DashboardConsumer(SessionBoundConsumer):
    """A manager's board of one store. The full board is sent on every (re)connect, when
    Redis comes back after an outage, and after each hint that the floor changed: a push
    is a hint, the database is the truth. Only that store's managers and head office may
    join, and only while their session lasts and they keep the store
    (``SessionBoundConsumer``)."""

    page = "board"

    def authorise(self, user) -> int | None:
        return _managed_store_id(user, self.scope["url_route"]["kwargs"]["store_code"])

    async def join(self, store_id: int) -> None:
        self.store_id = store_id
        self.language = _language(self.scope)
        self.group = board_group(store_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Floor changes are published to this store's boards from now.
        await sync_to_async(board_opened, thread_sensitive=False)(store_id)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await sync_to_async(board_closed, thread_sensitive=False)(self.store_id)
        await self.unbind()

    async def dashboard_refresh(self, event):
        if await self.live():
            await self.send_state()

    async def layer_resync(self, event):
        # A restarted Redis forgot which boards are open: count this one again (after a
        # mere network blip it is counted twice, which only costs a publish).
        if hasattr(self, "group"):
            await sync_to_async(board_opened, thread_sensitive=False)(self.store_id)
        await super().layer_resync(event)

    def state_key(self) -> tuple:
        return ("board", self.store_id, self.language)

    async def state_html(self) -> str:
        return await _board_html(self.store_id, self.language)
