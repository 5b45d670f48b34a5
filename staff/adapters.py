from allauth.account.adapter import DefaultAccountAdapter
from django.db import DatabaseError


class StaffAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by head office in admin: there is no public sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def authenticate(self, request, **credentials):
        """A sign-in that failed on our side (the database unreachable) is not a wrong
        password: it does not count towards the failed-attempts limit."""
        try:
            return super().authenticate(request, **credentials)
        except DatabaseError:
            self._rollback_login_failed_rl_usage()
            raise
