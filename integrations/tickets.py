"""Tickets: how a live socket is admitted without a trip to the database.

A page allowed to show a store's live state (the floor, a manager's board) was allowed by
its own request: signed in, active, with that store. It carries a signed note of that in
its socket's URL, the *ticket*: which page, which store, whose session (a keyed hash of
the session key, never the key), when its session expires and when it was issued. When
hundreds of tablets reconnect at once (a server restarted, the shop's network came back)
each socket is admitted by checking the ticket's signature, that it belongs to the
session cookie the socket came with, and one read of the cache (Redis), instead of
reading the session, the user, the staff profile and the store from PostgreSQL: the
handshake stays well inside Daphne's limit.

The cache says what changed since a ticket was issued, written after each change is
committed (``integrations.live`` receivers):

- a session signed out or deleted (sign-out, a new session key, admin, ``clearsessions``)
  is *revoked*: its tickets no longer admit anything;
- a user, their staff profile or their stores changed, or a store changed: tickets issued
  before that (with a margin for the clocks of several servers) no longer admit.

When the cache cannot vouch, the ticket is not trusted: only Redis (shared by every
process) can vouch; tickets issued before the cache's own start date do not admit (Redis
restarted and forgot, or unreachable); and a revocation or change a process could not write
moves that start date to the moment Redis answers again. A ticket is dated from the start
of the request that checked the access. A socket a
ticket does not admit is admitted the long way (the database), exactly as before. Either
way the socket then follows its session as every live socket does (re-checked in full
when the session expires, and at the latest a re-check period after connecting)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.crypto import salted_hmac

from . import cache as degrading

SALT = "integrations.tickets"
SINCE_KEY = "live.tickets-since"  # when the cache began keeping what changed
CLOCK_MARGIN = 5.0  # seconds: servers' clocks may differ this much


def _lifetime() -> int:
    return settings.SESSION_COOKIE_AGE


def session_tag(session_key: str) -> str:
    return salted_hmac("integrations.tickets.session", session_key).hexdigest()[:32]


# A revocation or change this process could not write (Redis unreachable): until the
# cache's start date is moved past it, no ticket issued before is trusted.
_unwritten = False


def _write(key: str, value, timeout) -> None:
    """``cache.set`` that remembers when it could not write (the cache answers as empty
    rather than fail while Redis is unreachable)."""
    global _unwritten
    failed = sum(degrading.failures.values())
    cache.set(key, value, timeout)
    if sum(degrading.failures.values()) != failed:
        _unwritten = True


def _settle() -> None:
    """After a write that was lost, move the cache's start date to now once Redis answers
    again: every older ticket then goes the long way."""
    global _unwritten
    if _unwritten:
        _unwritten = False
        _write(SINCE_KEY, time.time(), None)


def issue(
    *,
    page: str,
    store_code: str,
    granted: int,
    user_id: int,
    session_key: str,
    expires: float,
    issued: float,
) -> str:
    """A ticket for ``page`` of ``store_code`` (``granted``: what the socket's check would
    give, the store's id), for this user's session, which expires at ``expires``, dated
    ``issued`` (timestamps; ``issued``: when the request that checked the access began)."""
    _settle()
    cache.add(SINCE_KEY, time.time(), None)
    return signing.dumps(
        [page, store_code, granted, user_id, session_tag(session_key), expires, issued],
        salt=SALT,
        compress=False,
    )


def read(ticket: str, *, page: str, store_code: str, session_key: str | None):
    """``(granted, user_id, expires, issued)`` when ``ticket`` is a genuine ticket for this
    page, this store and this session, in its lifetime; else ``None``. Does not ask the
    cache."""
    if not ticket or not session_key:
        return None
    try:
        t_page, t_store, granted, user_id, tag, expires, issued = signing.loads(
            ticket, salt=SALT, max_age=_lifetime()
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if (t_page, t_store) != (page, store_code) or tag != session_tag(session_key):
        return None
    if expires <= time.time():
        return None
    return granted, user_id, expires, issued


def _revoked_key(tag: str) -> str:
    return f"live.revoked.{tag}"


def _changed_key(kind: str, pk: int) -> str:
    return f"live.changed.{kind}.{pk}"


def still_valid(*, issued: float, session_key: str, user_id: int, store_id: int) -> bool:
    """Nothing that could change the ticket's answer happened since it was issued: one read
    of the cache. Only a cache all processes share (Redis) can say so."""
    if not isinstance(caches["default"], RedisCache):
        return False
    _settle()
    revoked = _revoked_key(session_tag(session_key))
    found = cache.get_many(
        [SINCE_KEY, revoked, _changed_key("user", user_id), _changed_key("store", store_id)]
    )
    since = found.pop(SINCE_KEY, None)
    # The cache does not know what changed before it began (or lost a write since).
    if since is None or issued < since + CLOCK_MARGIN:
        return False
    if revoked in found:
        return False
    return all(issued > changed + CLOCK_MARGIN for changed in found.values())


def revoke_session(session_key: str) -> None:
    _write(_revoked_key(session_tag(session_key)), 1, _lifetime())


def changed(kind: str, pk: int) -> None:
    """``kind`` (``"user"`` or ``"store"``) ``pk`` changed: older tickets naming it are void."""
    _write(_changed_key(kind, pk), time.time(), _lifetime() + CLOCK_MARGIN)
