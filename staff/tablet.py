"""The shared-tablet binding: which store device this browser is, and who holds it.

- The device is a signed, long-lived cookie naming a ``StoreDevice`` row; it survives
  sign-outs, so a locked tablet stays a tablet of its store. Revoking the row ends it.
- The holder is an ordinary Django session (``login()`` after the PIN), so
  ``request.user`` is the associate holding the tablet and every action and card view is
  theirs. The session remembers the device and the holder's last activity; the server
  refuses a holder idle longer than ``TABLET_IDLE_LOCK_MINUTES`` (it signs them out).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login, logout
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .access import Role
from .middleware import SESSION_STORE_KEY
from .models import StaffProfile, StoreDevice

DEVICE_COOKIE = "store_tablet"
DEVICE_SALT = "staff.tablet.device"
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 400  # browsers cap cookies at 400 days
HOLDER_KEY = "tablet_holder"
# Background requests (polls) tell the server they are not a person's activity.
IDLE_HEADER = "X-Tablet-Background"


def idle_seconds() -> int:
    return int(settings.TABLET_IDLE_LOCK_MINUTES * 60)


def device_for(request) -> StoreDevice | None:
    """The registered, unrevoked store device this browser is, or None (one query, only
    when the cookie is there)."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default=None, salt=DEVICE_SALT, max_age=DEVICE_COOKIE_AGE
    )
    if value is None or not value.isdigit():
        return None
    device_id = int(value)
    return (
        StoreDevice.objects.select_related("store")
        .filter(pk=device_id, revoked_at=None, store__is_active=True)
        .first()
    )


def device_cookie_set(response, device: StoreDevice) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        str(device.pk),
        salt=DEVICE_SALT,
        max_age=DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def holder_sign_in(request, *, device: StoreDevice, user) -> None:
    """``user`` now holds ``device``: a fresh session of theirs, in the device's store."""
    login(request, user, backend="staff.backends.StaffModelBackend")
    request.session[HOLDER_KEY] = {"device": device.pk, "seen": int(time.time())}
    request.session[SESSION_STORE_KEY] = device.store_id


def holder_expired(request, device: StoreDevice | None) -> bool:
    """A tablet session whose device is gone or changed, or idle too long."""
    holder = request.session.get(HOLDER_KEY)
    if holder is None:
        return False
    if device is None or holder.get("device") != device.pk:
        return True
    return time.time() - holder.get("seen", 0) > idle_seconds()


def holder_touch(request) -> None:
    """A person used the tablet: push the idle lock back (at most one session write per
    10 s; polls and other background requests don't count)."""
    holder = request.session.get(HOLDER_KEY)
    if holder is None or request.headers.get(IDLE_HEADER):
        return
    now = int(time.time())
    if now - holder.get("seen", 0) >= 10:
        request.session[HOLDER_KEY] = {**holder, "seen": now}


def is_tablet_session(request) -> bool:
    return HOLDER_KEY in getattr(request, "session", {})


def tablet_people(store) -> list[StaffProfile]:
    """The store's active associates, by first name, each with their PIN row (or None)
    as ``.pin``: one query."""
    profiles = (
        StaffProfile.objects.filter(role=Role.ASSOCIATE, stores=store, user__is_active=True)
        .select_related("user", "user__staff_pin")
        .order_by("user__first_name", "user__last_name", "user__pk")
    )
    people = list(profiles)
    for profile in people:
        profile.pin = getattr(profile.user, "staff_pin", None)
    return people


class TabletMiddleware:
    """Sets ``request.device`` (a StoreDevice or None); signs out a tablet holder whose
    idle time ran out (the page goes to the lock screen, htmx included); sends a signed-out
    tablet to its lock screen rather than to the password sign-in."""

    open_prefixes = ("/tablet/", "/accounts/", "/static/", "/i18n/", "/api/", "/admin/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.device = device_for(request) if DEVICE_COOKIE in request.COOKIES else None
        if request.user.is_authenticated:
            if holder_expired(request, request.device):
                logout(request)
                return _to_lock_screen(request)
            holder_touch(request)
        elif request.device is not None and not request.path.startswith(self.open_prefixes):
            return _to_lock_screen(request)
        return self.get_response(request)


def _to_lock_screen(request):
    url = reverse("tablet_lock_screen")
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
