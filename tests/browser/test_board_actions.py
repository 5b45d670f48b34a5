"""The manager's board acts and speaks the page's language: live columns in English for an
English browser, the anonymous count pushed at once, a waiting client's card one tap away,
and an associate sent to them told on their tablet."""

import json
import urllib.request
import uuid

from django.utils import timezone
from playwright.sync_api import expect

from integrations.webhooks import signed_headers
from staff.models import StaffProfile
from tests.browser.conftest import box_of, on_the_floor, presence, sign_in
from tests.factories import ConsentFactory, CustomerFactory, WebhookSourceFactory, make_staff

Role = StaffProfile.Role


def stranger_enters(base_url, source, store):
    body = json.dumps(
        {
            "store": store.code,
            "identifier_kind": "loyalty_number",
            "identifier": f"UNKNOWN-{uuid.uuid4().hex[:8]}",
            "event": "enter",
            "occurred_at": timezone.now().isoformat(),
            "event_id": uuid.uuid4().hex,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base_url}/api/presence/",
        data=body,
        headers={"Content-Type": "application/json", **signed_headers(source, body)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 202


def test_board_in_an_english_browser_is_english_and_counts_strangers_live(
    browser, browser_context_args, live_server_url, store
):
    manager = make_staff(Role.MANAGER, store, first_name="Anne", last_name="Lefèvre")
    ines = CustomerFactory(first_name="Inès", last_name="Garnier")
    ConsentFactory(customer=ines)
    beacons = WebhookSourceFactory(key="opera-beacons")
    context = browser.new_context(**{**browser_context_args, "locale": "en-GB"})
    page = context.new_page()
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/stores/{store.code}/dashboard/")
    expect(page.locator("[data-live][data-ws-state=open]")).to_be_attached()
    waiting = page.get_by_test_id("waiting")
    expect(waiting).to_contain_text("Nobody is waiting.")

    presence(live_server_url, beacons, store, ines)
    expect(waiting.get_by_test_id("waiting-client")).to_contain_text("Inès Garnier")
    expect(waiting).to_contain_text("waiting")
    expect(waiting).not_to_contain_text("attend")
    expect(page.get_by_test_id("today")).to_contain_text("Recognised visits")

    stranger_enters(live_server_url, beacons, store)
    # Pushed, well before the 30 s safety poll.
    expect(page.get_by_test_id("anonymous-count").locator(".stat-value")).to_have_text(
        "1", timeout=5000
    )
    context.close()


def test_manager_opens_a_waiting_clients_card_and_sends_an_associate(
    page, tablets, live_server_url, store, associate
):
    manager = make_staff(Role.MANAGER, store, first_name="Anne", last_name="Lefèvre")
    ines = CustomerFactory(first_name="Inès", last_name="Garnier")
    ConsentFactory(customer=ines)
    hugo = make_staff(Role.ASSOCIATE, store, first_name="Hugo", last_name="Bernard")
    beacons = WebhookSourceFactory(key="opera-beacons")
    lea = tablets()
    on_the_floor(lea, live_server_url, associate.email)
    presence(live_server_url, beacons, store, ines)
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/stores/{store.code}/dashboard/")
    expect(page.locator("[data-live][data-ws-state=open]")).to_be_attached()
    client = page.get_by_test_id("waiting-client").filter(has_text="Inès Garnier")

    choice = client.get_by_label("Vendeur à envoyer à Inès Garnier")
    expect(choice).to_have_value(str(hugo.pk))  # first in the list
    choice.select_option(label="Léa Moreau")
    # A push re-renders the board while the manager is about to tap "Send": the choice stays.
    stranger_enters(live_server_url, beacons, store)
    expect(page.get_by_test_id("anonymous-count").locator(".stat-value")).to_have_text("1")
    expect(choice).to_have_value(str(associate.pk))
    send = client.get_by_role("button", name="Envoyer")
    expect(send).to_be_enabled()
    assert box_of(send)["height"] >= 44
    send.click()

    expect(page.get_by_test_id("sent-message")).to_have_text("Demande envoyée à Léa Moreau.")
    expect(client).to_contain_text("Léa Moreau est en route")
    card = lea.get_by_test_id("floor-card").filter(has_text="Inès Garnier")
    expect(card.get_by_test_id("sent-to")).to_have_text(
        "Anne Lefèvre demande à Léa Moreau de s’occuper de ce client"
    )
    card.get_by_role("button", name="Je m’occupe de ce client").click()
    expect(card.get_by_test_id("sent-to")).to_have_count(0)
    expect(page.get_by_test_id("served")).to_contain_text("Inès Garnier")  # on the board, live


def test_a_waiting_clients_card_is_one_tap_from_the_board(page, live_server_url, store):
    manager = make_staff(Role.MANAGER, store, first_name="Anne", last_name="Lefèvre")
    ines = CustomerFactory(first_name="Inès", last_name="Garnier")
    ConsentFactory(customer=ines)
    presence(live_server_url, WebhookSourceFactory(key="opera-beacons"), store, ines)
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/stores/{store.code}/dashboard/")

    page.get_by_test_id("waiting-card").filter(has_text="Inès Garnier").click()

    expect(page.get_by_role("heading", name="Inès Garnier", level=1)).to_be_visible()
    expect(page.get_by_test_id("in-store-now")).to_contain_text("Personne ne s’en occupe")
