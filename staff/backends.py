"""The sign-in backends, loading a signed-in user together with their staff profile.

Every signed-in request loads its user (``request.user``) and then needs the staff
profile (role, stores): one query with the profile joined instead of two.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from catalog.prepared import Prepared


class ProfileJoined:
    @staticmethod
    def _users(user_id):
        return get_user_model()._default_manager.select_related("staff_profile").filter(pk=user_id)

    _user = Prepared(_users)

    def get_user(self, user_id):
        user = self._user.first(int(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        user = await self._users(user_id).afirst()
        return user if user is not None and self.user_can_authenticate(user) else None


class StaffModelBackend(ProfileJoined, ModelBackend):
    """Django's username and password backend (tablet holders signed in by PIN)."""


class StaffAuthenticationBackend(ProfileJoined, AuthenticationBackend):
    """allauth's email and password backend (the sign-in page)."""
