"""Shared store tablets: registered once by a manager, associates switch with a PIN, the
tablet locks itself when idle, and everything done on it is in the holder's name."""

import time

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.test import Client

from customers.models import CardView
from floor.models import Visit
from staff.models import StaffPin, StaffProfile, StoreDevice
from staff.services import PIN_MAX_FAILURES, staff_pin_set
from staff.tablet import DEVICE_COOKIE, HOLDER_KEY
from tests.factories import (
    PASSWORD,
    QUICK_HASHER,
    CustomerFactory,
    VisitFactory,
    make_staff,
)

Role = StaffProfile.Role
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _quick_hashes(settings):
    settings.PASSWORD_HASHERS = [QUICK_HASHER]


@pytest.fixture
def colleague(store):
    return make_staff(Role.ASSOCIATE, store, first_name="Hugo", last_name="Roux")


@pytest.fixture
def tablet(client, manager, store, associate, colleague):
    """A browser registered as a tablet of ``store``; Léa's PIN is 2468, Hugo's 1357."""
    staff_pin_set(user=associate, pin="2468")
    staff_pin_set(user=colleague, pin="1357")
    client.force_login(manager)
    response = client.post("/tablet/register/", {"store": store.code, "name": "Caisse 1"})
    assert response.status_code == 302
    assert response.url == "/tablet/"
    assert DEVICE_COOKIE in client.cookies
    return client


def switch(client, user, pin):
    return client.post(f"/tablet/{user.pk}/", {"pin": pin})


def holder(client):
    return client.get("/me/").context["user"]


def test_a_manager_registers_a_tablet_which_then_shows_its_store_lock_screen(
    tablet, manager, store, associate, colleague, django_assert_max_num_queries
):
    device = StoreDevice.objects.get()
    assert (device.store, device.name, device.registered_by) == (store, "Caisse 1", manager)
    # The manager is signed out: the tablet is locked, in its store's name.
    assert "_auth_user_id" not in tablet.session
    with django_assert_max_num_queries(4):
        page = tablet.get("/tablet/")
    assert page.status_code == 200
    assert "Paris Opéra" in page.text
    assert "Léa Moreau" in page.text and "Hugo Roux" in page.text
    assert "Marc Petit" not in page.text  # managers sign in by password (and MFA)
    # Any other page of a locked tablet leads to the lock screen, not the password form.
    assert tablet.get("/").url == "/tablet/"


def test_an_associate_cannot_register_a_tablet(associate_client, store):
    response = associate_client.post("/tablet/register/", {"store": store.code, "name": "X"})
    assert response.status_code == 403
    assert not StoreDevice.objects.exists()


def test_a_browser_that_is_not_a_tablet_has_no_lock_screen(client, associate):
    staff_pin_set(user=associate, pin="2468")
    assert client.get("/tablet/").status_code == 403
    assert switch(client, associate, "2468").status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_pin_is_stored_hashed_with_django_hashers_and_checked(associate):
    staff_pin_set(user=associate, pin="2468")
    stored = StaffPin.objects.get(user=associate).pin
    assert "2468" not in stored
    assert identify_hasher(stored).algorithm == "pbkdf2_sha256"
    assert check_password("2468", stored)
    assert not check_password("2469", stored)


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", "1111", "1234", "98765", "٢٤٦٨"])
def test_weak_or_malformed_pins_are_refused_on_the_profile_page(associate_client, associate, pin):
    response = associate_client.post("/me/", {"password": PASSWORD, "pin": pin, "pin_again": pin})
    assert response.status_code == 422
    assert not StaffPin.objects.exists()


def test_an_associate_sets_their_pin_with_their_password(associate_client, associate):
    wrong = associate_client.post("/me/", {"password": "nope", "pin": "2468", "pin_again": "2468"})
    assert wrong.status_code == 422
    assert "Ce n’est pas votre mot de passe." in wrong.text
    assert not StaffPin.objects.exists()
    ok = associate_client.post("/me/", {"password": PASSWORD, "pin": "2468", "pin_again": "2468"})
    assert ok.status_code == 302
    assert StaffPin.objects.get(user=associate)


def test_the_right_pin_signs_the_associate_in_on_the_tablet_in_its_store(
    tablet, associate, colleague, store
):
    response = switch(tablet, associate, "2468")
    assert response.status_code == 302
    assert response.url == f"/stores/{store.code}/floor/"
    assert holder(tablet) == associate
    # The second associate takes over in two taps: their name, their PIN.
    assert switch(tablet, colleague, "1357").status_code == 302
    assert holder(tablet) == colleague


def test_five_wrong_pins_lock_it_until_a_manager_unlocks_it(tablet, associate, manager, store):
    for tries_left in range(PIN_MAX_FAILURES - 1, 0, -1):
        wrong = switch(tablet, associate, "9999")
        assert wrong.status_code == 422
        assert f"{tries_left} essai" in wrong.text
    locked = switch(tablet, associate, "9999")
    assert locked.status_code == 423
    assert "verrouillé" in locked.text
    # Even the right PIN is refused now; nobody is signed in.
    assert switch(tablet, associate, "2468").status_code == 423
    assert "_auth_user_id" not in tablet.session
    assert "Code verrouillé : voyez un responsable" in tablet.get("/tablet/").text

    office = Client()
    office.force_login(manager)
    team = office.get(f"/stores/{store.code}/team/")
    assert "verrouillé" in team.text
    assert office.post(f"/stores/{store.code}/team/{associate.pk}/pin/").status_code == 302
    assert switch(tablet, associate, "2468").status_code == 302
    assert holder(tablet) == associate


def test_a_manager_can_give_a_new_pin_but_only_to_their_stores_associates(
    client, manager, associate, other_store
):
    elsewhere = make_staff(Role.ASSOCIATE, other_store)
    outsider_store_associate = make_staff(Role.ASSOCIATE)
    client.force_login(manager)
    response = client.post(f"/stores/paris-opera/team/{associate.pk}/pin/", {"pin": "8642"})
    assert response.status_code == 302
    assert StaffPin.objects.get(user=associate)
    # An associate of another store is not found under this store.
    response = client.post(f"/stores/paris-opera/team/{elsewhere.pk}/pin/", {"pin": "8642"})
    assert response.status_code == 404
    response = client.post(
        f"/stores/paris-opera/team/{outsider_store_associate.pk}/pin/", {"pin": "8642"}
    )
    assert response.status_code == 404
    bad = client.post(f"/stores/paris-opera/team/{associate.pk}/pin/", {"pin": "12"})
    assert bad.status_code == 422


def test_an_associate_cannot_reset_pins(associate_client, associate, store):
    response = associate_client.post(f"/stores/{store.code}/team/{associate.pk}/pin/")
    assert response.status_code == 403


def test_pin_tries_on_one_tablet_are_rate_limited(tablet, associate, colleague, store):
    # Ten tries a minute per tablet, whoever is tried: the eleventh is refused unchecked.
    for person in [associate, colleague] * 2:
        switch(tablet, person, "9999")
    third = make_staff(Role.ASSOCIATE, store, first_name="Inès")
    staff_pin_set(user=third, pin="4826")
    for _ in range(4):
        switch(tablet, third, "9999")
    switch(tablet, colleague, "9999")
    assert switch(tablet, third, "4826").status_code == 302  # the tenth
    response = switch(tablet, associate, "2468")
    assert response.status_code == 429
    assert StaffPin.objects.get(user=associate).failures == 2  # not counted against her


def _age_holder(client, seconds):
    session = client.session
    session[HOLDER_KEY] = {**session[HOLDER_KEY], "seen": int(time.time()) - seconds}
    session.save()


def test_an_idle_tablet_is_refused_and_goes_to_its_lock_screen(tablet, associate, store, settings):
    settings.TABLET_IDLE_LOCK_MINUTES = 3
    switch(tablet, associate, "2468")
    _age_holder(tablet, 2 * 60)
    assert tablet.get(f"/stores/{store.code}/floor/").status_code == 200  # still hers
    _age_holder(tablet, 3 * 60 + 5)
    response = tablet.get(f"/stores/{store.code}/floor/")
    assert response.status_code == 302
    assert response.url == "/tablet/"
    assert "_auth_user_id" not in tablet.session
    # An htmx tap is sent to the lock screen as a whole page, not a fragment.
    switch(tablet, associate, "2468")
    _age_holder(tablet, 3 * 60 + 5)
    response = tablet.get(f"/stores/{store.code}/floor/clients/", headers=HTMX)
    assert response.headers["HX-Redirect"] == "/tablet/"


def test_polls_do_not_keep_the_tablet_awake_but_a_tap_does(tablet, associate, store):
    switch(tablet, associate, "2468")
    _age_holder(tablet, 60)
    tablet.get(f"/stores/{store.code}/floor/clients/", headers={**HTMX, "X-Tablet-Background": "1"})
    assert time.time() - tablet.session[HOLDER_KEY]["seen"] >= 60
    tablet.post("/tablet/awake/")
    assert time.time() - tablet.session[HOLDER_KEY]["seen"] < 5


def test_the_lock_button_signs_out_and_keeps_the_tablet_a_store_device(tablet, associate):
    switch(tablet, associate, "2468")
    response = tablet.post("/tablet/lock/")
    assert response.url == "/tablet/"
    assert "_auth_user_id" not in tablet.session
    assert tablet.get("/tablet/").status_code == 200


def test_a_revoked_tablet_is_no_longer_a_store_device(tablet, associate):
    switch(tablet, associate, "2468")
    StoreDevice.objects.update(revoked_at="2026-01-01T00:00Z")
    # The holder's session ends with the device.
    assert tablet.get("/").url == "/tablet/"
    assert "_auth_user_id" not in tablet.session
    assert tablet.get("/tablet/").status_code == 403


def test_card_views_and_claims_are_in_the_holders_name(tablet, associate, colleague, store):
    camille = CustomerFactory(first_name="Camille")
    visit = VisitFactory(store=store, customer=camille)

    switch(tablet, associate, "2468")
    assert tablet.get(f"/customers/{camille.pk}/").status_code == 200
    claim = f"/stores/{store.code}/floor/visits/{visit.pk}/claim/"
    assert tablet.post(claim, headers=HTMX).status_code == 200
    assert Visit.objects.get().attended_by == associate
    tablet.post(f"/stores/{store.code}/floor/visits/{visit.pk}/release/", headers=HTMX)

    switch(tablet, colleague, "1357")
    assert tablet.get(f"/customers/{camille.pk}/").status_code == 200
    assert tablet.post(claim, headers=HTMX).status_code == 200
    assert Visit.objects.get().attended_by == colleague

    log = list(CardView.objects.order_by("viewed_at").values_list("viewer", "store"))
    assert log == [(associate.pk, store.pk), (colleague.pk, store.pk)]


def test_team_and_profile_pages_cost_the_same_whatever_the_team_size(
    client, manager, store, django_assert_max_num_queries
):
    for n in range(6):
        staff_pin_set(user=make_staff(Role.ASSOCIATE, store, first_name=f"A{n}"), pin="2468")
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        team = client.get(f"/stores/{store.code}/team/")
    assert team.text.count('data-testid="team-member"') == 6
    with django_assert_max_num_queries(8):
        assert client.get("/me/").status_code == 200
