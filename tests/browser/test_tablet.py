"""A shared tablet on the floor: a manager registers it once; associates take turns on it
with their PIN; each card view is logged in the name of whoever holds it; left idle, it
locks itself."""

import pytest
from playwright.sync_api import expect

from customers.models import CardView
from staff.models import StaffProfile
from staff.services import staff_pin_set
from tests.browser.conftest import TABLET_IDLE_SECONDS, box_of, sign_in
from tests.factories import QUICK_HASHER, CustomerFactory, make_staff

Role = StaffProfile.Role


@pytest.fixture(autouse=True)
def _quick_hashes(settings):
    settings.PASSWORD_HASHERS = [QUICK_HASHER]


def take_the_tablet(page, name, pin):
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()  # the pad's script is in: a tap before it would be lost
    for digit in pin:
        page.get_by_role("button", name=digit, exact=True).click()
    expect(page.locator("#id_pin")).to_have_value(pin)
    page.get_by_role("button", name="OK", exact=True).click()
    expect(page.get_by_test_id("signed-in-as")).to_have_text(name)


def test_two_associates_take_turns_on_one_tablet_and_the_log_names_each(
    page, live_server_url, manager, associate, store
):
    hugo = make_staff(Role.ASSOCIATE, store, first_name="Hugo", last_name="Roux")
    staff_pin_set(user=associate, pin="2468")
    staff_pin_set(user=hugo, pin="1357")
    camille = CustomerFactory(first_name="Camille", last_name="Martin")

    # The manager makes this tablet a device of the store, once.
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/me/")
    page.get_by_role("link", name="Enregistrer cette tablette comme appareil du magasin").click()
    page.locator("main").get_by_label("Magasin").select_option(store.code)
    page.get_by_role("button", name="Enregistrer cette tablette").click()
    lock = page.get_by_test_id("lock-screen")
    expect(lock).to_contain_text("Paris Opéra")
    expect(lock.get_by_test_id("person")).to_have_text(["Hugo Roux", "Léa Moreau"])
    for target in lock.get_by_role("link").all():
        assert box_of(target)["height"] >= 44

    # Léa: two taps and her PIN; she opens Camille's card, then locks the tablet.
    take_the_tablet(page, "Léa Moreau", "2468")
    expect(page).to_have_url(f"{live_server_url}/stores/{store.code}/floor/")
    page.goto(f"{live_server_url}/customers/{camille.pk}/")
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()
    page.get_by_test_id("signed-in-as").click()
    page.get_by_test_id("tablet-lock").click()
    expect(page.get_by_test_id("lock-screen")).to_be_visible()

    # Hugo takes over and opens the same card.
    take_the_tablet(page, "Hugo Roux", "1357")
    page.goto(f"{live_server_url}/customers/{camille.pk}/")
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()

    viewers = list(CardView.objects.order_by("viewed_at").values_list("viewer", flat=True))
    assert viewers == [associate.pk, hugo.pk]

    # Left alone, the tablet locks itself and shows the lock screen.
    expect(page.get_by_test_id("lock-screen")).to_be_visible(
        timeout=(TABLET_IDLE_SECONDS + 15) * 1000
    )
    page.goto(f"{live_server_url}/customers/{camille.pk}/")
    expect(page).to_have_url(f"{live_server_url}/tablet/")
    assert CardView.objects.count() == 2
