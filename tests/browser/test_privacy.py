"""A shopper withdraws in-store recognition on their phone while their card is on an
associate's tablet: the card leaves the tablet within a second, without a reload."""

import time

from playwright.sync_api import expect

from customers.models import Consent
from customers.services import privacy_code_issue
from tests.browser.conftest import box_of, on_the_floor, presence, sign_in
from tests.factories import ConsentFactory, CustomerFactory, WebhookSourceFactory

PHONE = {"width": 375, "height": 740}
EMAIL = "camille.martin@example.fr"


def test_a_withdrawal_on_the_phone_takes_the_card_off_the_tablet_within_a_second(
    browser, browser_context_args, tablets, live_server_url, associate, store
):
    camille = CustomerFactory(first_name="Camille", last_name="Martin", email=EMAIL)
    ConsentFactory(customer=camille)
    beacons = WebhookSourceFactory(key="opera-beacons")
    tablet = tablets()
    on_the_floor(tablet, live_server_url, associate.email)
    presence(live_server_url, beacons, store, camille)  # a real entry event
    card = tablet.get_by_test_id("floor-card").filter(has_text="Camille Martin")
    expect(card).to_be_visible()

    phone_context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True}
    )
    try:
        phone = phone_context.new_page()
        phone.goto(f"{live_server_url}/privacy/?store={store.code}")
        expect(phone.get_by_role("heading", name="Vos données et vos choix")).to_be_visible()
        # Keyboard order: skip link, language switch, then the email field.
        phone.keyboard.press("Tab")
        expect(phone.get_by_role("link", name="Aller au contenu")).to_be_focused()
        phone.keyboard.press("Tab")
        phone.keyboard.press("Tab")
        expect(phone.get_by_label("Votre e-mail")).to_be_focused()
        phone.get_by_label("Votre e-mail").fill(EMAIL)
        phone.get_by_role("button", name="Recevoir un code par e-mail").click()
        expect(phone.get_by_test_id("code-sent")).to_contain_text("Si cet e-mail nous est connu")

        code = privacy_code_issue(email=EMAIL)  # the code, as the shopper's mailbox has it
        phone.get_by_label("Le code à 6 chiffres reçu par e-mail").fill(code)
        phone.get_by_role("button", name="Ouvrir ma page").click()
        expect(phone.get_by_role("heading", name="Bonjour Camille")).to_be_visible()
        recognition = phone.get_by_test_id("purpose-recognition")
        expect(recognition.get_by_test_id("state-recognition")).to_have_text("Vous avez accepté")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for button in phone.locator("main button").all():
            assert box_of(button)["height"] >= 44

        started = time.monotonic()
        recognition.get_by_role("button", name="Retirer « Reconnaissance en magasin »").click()
        expect(card).to_have_count(0, timeout=1000)
        elapsed = time.monotonic() - started
    finally:
        phone_context.close()

    print(f"card gone from the tablet {elapsed * 1000:.0f} ms after the tap")
    assert elapsed < 1.0, f"the card stayed {elapsed:.2f} s"
    expect(tablet.get_by_test_id("floor-empty")).to_be_visible()
    assert tablet.evaluate("window.__sameDocument") is True  # never reloaded
    latest = camille.consents.latest("recorded_at")
    assert (latest.granted, latest.source, latest.recorded_by) == (
        False,
        Consent.Source.SHOPPER_PAGE,
        None,
    )


def test_an_associate_records_a_withdrawal_on_the_card_in_two_taps(
    tablets, live_server_url, associate, store
):
    camille = CustomerFactory(first_name="Camille", last_name="Martin", preferred_language="en")
    ConsentFactory(customer=camille)
    page = tablets()
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/customers/{camille.pk}/")
    row = page.get_by_test_id("consent-recognition")
    expect(row).to_contain_text("accordé le")

    row.get_by_role("link", name="Enregistrer un retrait").click()  # tap 1
    wording = page.get_by_test_id("consent-wording")
    expect(wording).to_contain_text("From now on we no longer recognise you")  # her language
    record = page.get_by_role("button", name="Enregistrer le retrait")
    assert box_of(record)["height"] >= 44
    record.click()  # tap 2

    expect(page.get_by_test_id("consent-message")).to_contain_text(
        "Enregistré : Camille Martin a retiré « Reconnaissance en magasin »"
    )
    expect(page.get_by_test_id("consent-recognition")).to_contain_text("retiré le")
    latest = camille.consents.latest("recorded_at")
    assert (latest.granted, latest.recorded_by, latest.language) == (False, associate, "en")
