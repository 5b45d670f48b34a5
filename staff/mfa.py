"""Strong sign-in for managers and head office, with allauth's MFA (TOTP and recovery codes).

- A manager or head office member must have MFA set up: until they do, every page sends
  them to set it up (allauth then asks for their authenticator code at each sign-in).
  Associates may set it up; they are not required to.
- Whether the user has MFA is remembered in the session at sign-in, so pages cost no query.
- Django admin asks more: this very session must have passed an MFA step (sign-in or
  re-authentication); its own login page is allauth's.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .access import Role, has_role

SESSION_MFA_KEY = "staff_mfa_enabled"
MFA_ROLES = (Role.MANAGER, Role.HEAD_OFFICE)


def mfa_required(user) -> bool:
    return user.is_authenticated and has_role(user, *MFA_ROLES)


def session_passed_mfa(request) -> bool:
    """This session's sign-in (or a later re-authentication) included an MFA step."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def remember_mfa(sender, request, user, **kwargs) -> None:
    """On sign-in (``user_logged_in``): remember whether this staff member has MFA."""
    if request is not None and mfa_required(user) and is_mfa_enabled(user):
        request.session[SESSION_MFA_KEY] = user.pk


def forget_mfa(sender, request, user, **kwargs) -> None:
    """An authenticator was removed (``authenticator_removed``): check again."""
    if request is not None:
        request.session.pop(SESSION_MFA_KEY, None)


class MfaRequiredMiddleware:
    """A manager or head office member without MFA set up sees only its set-up pages."""

    open_prefixes = ("/accounts/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.session.get(SESSION_MFA_KEY) != user.pk
            and not request.path.startswith(self.open_prefixes)
            and mfa_required(user)
        ):
            if not is_mfa_enabled(user):
                url = reverse("mfa_activate_totp")
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
            request.session[SESSION_MFA_KEY] = user.pk
        return self.get_response(request)


def admin_has_permission(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and session_passed_mfa(request)


def admin_login(request, extra_context=None):
    """Django admin's sign-in page, reached by anyone admin turned away: staff sign in with
    the app's own form; staff without admin rights go back to the app, told why; head
    office whose session skipped MFA confirm with their authenticator code first."""
    target = request.GET.get("next") or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
    if not (request.user.is_active and request.user.is_staff):
        messages.warning(
            request, _("Django admin is for head office only: here is the app instead.")
        )
        return redirect("home")
    if session_passed_mfa(request):
        return redirect(target)
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': target})}")
