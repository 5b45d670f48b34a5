"""Database sessions (Django's) that remember when the row they loaded expires.

A page opening a live socket puts its session's expiry in the socket's ticket
(``integrations.live``): the row read at the start of the request already says it, so
the page reads the sessions table once, not twice.
"""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    loaded_expiry = None  # (session key, expire_date) of the row this store loaded

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.loaded_expiry = (row.session_key, row.expire_date) if row is not None else None
        return row
