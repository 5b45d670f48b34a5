import segno
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from .access import Role, has_role


class StaffAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by head office in admin: there is no public sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False


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
