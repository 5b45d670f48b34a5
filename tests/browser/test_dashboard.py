"""The manager's dashboard in Chromium at tablet size, with live websocket updates."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from customers.models import Customer
from staff.models import StaffProfile
from tests.browser.conftest import box_of, on_the_floor, presence, sign_in
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    StoreFactory,
    VisitFactory,
    WebhookSourceFactory,
    make_staff,
)

Role = StaffProfile.Role


def test_manager_sees_a_client_arrive_then_served_by_an_associate_without_reload(
    page, tablets, live_server_url, store, associate
):
    manager = make_staff(Role.MANAGER, store, first_name="Anne", last_name="Lefèvre")
    ines = CustomerFactory(first_name="Inès", last_name="Garnier")
    ConsentFactory(customer=ines)
    beacons = WebhookSourceFactory(key="opera-beacons")
    sign_in(page, live_server_url, manager.email)
    page.get_by_role("link", name="Tableau de bord", exact=True).click()

    expect(page).to_have_url(f"{live_server_url}/stores/{store.code}/dashboard/")
    expect(page.get_by_role("heading", name="Tableau de bord du magasin")).to_be_visible()
    expect(page.locator("[data-live][data-ws-state=open]")).to_be_attached()
    expect(page.get_by_text("En direct", exact=True)).to_be_visible()
    waiting, served = page.get_by_test_id("waiting"), page.get_by_test_id("served")
    expect(waiting).to_contain_text("Personne n'attend.")
    page.evaluate("window.sameDocument = true")

    # The beacons at the door recognise Inès: a signed entry event.
    presence(live_server_url, beacons, store, ines)

    expect(waiting.get_by_test_id("waiting-client")).to_contain_text("Inès Garnier")
    expect(waiting).to_contain_text("attend depuis")
    expect(page.get_by_test_id("waiting-count")).to_contain_text("1")
    expect(page.get_by_test_id("today-recognised")).to_have_text("1")

    # Léa, on her own tablet, goes to her.
    lea = tablets()
    on_the_floor(lea, live_server_url, associate.email)
    lea.get_by_test_id("floor-card").filter(has_text="Inès Garnier").get_by_role(
        "button", name="Je m’occupe de ce client"
    ).click()

    expect(served.get_by_test_id("served-client")).to_contain_text("Inès Garnier")
    expect(served).to_contain_text("servi par Léa Moreau")
    expect(waiting).to_contain_text("Personne n'attend.")
    expect(page.get_by_test_id("today-served")).to_have_text("1")
    assert page.evaluate("window.sameDocument") is True  # no reload


def test_vip_waiting_too_long_comes_first_and_stands_out(page, live_server_url, store):
    manager = make_staff(Role.MANAGER, store)
    long_ago = timezone.now() - timedelta(minutes=12)
    VisitFactory(
        store=store,
        customer=CustomerFactory(first_name="Paul", last_name="Simon"),
        arrived_at=long_ago - timedelta(minutes=5),
        last_seen_at=timezone.now(),
    )
    VisitFactory(
        store=store,
        arrived_at=long_ago,
        last_seen_at=timezone.now(),
        customer=CustomerFactory(first_name="Zoé", last_name="Roux", tier=Customer.Tier.PLATINUM),
    )
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/stores/{store.code}/dashboard/")

    first = page.get_by_test_id("waiting-client").first
    expect(first).to_contain_text("Zoé Roux")
    expect(first).to_contain_text("Platine")
    expect(first).to_contain_text("Attente trop longue")
    expect(first).to_have_class("presence presence-vip presence-alert")
    expect(page.get_by_test_id("waiting-client").nth(1)).to_contain_text("Paul Simon")
    expect(page.get_by_test_id("trend-7").locator("svg rect.chart-total")).to_have_count(7)
    expect(page.get_by_test_id("trend-30").locator("svg rect.chart-total")).to_have_count(30)
    for size in ({"width": 1024, "height": 768}, {"width": 1180, "height": 820}):
        page.set_viewport_size(size)
        for target in page.locator(
            "main a, main button, main input:not([type=hidden]), main select"
        ).all():
            box = box_of(target)
            assert box["height"] >= 44, target.get_attribute("name") or target.inner_text()
        # Nothing wider than the screen: no sideways scrolling on a tablet.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


def test_head_office_sorts_stores_and_opens_a_board_at_both_tablet_sizes(
    page, live_server_url, store, other_store, head_office
):
    for _ in range(2):
        VisitFactory(store=other_store, arrived_at=timezone.now(), last_seen_at=timezone.now())
    StoreFactory(code="nice-etoile", name="Nice Étoile")
    sign_in(page, live_server_url, head_office.email)
    page.goto(f"{live_server_url}/dashboard/")

    rows = page.get_by_test_id("store-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Lyon Part-Dieu")  # by name
    page.get_by_role("link", name="En attente").click()  # most waiting first
    expect(page).to_have_url(f"{live_server_url}/dashboard/?sort=-waiting")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("En attente")
    expect(rows.first).to_contain_text("Lyon Part-Dieu")
    page.get_by_role("link", name="En attente").click()
    expect(rows.first).not_to_contain_text("Lyon Part-Dieu")
    for size in ({"width": 1024, "height": 768}, {"width": 1180, "height": 820}):
        page.set_viewport_size(size)
        for link in page.locator("main a").all():
            assert box_of(link)["height"] >= 44, link.inner_text()

    page.get_by_role("link", name="Paris Opéra").click()
    expect(page).to_have_url(f"{live_server_url}/stores/{store.code}/dashboard/")
    expect(page.get_by_role("link", name="Tous les magasins")).to_be_visible()


def test_export_with_a_reversed_range_says_what_is_wrong(page, live_server_url, store):
    manager = make_staff(Role.MANAGER, store)
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/stores/{store.code}/dashboard/")
    today = timezone.localdate()
    page.get_by_label(re.compile(r"^Du\b")).fill(today.isoformat())
    page.get_by_label(re.compile(r"^Au\b")).fill((today - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Télécharger le CSV").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "La date de début doit précéder la date de fin"
    )
    page.get_by_label(re.compile(r"^Du\b")).fill((today - timedelta(days=3)).isoformat())
    page.get_by_label(re.compile(r"^Au\b")).fill(today.isoformat())
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger le CSV").click()
    assert download.value.suggested_filename.startswith(f"figures-{store.code}-stores-")
