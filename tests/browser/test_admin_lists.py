"""Head office's admin lists fit a 1024 px tablet: every column on screen, none cut."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from floor.models import PresenceEvent
from tests.browser.conftest import box_of, sign_in
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    OfferFactory,
    VisitFactory,
    WebhookSourceFactory,
)

LISTS = [
    "/admin/floor/presenceevent/",
    "/admin/floor/visit/",
    "/admin/offers/offer/",
    "/admin/auth/user/",
    "/admin/customers/customer/",
]


@pytest.fixture
def some_rows(store):
    customer = CustomerFactory(first_name="Maximilien", last_name="de La Rochefoucauld")
    ConsentFactory(customer=customer)
    visit = VisitFactory(store=store, customer=customer)
    PresenceEvent.objects.create(
        store=store,
        visit=visit,
        customer=customer,
        event=PresenceEvent.Event.ENTER,
        source="beacon",
        webhook_source=WebhookSourceFactory(key="opera-beacons"),
        event_id="e-1",
        occurred_at=timezone.now(),
        outcome=PresenceEvent.Outcome.DUPLICATE,
    )
    OfferFactory(name="Semaine Sony")


@pytest.mark.parametrize("url", LISTS)
def test_admin_list_columns_fit_1024_px(page, live_server_url, head_office, some_rows, url):
    sign_in(page, live_server_url, head_office.email)
    page.goto(live_server_url + url)
    expect(page.locator("#result_list")).to_be_visible()
    width = page.viewport_size["width"]
    for header in page.locator("#result_list thead th").all():
        box = box_of(header)
        assert box["x"] + box["width"] <= width, header.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
