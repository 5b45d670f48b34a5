"""Shared store tablets: registering a device, personal PINs, switching holders.

Invariants:
- A PIN is stored only as a Django password hash; it is checked against one chosen
  person (the name tapped on the lock screen), never looked up by its value.
- Every wrong PIN is counted on the person's row, committed even though the switch is
  refused; at ``PIN_MAX_FAILURES`` in a row the PIN is locked until a manager unlocks it.
- A device counts PIN attempts in the shared cache too (``PIN_ATTEMPTS_PER_MINUTE``),
  so one tablet cannot try PINs against the whole team quickly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import Store

from .models import StaffPin, StoreDevice

PIN_MAX_FAILURES = 5
PIN_ATTEMPTS_PER_MINUTE = 10


class PinError(Exception):
    """A refused PIN switch; ``status`` is the HTTP status the page answers with."""

    def __init__(self, message: str, *, status: int = 422):
        super().__init__(message)
        self.status = status


def pin_validate(pin: str) -> None:
    """4 to 6 digits, not one digit repeated nor a straight run (1234, 9876)."""
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 6):
        raise PinError(_("A PIN is 4 to 6 digits."))
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in zip(digits, digits[1:], strict=False)}
    if steps in ({0}, {1}, {-1}):
        raise PinError(_("This PIN is too easy to guess: avoid repeated or consecutive digits."))


@transaction.atomic
def staff_pin_set(*, user, pin: str) -> StaffPin:
    """Set (or replace) ``user``'s PIN; a new PIN also lifts a lock."""
    pin_validate(pin)
    staff_pin, _created = StaffPin.objects.update_or_create(
        user=user, defaults={"pin": make_password(pin), "failures": 0, "locked_at": None}
    )
    return staff_pin


@transaction.atomic
def staff_pin_unlock(*, user) -> None:
    """A manager lifts the lock after too many wrong tries (the PIN stays the same)."""
    StaffPin.objects.filter(user=user).update(failures=0, locked_at=None)


def _rate_limit(device: StoreDevice) -> None:
    key = f"tablet-pin-attempts:{device.pk}"
    cache.add(key, 0, timeout=60)
    if cache.incr(key) > PIN_ATTEMPTS_PER_MINUTE:
        raise PinError(_("Too many tries on this tablet: wait a minute."), status=429)


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    locked: bool
    left: int


def _pin_check(*, user_id: int, pin: str) -> _Outcome:
    """Check and count, committed whatever the result."""
    with transaction.atomic():
        staff_pin = StaffPin.objects.select_for_update().filter(user_id=user_id).first()
        if staff_pin is None:
            return _Outcome(ok=False, locked=False, left=-1)
        if staff_pin.is_locked:
            return _Outcome(ok=False, locked=True, left=0)
        if check_password(pin, staff_pin.pin):
            if staff_pin.failures:
                staff_pin.failures = 0
                staff_pin.save(update_fields=["failures"])
            return _Outcome(ok=True, locked=False, left=PIN_MAX_FAILURES)
        staff_pin.failures += 1
        if staff_pin.failures >= PIN_MAX_FAILURES:
            staff_pin.locked_at = timezone.now()
        staff_pin.save(update_fields=["failures", "locked_at"])
        return _Outcome(
            ok=False, locked=staff_pin.is_locked, left=PIN_MAX_FAILURES - staff_pin.failures
        )


def tablet_switch(*, device: StoreDevice, user, pin: str) -> None:
    """Check ``user``'s PIN on ``device``; raises PinError when the switch is refused.
    The caller signs ``user`` in on the device's browser session."""
    _rate_limit(device)
    outcome = _pin_check(user_id=user.pk, pin=pin)
    if outcome.ok:
        return
    if outcome.left < 0:
        raise PinError(_("No PIN yet: set one on your profile page, or ask a manager."))
    if outcome.locked:
        raise PinError(
            _("This PIN is locked after too many wrong tries: ask a manager to unlock it."),
            status=423,
        )
    message = ngettext(
        "Wrong PIN. %(left)s try left.", "Wrong PIN. %(left)s tries left.", outcome.left
    )
    raise PinError(message % {"left": outcome.left})


@transaction.atomic
def store_device_register(*, store: Store, name: str, by) -> StoreDevice:
    return StoreDevice.objects.create(store=store, name=name.strip(), registered_by=by)


@transaction.atomic
def store_device_revoke(*, device: StoreDevice) -> None:
    StoreDevice.objects.filter(pk=device.pk, revoked_at=None).update(revoked_at=timezone.now())
