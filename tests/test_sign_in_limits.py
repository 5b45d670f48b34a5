"""Sign-in limits behind a reverse proxy (issue "Trust on the floor", point 6): a forged
X-Forwarded-For does not escape the per-IP limit, and the per-account limit slows a
guesser without locking the owner out (a password reset by email signs them in and lifts
it)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_staff

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LIMITED = "Trop de tentatives de connexion échouées"


def fail(client, email, **headers):
    return client.post(LOGIN, {"login": email, "password": "wrong"}, headers=headers)


def test_by_default_a_varying_x_forwarded_for_does_not_bypass_the_per_ip_limit(client, settings):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0  # the default: the connection's address
    for n in range(10):  # 10 a minute per IP; a different account each time (no per-key limit)
        response = fail(client, f"guess{n}@example.fr", **{"X-Forwarded-For": f"198.51.100.{n}"})
        assert LIMITED not in response.text

    response = fail(client, "guess99@example.fr", **{"X-Forwarded-For": "198.51.100.99"})
    assert LIMITED in response.text or response.status_code == 429


def test_behind_one_proxy_only_the_address_it_saw_counts(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The client forges the left part; the proxy appends the address it saw.
    for n in range(10):
        fail(client, f"guess{n}@example.fr", **{"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.7"})

    forged = fail(client, "guess99@example.fr", **{"X-Forwarded-For": "10.9.9.9, 203.0.113.7"})
    assert LIMITED in forged.text or forged.status_code == 429
    # Another shop's tablet, behind the same proxy, is not affected.
    other = fail(client, "guess98@example.fr", **{"X-Forwarded-For": "203.0.113.8"})
    assert LIMITED not in other.text and other.status_code != 429


def test_the_owner_of_a_locked_account_is_told_how_to_get_in_and_gets_in_by_email(client, store):
    owner = make_staff("associate", store, email="lea@example.fr")
    for _ in range(5):
        fail(client, owner.email)
    locked = fail(client, owner.email)
    assert LIMITED in locked.text
    assert "réinitialisez votre mot de passe par e-mail" in locked.text
    assert "Mot de passe oublié" in locked.text  # the link is on the page

    client.post(reverse("account_reset_password"), {"email": owner.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    set_password = client.get(link.group(1), follow=True)
    response = client.post(
        set_password.redirect_chain[-1][0],
        {"password1": "Nouveau-mot-2-passe", "password2": "Nouveau-mot-2-passe"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)  # signed in by the reset
    client.post("/accounts/logout/")
    again = client.post(LOGIN, {"login": owner.email, "password": "Nouveau-mot-2-passe"})
    assert again.status_code == 302  # the account's limit was lifted
    assert client.session["_auth_user_id"] == str(owner.pk)
