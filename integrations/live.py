"""Live sockets follow the session that opened them: a socket never outlives its session.

Channels authorises a socket once, when it connects. Afterwards:

- **Sign-out** (``user_logged_out``) closes every socket of that session at once.
- **Deactivation, a password change, a change of role or stores** (any save of the user
  or of their staff profile, any change of a store) asks every socket concerned to
  re-check its access at once; one that lost it closes.
- **Expiry, or anything no signal tells** (a session deleted in admin, ``clearsessions``):
  each socket knows when its session expires and re-checks at that moment and at least
  every ``LIVE_SESSION_RECHECK_SECONDS``, on a timer, even when no push comes. Before
  forwarding a push it only compares that deadline with the clock (well under a
  microsecond); the full check (session, user, profile, stores: a few queries) runs only
  when the deadline has passed.

Signals here only notify: the decision is always the same re-check, read from the
database and the session store.

Close codes the pages understand (``static/js/app.js``): ``4401`` signed out, session
expired or account deactivated: the page goes to the sign-in page; ``4403`` still signed
in but no longer allowed here (store or role removed): the page goes home."""

from __future__ import annotations

import asyncio
import random
import time
from types import SimpleNamespace
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user, get_user_model, user_logged_out
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import close_old_connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.module_loading import import_string

from catalog.models import Store
from staff.models import StaffProfile

from . import tickets
from .consumers import LiveConsumer
from .push import board_group, floor_group, send_on_commit, session_group, user_group

CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403


def recheck_seconds() -> float:
    return float(getattr(settings, "LIVE_SESSION_RECHECK_SECONDS", 60))


def _session_store(session_key: str):
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key=session_key)


def _expires_at(session) -> float | None:
    """When the session expires (a timestamp), as its store says (database sessions: the
    row's ``expire_date``, which activity pushes back); ``None`` when it is gone."""
    if isinstance(session, DatabaseSessionStore) and session.session_key:
        loaded = getattr(session, "loaded_expiry", None)
        if loaded is not None and loaded[0] == session.session_key:
            # Read with the session at the start of the request: activity since then
            # only pushes it back, so the ticket expires no later than the session.
            return loaded[1].timestamp()
        expires = (
            session.get_model_class()
            .objects.filter(session_key=session.session_key)
            .values_list("expire_date", flat=True)
            .first()
        )
        return None if expires is None else expires.timestamp()
    return time.time() + session.get_expiry_age()


def _seconds_left(session) -> float:
    """Until the session expires, at most the re-check period."""
    expires = _expires_at(session)
    if expires is None:
        return 0.0
    return max(0.0, min(recheck_seconds(), expires - time.time()))


def live_ticket(request, page: str, store) -> str:
    """The ticket the page's socket shows when it connects (``integrations.tickets``): the
    request showing ``page`` of ``store`` was allowed it."""
    return tickets.issue(
        page=page,
        store_code=store.code,
        granted=store.pk,
        user_id=request.user.pk,
        session_key=request.session.session_key,
        expires=_expires_at(request.session) or 0.0,
        issued=getattr(request, "started_at", None) or time.time(),
    )


def _admission(session, authorise) -> tuple:
    """Who the session is signed in as, what ``authorise`` grants them and how long until
    the session must be read again: ``(user, granted or None, seconds)``. The whole check
    of a socket, read in one trip to a database thread."""
    user = get_user(SimpleNamespace(session=session))
    if not user.is_authenticated:
        return user, None, 0.0
    return user, authorise(user), _seconds_left(session)


def _admission_in_thread(session, authorise) -> tuple:
    try:
        return _admission(session, authorise)
    finally:
        close_old_connections()  # back to the pool: the thread outlives the admission


# A burst of reconnects waits on PostgreSQL, not on Python: admissions run on the event
# loop's thread pool, several at a time, rather than one after another on the process's
# one database thread.
_admit_in_thread = sync_to_async(_admission_in_thread, thread_sensitive=False)
_still_valid = sync_to_async(tickets.still_valid, thread_sensitive=False)


class SessionBoundConsumer(LiveConsumer):
    """A consumer whose socket closes when its session ends or its access is withdrawn.

    Subclasses set ``page`` (what their tickets name) and implement ``authorise(user)``
    (sync, runs in a thread: the thing the page shows, e.g. a store id, or ``None`` when
    refused), ``join(granted)`` (join the page's
    groups), ``state_html()`` (the page's whole current state, sent by ``send_state()`` on
    connect and again whenever pushes may have been lost) and ``state_key()`` (what that
    state depends on), and forward pushes only ``if await self.live()``."""

    page: str = ""
    session_key: str | None = None
    user_id: int | None = None
    deadline = 0.0
    watcher: asyncio.Task | None = None
    ended = False

    def authorise(self, user):
        raise NotImplementedError

    async def state_html(self) -> str:
        raise NotImplementedError

    def state_key(self) -> tuple:
        raise NotImplementedError

    async def send_state(self, since: float | None = None) -> None:
        """Send the whole state, read after ``since`` (a ``time.monotonic()``; default now):
        on connect, when the socket joined its groups, so that anything changed later
        reaches it as a push. Sockets of this process showing the same state share a
        reading that began after their ``since``: a burst of reconnects, or every board
        told to refresh, costs a few renders per process, not one per socket."""
        since = time.monotonic() if since is None else since
        html = await _state_since(self.state_key(), self.state_html, since)
        if not self.ended:
            await self.send(text_data=html)

    async def refuse_signed_out(self) -> None:
        """Accept then close at once with 4401, so that the page (which cannot read the
        reason of a refused handshake) goes to the sign-in page instead of retrying."""
        await self.accept()
        await self.end(CLOSE_SIGNED_OUT)

    async def admit(self):
        """Whether the socket is signed in, what ``authorise`` grants it and when to re-check
        its session: ``(signed_in, granted or None, deadline)``, from the page's ticket when
        it admits (``integrations.tickets``: no database), else read in one trip."""
        began = time.monotonic()
        store_code = self.scope["url_route"]["kwargs"]["store_code"]
        session_key = self.scope["session"].session_key
        query = parse_qs(self.scope.get("query_string", b"").decode())
        found = tickets.read(
            (query.get("ticket") or [""])[0],
            page=self.page,
            store_code=store_code,
            session_key=session_key,
        )
        if found is not None:
            granted, user_id, expires, issued = found
            if await _still_valid(
                issued=issued, session_key=session_key, user_id=user_id, store_id=granted
            ):
                self.user_id = user_id
                # A burst of sockets admitted together re-checks in full spread over time.
                period = recheck_seconds() * random.uniform(0.5, 1.0)  # noqa: S311 (not a secret)
                return True, granted, began + max(0.0, min(period, expires - time.time()))
        user, granted, seconds = await _admit_in_thread(self.scope["session"], self.authorise)
        self.user_id = user.pk
        return user.is_authenticated, granted, began + seconds

    async def connect(self):
        """Admit the socket (4401 when signed out, 4403 when not allowed here), then
        ``join(granted)``: the subclass's groups, joined before its state is read."""
        signed_in, granted, deadline = await self.admit()
        if not signed_in:
            await self.refuse_signed_out()
            return
        if granted is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join(granted)
        # Join first, then read: a change committed meanwhile arrives after the state.
        joined_at = time.monotonic()
        await self.bind(deadline)
        await self.accept()
        await self.send_state(since=joined_at)

    async def join(self, granted) -> None:
        raise NotImplementedError

    async def bind(self, deadline: float) -> None:
        """Tie this socket to the user's and the session's groups, and start watching
        until ``deadline`` (from ``admit``)."""
        self.session_key = self.scope["session"].session_key
        await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)
        await self.channel_layer.group_add(session_group(self.session_key), self.channel_name)
        self.deadline = deadline
        self.watcher = asyncio.create_task(self.watch())

    async def watch(self) -> None:
        """Re-check when the session expires, and at least every period."""
        while not self.ended:
            await asyncio.sleep(max(0.0, self.deadline - time.monotonic()))
            if not self.ended:
                await self.recheck()

    async def live(self) -> bool:
        """May a push be forwarded now? A clock comparison until the deadline."""
        if self.ended:
            return False
        if time.monotonic() < self.deadline:
            return True
        return await self.recheck()

    async def recheck(self) -> bool:
        """Read the session again; close the socket (and say so) when it no longer holds."""
        began = time.monotonic()
        user, granted, seconds = await _admit_in_thread(
            _session_store(self.session_key), self.authorise
        )
        if not user.is_authenticated or user.pk != self.user_id:
            await self.end(CLOSE_SIGNED_OUT)
            return False
        if granted is None:
            await self.end(CLOSE_FORBIDDEN)
            return False
        self.deadline = began + seconds
        return not self.ended

    async def end(self, code: int) -> None:
        if self.ended:
            return
        self.ended = True
        await self.close(code=code)

    async def unbind(self) -> None:
        self.ended = True
        if self.watcher is not None and self.watcher is not asyncio.current_task():
            self.watcher.cancel()
        if self.user_id is not None:
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)
        if self.session_key is not None:
            await self.channel_layer.group_discard(
                session_group(self.session_key), self.channel_name
            )

    # Messages sent by the receivers below.
    async def session_close(self, event):
        await self.end(event.get("code", CLOSE_SIGNED_OUT))

    async def session_recheck(self, event):
        if not self.ended:
            await self.recheck()

    async def layer_resync(self, event):
        """The channel layer lost Redis and has its subscriptions back
        (``integrations.layers``): pushes sent meanwhile are lost, so the whole state
        goes again, read after the subscriptions came back (``at``)."""
        if self.user_id is None or not await self.live():
            return
        await self.send_state(since=event.get("at"))


# Per process, per state: the latest reading of it and when it began.
_readings: dict[tuple, tuple[float, asyncio.Future]] = {}


async def _state_since(key: tuple, render, since: float) -> str:
    """``render()``'s result, from a reading that began at or after ``since``: the one under
    way or just done when it qualifies, else a new one (after the one under way, so that
    readings of one state never pile up)."""
    loop = asyncio.get_running_loop()
    while True:
        began, reading = _readings.get(key, (0.0, None))
        if reading is None or reading.get_loop() is not loop:
            break
        if began >= since:
            return await asyncio.shield(reading)
        if reading.done():
            break
        await asyncio.wait([reading])  # began too early: wait for it, then read again
    reading = asyncio.ensure_future(render())
    _readings[key] = (time.monotonic(), reading)
    return await asyncio.shield(reading)


# Receivers: notification only (connected in IntegrationsConfig.ready).

CLOSE = {"type": "session.close", "code": CLOSE_SIGNED_OUT}
RECHECK = {"type": "session.recheck"}


def _void_tickets(kind: str, pk: int) -> None:
    # Now, and again after the commit: a ticket issued before then was issued under the
    # old state.
    tickets.changed(kind, pk)
    transaction.on_commit(lambda: tickets.changed(kind, pk))


def on_signed_out(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        tickets.revoke_session(session_key)
        send_on_commit(session_group(session_key), CLOSE)


def on_session_deleted(sender, instance, **kwargs):
    # Signed out, a new session key, deleted in admin. (An expired one, as clearsessions
    # deletes them, admits nothing anyway: its tickets expired with it.)
    if instance.expire_date > timezone.now():
        tickets.revoke_session(instance.session_key)


def on_user_saved(sender, instance, created, update_fields=None, **kwargs):
    # Signing in only stamps last_login: nothing to re-check there.
    if created or (update_fields and set(update_fields) <= {"last_login"}):
        return
    _void_tickets("user", instance.pk)
    send_on_commit(user_group(instance.pk), RECHECK)


def on_user_deleted(sender, instance, **kwargs):
    _void_tickets("user", instance.pk)


def on_profile_changed(sender, instance, **kwargs):
    _void_tickets("user", instance.user_id)
    send_on_commit(user_group(instance.user_id), RECHECK)


def on_profile_stores_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, StaffProfile):
        on_profile_changed(StaffProfile, instance)
    else:  # changed from the store's side: every socket of that store re-checks
        on_store_saved(Store, instance)


def on_store_saved(sender, instance, **kwargs):
    _void_tickets("store", instance.pk)
    send_on_commit(floor_group(instance.pk), RECHECK)
    send_on_commit(board_group(instance.pk), RECHECK)


def connect_receivers() -> None:
    uid = "integrations.live"
    user_logged_out.connect(on_signed_out, dispatch_uid=f"{uid}.signed_out")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid=f"{uid}.user")
    post_save.connect(on_profile_changed, sender=StaffProfile, dispatch_uid=f"{uid}.profile")
    post_delete.connect(on_profile_changed, sender=StaffProfile, dispatch_uid=f"{uid}.profile_del")
    m2m_changed.connect(
        on_profile_stores_changed, sender=StaffProfile.stores.through, dispatch_uid=f"{uid}.stores"
    )
    post_save.connect(on_store_saved, sender=Store, dispatch_uid=f"{uid}.store")
    post_delete.connect(on_store_saved, sender=Store, dispatch_uid=f"{uid}.store_del")
    post_delete.connect(on_user_deleted, sender=get_user_model(), dispatch_uid=f"{uid}.user_del")
    post_delete.connect(on_session_deleted, sender=Session, dispatch_uid=f"{uid}.session_del")
