"""The live floor in real browsers: two associates' tablets, pushes without reload,
claims, check-in by typing and by scanning, and the floor simulator."""

import re

from django.core.management import call_command
from playwright.sync_api import expect

from floor.models import Visit
from staff.models import StaffProfile
from tests.browser.conftest import box_of, on_the_floor, presence, sign_in
from tests.factories import ConsentFactory, CustomerFactory, WebhookSourceFactory, make_staff

Role = StaffProfile.Role


def test_two_associates_see_a_client_arrive_and_who_serves_them(
    tablets, live_server_url, associate, store
):
    colleague = make_staff(Role.ASSOCIATE, store, first_name="Hugo", last_name="Roux")
    camille = CustomerFactory(first_name="Camille", last_name="Martin", tier="gold")
    ConsentFactory(customer=camille)
    beacons = WebhookSourceFactory(key="opera-beacons")
    lea, hugo = tablets(), tablets()
    on_the_floor(lea, live_server_url, associate.email)
    on_the_floor(hugo, live_server_url, colleague.email)
    expect(lea.get_by_test_id("floor-empty")).to_be_visible()

    presence(live_server_url, beacons, store, camille)

    for page in (lea, hugo):
        card = page.get_by_test_id("floor-card").filter(has_text="Camille Martin")
        expect(card).to_be_visible()
        expect(card).to_contain_text("Or")
        expect(card.get_by_test_id("served-by")).to_have_text("Personne ne s’en occupe encore")
        expect(page.get_by_test_id("floor-empty")).to_be_hidden()

    lea.get_by_role("button", name="Je m’occupe de ce client").click()

    lea_card = lea.get_by_test_id("floor-card").filter(has_text="Camille Martin")
    hugo_card = hugo.get_by_test_id("floor-card").filter(has_text="Camille Martin")
    expect(hugo_card.get_by_test_id("served-by")).to_have_text(
        re.compile(r"^Avec Léa Moreau depuis \d\d:\d\d$")
    )
    expect(hugo_card.get_by_role("button", name="Terminé")).to_be_hidden()
    expect(hugo_card.get_by_role("button", name="Je m’occupe de ce client")).to_have_count(0)
    expect(lea_card.get_by_role("button", name="Terminé")).to_be_visible()

    lea_card.get_by_role("button", name="Terminé").click()
    expect(hugo_card.get_by_test_id("served-by")).to_have_text("Servi par Léa Moreau")

    presence(live_server_url, beacons, store, camille, event="exit")
    for page in (lea, hugo):
        expect(page.get_by_test_id("floor-card")).to_have_count(0)
        expect(page.get_by_test_id("floor-empty")).to_be_visible()
        assert page.evaluate("window.__sameDocument") is True  # never reloaded


def test_check_in_by_typing_then_two_taps_to_the_card_and_a_note(
    tablets, live_server_url, associate, store
):
    CustomerFactory(first_name="Camille", last_name="Martin", loyalty_number="FID000123")
    page = tablets()
    on_the_floor(page, live_server_url, associate.email)

    page.get_by_label("Enregistrer un client").fill("martin")
    results = page.get_by_test_id("checkin-results")
    expect(results).to_contain_text("Camille Martin")  # as you type
    page.get_by_label("Enregistrer un client").fill("FID000123")
    page.get_by_role("button", name="Enregistrer l’arrivée", exact=True).click()

    expect(page.get_by_test_id("checkin-message")).to_contain_text("Camille Martin")
    card = page.get_by_test_id("floor-card").filter(has_text="Camille Martin")
    expect(card.get_by_test_id("served-by")).to_contain_text("Avec Léa Moreau")
    expect(card.get_by_role("button", name="Terminé")).to_be_visible()
    for button in card.locator("a, button").all():
        if button.is_visible():
            assert box_of(button)["height"] >= 44

    card.get_by_test_id("open-card").click()  # one tap to the full card
    expect(page.get_by_role("heading", name="Camille Martin", level=1)).to_be_visible()
    expect(page.get_by_test_id("serving")).to_contain_text("Au service de : Camille Martin")
    expect(page.get_by_test_id("in-store-now")).to_contain_text("Avec Léa Moreau")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024  # no sideways scroll

    page.get_by_label("Nouvelle note").fill("Cherche une barre de son.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_test_id("note").first).to_contain_text("Cherche une barre de son.")
    page.get_by_label("Nouvelle note").fill("   ")  # nothing but spaces
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_text("Écrivez d’abord la note.")).to_be_visible()

    page.get_by_role("button", name="Ne plus servir ce client").click()
    expect(page.get_by_test_id("serving")).to_have_count(0)


def test_scanning_a_loyalty_card_checks_the_client_in(
    browser, browser_context_args, live_server_url, associate, store
):
    CustomerFactory(first_name="Inès", last_name="Girard", loyalty_number="FID000777")
    context = browser.new_context(**browser_context_args)
    # This Chromium has no camera nor BarcodeDetector: stand in for both.
    context.add_init_script(
        """
        window.BarcodeDetector = class {
          static async getSupportedFormats() { return ["qr_code", "code_128"]; }
          async detect() { return [{ rawValue: "FID000777" }]; }
        };
        navigator.mediaDevices.getUserMedia = async () => {
          const canvas = document.createElement("canvas");
          canvas.getContext("2d").fillRect(0, 0, 10, 10);
          return canvas.captureStream(5);
        };
        """
    )
    page = context.new_page()
    on_the_floor(page, live_server_url, associate.email)

    page.get_by_role("button", name="Scanner la carte").click()

    expect(page.get_by_test_id("floor-card").filter(has_text="Inès Girard")).to_be_visible()
    assert Visit.objects.get().source == Visit.Source.SCAN
    context.close()


def test_without_a_camera_the_scan_button_stays_hidden(tablets, live_server_url, associate):
    page = tablets()
    page.add_init_script("Object.defineProperty(navigator, 'mediaDevices', { value: undefined })")
    on_the_floor(page, live_server_url, associate.email)
    expect(page.get_by_role("button", name="Scanner la carte")).to_be_hidden()
    expect(page.get_by_label("Enregistrer un client")).to_be_visible()


def test_without_a_barcode_reader_the_camera_button_is_still_offered(
    tablets, live_server_url, associate
):
    page = tablets()  # this Chromium has no BarcodeDetector: the vendored decoder stands in
    on_the_floor(page, live_server_url, associate.email)
    assert page.evaluate("'BarcodeDetector' in window") is False
    expect(page.get_by_role("button", name="Scanner la carte")).to_be_visible()
    assert box_of(page.get_by_role("button", name="Scanner la carte"))["height"] >= 44


def test_the_simulator_makes_cards_arrive(tablets, live_server_url, associate, store):
    for first in ("Anna", "Bruno", "Chloé"):
        ConsentFactory(customer=CustomerFactory(first_name=first, last_name="Demo"))
    page = tablets()
    on_the_floor(page, live_server_url, associate.email)

    call_command("simulate_floor", store=store.code, url=live_server_url, events=3, interval=0)

    expect(page.get_by_test_id("floor-card")).to_have_count(3)


def test_customer_search_as_you_type_and_the_card_at_the_larger_tablet_size(
    tablets, live_server_url, associate
):
    for i in range(25):
        CustomerFactory(first_name="Paul", last_name=f"Durand{i:02d}")
    page = tablets()
    page.set_viewport_size({"width": 1180, "height": 820})
    sign_in(page, live_server_url, associate.email)
    page.get_by_role("link", name="Clients").click()
    page.wait_for_load_state()  # htmx is in: a letter typed before it would search nothing

    page.get_by_label("Nom, e-mail, téléphone ou numéro de fidélité").press_sequentially("dura")
    expect(page.get_by_test_id("customer-row")).to_have_count(20)
    expect(page).to_have_url(re.compile(r"q=dura"))
    page.get_by_role("link", name="Suivants").click()
    expect(page.get_by_test_id("customer-row")).to_have_count(5)

    page.get_by_role("link", name="Paul Durand24").click()
    expect(page.get_by_role("heading", name="Paul Durand24", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1180  # no sideways scroll
