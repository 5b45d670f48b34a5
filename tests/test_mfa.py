"""Strong sign-in: managers and head office must use an authenticator app (TOTP) or a
recovery code after their password; associates may; Django admin needs a session that
passed that step."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache

from staff.models import StaffProfile
from tests.factories import (
    PASSWORD,
    QUICK_HASHER,
    TOTP_SECRET,
    make_staff,
    mfa_login,
    totp_code,
)

Role = StaffProfile.Role
HTMX = {"HX-Request": "true"}
FLOOR = "/stores/paris-opera/floor/"


@pytest.fixture(autouse=True)
def _quick_hashes(settings):
    settings.PASSWORD_HASHERS = [QUICK_HASHER]


def password_step(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def test_a_manager_with_mfa_gives_a_code_after_the_password(client, manager):
    response = password_step(client, manager)
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get(FLOOR).status_code == 302

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(manager.pk)
    assert client.get(FLOOR).status_code == 200


def test_a_totp_code_cannot_be_used_twice(client, manager):
    code = totp_code()
    password_step(client, manager)
    client.post("/accounts/2fa/authenticate/", {"code": code})
    client.post("/accounts/logout/")
    password_step(client, manager)
    replay = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert replay.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_manager_without_mfa_must_set_it_up_before_any_page(client, store, other_store):
    marc = make_staff(Role.MANAGER, store, first_name="Marc")
    Authenticator.objects.filter(user=marc).delete()
    response = password_step(client, marc)
    assert response.status_code == 302
    # Signed in by password, yet every page leads to the set-up, htmx included.
    assert client.get(FLOOR).url == "/accounts/2fa/totp/activate/"
    assert client.get("/dashboard/").url == "/accounts/2fa/totp/activate/"
    htmx = client.get(f"{FLOOR}clients/", headers=HTMX)
    assert htmx.headers["HX-Redirect"] == "/accounts/2fa/totp/activate/"

    # allauth asks to confirm the password before changing how one signs in.
    confirm = client.get("/accounts/2fa/totp/activate/")
    assert confirm.url.startswith("/accounts/reauthenticate/")
    client.post(confirm.url, {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.text  # the QR code to scan
    secret = client.session["mfa.totp.secret"]
    assert secret in page.text  # and the key, to type by hand

    activated = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert activated.url == "/accounts/2fa/recovery-codes/"
    codes = client.get("/accounts/2fa/recovery-codes/")
    assert codes.status_code == 200
    assert client.get(FLOOR).status_code == 200
    kinds = set(Authenticator.objects.filter(user=marc).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}


def test_a_recovery_code_signs_in_once(client, manager):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    recovery = RecoveryCodes.activate(manager)
    code = recovery.get_unused_codes()[0]
    password_step(client, manager)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(manager.pk)
    client.post("/accounts/logout/")
    cache.clear()
    password_step(client, manager)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_managers_cannot_turn_their_authenticator_off(client, manager):
    mfa_login(client, manager)
    client.post("/accounts/2fa/totp/deactivate/", {"code": totp_code()})
    assert Authenticator.objects.filter(user=manager, type="totp").exists()


def test_associates_sign_in_by_password_alone_and_may_set_up_mfa(client, associate):
    response = password_step(client, associate)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(associate.pk)
    assert client.get(FLOOR).status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/accounts/2fa/totp/activate/").url.startswith("/accounts/reauthenticate/")


def test_admin_signs_in_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/offers/offer/")
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == "/accounts/login/"
    assert parse_qs(target.query)["next"] == ["/admin/offers/offer/"]
    assert client.get("/admin/").url.startswith("/admin/login/")


def test_admin_is_refused_to_a_session_that_skipped_mfa(client, head_office):
    client.force_login(head_office)  # a session without the MFA step
    response = client.get("/admin/")
    assert response.status_code == 302
    follow = client.get(response.url)
    assert follow.url == "/accounts/reauthenticate/?next=%2Fadmin%2F" or follow.url.startswith(
        "/accounts/2fa/reauthenticate/"
    )
    # Confirming with the authenticator code opens the admin.
    confirmed = client.post("/accounts/2fa/reauthenticate/?next=/admin/", {"code": totp_code()})
    assert confirmed.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_head_office_after_password_and_code_reaches_admin(client, head_office):
    password_step(client, head_office)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert client.get("/admin/").status_code == 200


def test_the_factory_secret_is_what_the_manager_holds(manager):
    assert Authenticator.objects.get(user=manager, type="totp").data["secret"] == TOTP_SECRET
