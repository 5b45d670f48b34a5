import segno
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from .access import Role, has_role


class StaffAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by head office in admin: there is no public sign-up.

    Failed sign-ins are limited per IP and per account (``ACCOUNT_RATE_LIMITS``). The
    per-account limit slows a guesser without locking the owner out: the owner resets
    their password by email, which signs them in (``ACCOUNT_LOGIN_ON_PASSWORD_RESET``) and
    lifts the account's limit (``password_reset_lifts_the_lock``)."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed sign-in attempts for this account. Wait a few minutes, or "
            "reset your password by email: you will be signed in at once."
        ),
    }

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

    def login_lock_lift(self, request, user) -> None:
        """Forget the account's failed sign-ins (its owner proved it by email)."""
        key = self._get_login_attempts_cache_key(request, email=user.email)
        ratelimit.clear(request, action="login_failed", key=key)


def password_reset_lifts_the_lock(sender, request, user, **kwargs) -> None:
    """Receiver of allauth's ``password_reset`` (connected in StaffConfig.ready)."""
    from allauth.account.adapter import get_adapter

    adapter = get_adapter(request)
    if isinstance(adapter, StaffAccountAdapter):
        adapter.login_lock_lift(request, user)


class StaffMFAAdapter(DefaultMFAAdapter):
    """The TOTP QR code drawn with the QR library we already use; managers and head
    office cannot turn their authenticator off (MFA is required of them)."""

    def build_totp_svg(self, url: str) -> str:
        return segno.make(url, error="m").svg_inline(scale=4, border=2)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and has_role(
            authenticator.user, Role.MANAGER, Role.HEAD_OFFICE
        ):
            return False
        return super().can_delete_authenticator(authenticator)
