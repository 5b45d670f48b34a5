"""Signing out ends the live floor everywhere in the browser: the other tab goes to the
sign-in page and shows no new card."""

from playwright.sync_api import expect

from tests.browser.conftest import on_the_floor, presence, sign_in
from tests.factories import ConsentFactory, CustomerFactory, WebhookSourceFactory


def test_sign_out_in_another_tab_takes_the_floor_to_sign_in(
    tablets, live_server_url, associate, store
):
    camille = CustomerFactory(first_name="Camille", last_name="Martin")
    ConsentFactory(customer=camille)
    beacons = WebhookSourceFactory(key="opera-beacons")
    floor = tablets()
    on_the_floor(floor, live_server_url, associate.email)

    other_tab = floor.context.new_page()
    other_tab.goto(f"{live_server_url}/")
    other_tab.get_by_test_id("signed-in-as").click()
    other_tab.get_by_role("button", name="Se déconnecter").click()
    expect(other_tab.locator("#id_login")).to_be_visible()

    presence(live_server_url, beacons, store, camille)

    # The floor tab leaves for the sign-in page (and will come back to the floor).
    expect(floor.locator("#id_login")).to_be_visible(timeout=3000)
    assert "/accounts/login/?next=%2Fstores%2Fparis-opera%2Ffloor%2F" in floor.url
    expect(floor.get_by_text("Camille Martin")).to_have_count(0)


def test_a_signed_out_search_as_you_type_goes_to_sign_in_not_into_the_results(
    tablets, live_server_url, associate, store
):
    CustomerFactory(first_name="Camille", last_name="Martin")
    page = tablets()
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/customers/")

    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server_url}/")
    other_tab.get_by_test_id("signed-in-as").click()
    other_tab.get_by_role("button", name="Se déconnecter").click()
    expect(other_tab.locator("#id_login")).to_be_visible()

    page.locator("#customer-q").press_sequentially("martin")

    expect(page.locator("#id_login")).to_be_visible(timeout=3000)
    assert "/accounts/login/?next=%2Fcustomers%2F" in page.url
    expect(page.get_by_test_id("customer-results")).to_have_count(0)
