import re

from playwright.sync_api import expect

from tests.browser.conftest import box_of, sign_in
from tests.factories import PASSWORD, totp_code


def test_associate_signs_in_sees_floor_in_french_and_switches_to_english(
    page, live_server_url, associate, store
):
    sign_in(page, live_server_url, associate.email)

    expect(page).to_have_url(f"{live_server_url}/stores/{store.code}/floor/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="En magasin", exact=True)).to_be_visible()
    expect(page.get_by_test_id("store-name")).to_have_text("Paris Opéra")
    expect(page.get_by_test_id("signed-in-as")).to_have_text("Léa Moreau")
    expect(page.get_by_role("link", name="Magasin", exact=True)).to_be_visible()

    # Language and sign-out are in the menu under the person's name.
    page.get_by_test_id("signed-in-as").click()
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="On the floor", exact=True)).to_be_visible()
    page.get_by_test_id("signed-in-as").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # Every button and link in the header is a comfortable touch target.
    for target in page.locator("header a, header button").all():
        box = box_of(target)
        assert box["height"] >= 44, target.inner_text()


def test_wrong_password_is_refused_with_a_message(page, live_server_url, associate):
    sign_in(page, live_server_url, associate.email, password="wrong-password")
    expect(page).to_have_url(f"{live_server_url}/accounts/login/")
    expect(page.get_by_role("alert")).to_be_visible()


def test_a_manager_signs_in_with_the_code_of_their_authenticator_app(
    page, live_server_url, manager, store
):
    page.goto(f"{live_server_url}/accounts/login/")
    page.locator("#id_login").fill(manager.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    # Not signed in yet: allauth asks for the authenticator code.
    expect(page).to_have_url(f"{live_server_url}/accounts/2fa/authenticate/")
    page.locator("#id_code").fill("000000")
    page.locator("#id_code").press("Enter")
    expect(page.locator("main")).to_contain_text("code")
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)

    page.locator("#id_code").fill(totp_code())
    page.locator("#id_code").press("Enter")
    expect(page).to_have_url(re.compile(r"/stores/[\w-]+/floor/$"))
    expect(page.get_by_test_id("signed-in-as")).to_have_text("Marc Petit")
