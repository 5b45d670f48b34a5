"""At tablet size: the server is busy when the associate confirms an order. The tablet
says so, tries again after Retry-After, and the customer gets one order, not two."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from orders.models import Order
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory, StockLevelFactory, VariantFactory


def test_a_busy_server_is_retried_and_the_order_placed_once(
    page, live_server_url, associate, store
):
    tv = VariantFactory(product__name="Téléviseur OLED 55", product__list_price=Decimal("999"))
    StockLevelFactory(store=store, variant=tv, on_hand=1)
    customer = CustomerFactory(first_name="Camille", last_name="Martin")
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/orders/new/?variant={tv.pk}&customer={customer.pk}")
    page.get_by_label("Numéro et rue").fill("12 rue des Lilas")
    page.get_by_label("Code postal").fill("75020")
    page.get_by_label("Ville").fill("Paris")

    # The first "place" reaches the server (the order is made), but the tablet gets the
    # answer of a server at its limit: 503, retry after 1 s.
    busy = []

    def overloaded_once(route):
        request = route.request
        if request.method == "POST" and "action=place" in (request.post_data or "") and not busy:
            route.fetch()
            busy.append(request.post_data)
            route.fulfill(status=503, headers={"Retry-After": "1"}, body="")
        else:
            route.continue_()

    page.route(re.compile(r".*/orders/new/$"), overloaded_once)
    page.get_by_role("button", name="Confirmer la commande").click()

    expect(page.get_by_role("status").filter(has_text="Occupé, nouvel essai…")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"), timeout=10_000)
    assert busy
    order = Order.objects.get()  # the retry carried the same idempotency key
    expect(page.get_by_role("heading", name=f"Commande {order.reference}")).to_be_visible()
