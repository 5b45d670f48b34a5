"""One demo account per role. The passwords are fixed and printed: this is demo data.

The manager and head office must sign in with an authenticator code (MFA): their TOTP is
set up with a fixed secret, printed with the logins; add it to an authenticator app, or
print the current code with ``manage.py demo_totp <email>``."""

import time
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password

from catalog.models import Store
from staff.models import StaffProfile

Role = StaffProfile.Role


@dataclass(frozen=True, kw_only=True)
class DemoStaff:
    label: str
    role: str
    username: str
    email: str
    first_name: str
    last_name: str
    password: str
    stores: tuple[str, ...] = ()  # store codes
    admin: bool = False  # Django admin (head office)
    totp_secret: str = ""  # MFA (required of managers and head office)


DEMO_STAFF = (
    DemoStaff(label="Associate", role=Role.ASSOCIATE, username="lea.associate",
              email="lea@demo.clienteling.fr", first_name="Léa", last_name="Moreau",
              password="Vitrine-Lumiere-42", stores=("paris-opera",)),  # noqa: S106
    DemoStaff(label="Manager", role=Role.MANAGER, username="marc.manager",
              email="marc@demo.clienteling.fr", first_name="Marc", last_name="Petit",
              password="Rayon-Horizon-73", stores=("paris-opera", "paris-montparnasse"),  # noqa: S106
              totp_secret="MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"),  # noqa: S106
    DemoStaff(label="Head office", role=Role.HEAD_OFFICE, username="helene.siege",
              email="helene@demo.clienteling.fr", first_name="Hélène", last_name="Bernard",
              password="Siege-Boussole-19", admin=True,  # noqa: S106
              totp_secret="ONSWG4TFORZWK3DFMN2XEZLTMVRXEZLU"),  # noqa: S106
)  # fmt: skip


def staff_users_ensure() -> dict[str, int]:
    """The demo users with their password and verified email; returns role -> user id."""
    ids = {}
    for staff in DEMO_STAFF:
        user, _ = User.objects.update_or_create(
            username=staff.username,
            defaults={
                "email": staff.email,
                "first_name": staff.first_name,
                "last_name": staff.last_name,
                "is_active": True,
                "is_staff": staff.admin,
                "is_superuser": staff.admin,
            },
        )
        validate_password(staff.password, user)
        user.set_password(staff.password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=staff.email, defaults={"verified": True, "primary": True}
        )
        if staff.totp_secret:
            Authenticator.objects.update_or_create(
                user=user,
                type=Authenticator.Type.TOTP,
                defaults={"data": {"secret": staff.totp_secret}},
            )
        ids[staff.role] = user.pk
    return ids


def staff_profiles_ensure(*, user_ids: dict[str, int]) -> None:
    for staff in DEMO_STAFF:
        profile, _ = StaffProfile.objects.update_or_create(
            user_id=user_ids[staff.role], defaults={"role": staff.role}
        )
        profile.stores.set(Store.objects.filter(code__in=staff.stores))


def staff_logins() -> list[str]:
    """One line per account: label, email / password, and where they work."""
    names = dict(Store.objects.values_list("code", "name"))
    lines = []
    for staff in DEMO_STAFF:
        stores = [names[code] for code in staff.stores if code in names]
        where = (
            ("store " if len(stores) == 1 else "stores ") + ", ".join(stores)
            if stores
            else "all stores, Django admin at /admin/"
        )
        lines.append(f"  {staff.label:<13}{staff.email} / {staff.password}   ({where})")
        if staff.totp_secret:
            lines.append(
                f"  {'':<13}authenticator code: add the key {staff.totp_secret} to an "
                f"authenticator app, or run .venv/bin/python manage.py demo_totp {staff.email}"
            )
    return lines


def demo_totp_code(email: str) -> str | None:
    """The code a demo account's authenticator app would show now (demo accounts only)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    secret = next((s.totp_secret for s in DEMO_STAFF if s.email == email), "")
    if not secret:
        return None
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
