"""Database sessions (Django's) that remember when the row they loaded expires.

A page opening a live socket puts its session's expiry in the socket's ticket
(``integrations.live``): the row read at the start of the request already says it, so
the page reads the sessions table once, not twice.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from catalog.prepared import Prepared

_live_row = Prepared(lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now))


class SessionStore(db.SessionStore):
    loaded_expiry = None  # (session key, expire_date) of the row this store loaded

    def _get_session_from_db(self):
        # Django's query, prepared once (it runs on every signed-in request).
        row = _live_row.first(self.session_key, timezone.now())
        if row is None:
            self._session_key = None
        self.loaded_expiry = (row.session_key, row.expire_date) if row is not None else None
        return row
