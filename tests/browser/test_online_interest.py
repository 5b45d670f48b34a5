"""At tablet size, in French: an associate opens Monsieur Martin's card; the TV he looked at
three times on the website and saved comes first among his interests, above the jeans he
glanced at since; one tap shows its stock, another opens an order for him with the TV."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import Interaction
from tests.browser.conftest import box_of, sign_in
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    ProductFactory,
    StockLevelFactory,
    StoreFactory,
    VariantFactory,
)


@pytest.mark.parametrize("viewport", [(1024, 768), (768, 1024)])
def test_martins_card_opens_on_the_tv_with_its_stock_and_an_order(
    page, live_server_url, associate, store, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    bastille = StoreFactory(code="paris-bastille", name="Paris Bastille")
    tv = VariantFactory(
        product=ProductFactory(name="Téléviseur OLED 55C4", list_price=Decimal("1299.00"))
    )
    jeans = VariantFactory(product=ProductFactory(name="Jean 501 Original"), size="32")
    StockLevelFactory(store=bastille, variant=tv, on_hand=2)
    martin = CustomerFactory(first_name="Jean", last_name="Martin", email="jean@example.fr")
    now = timezone.now()
    for minutes in (40, 30, 20):
        InteractionFactory(
            customer=martin,
            product=tv.product,
            variant=tv,
            occurred_at=now - timedelta(minutes=minutes),
        )
    InteractionFactory(
        customer=martin,
        product=tv.product,
        variant=tv,
        kind=Interaction.Kind.SAVED,
        occurred_at=now - timedelta(minutes=15),
    )
    InteractionFactory(  # the most recent: a glance
        customer=martin, product=jeans.product, variant=jeans, occurred_at=now
    )

    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/customers/{martin.pk}/")

    interests = page.get_by_test_id("interests")
    expect(interests.get_by_role("heading")).to_have_text("Ses intérêts en ligne")
    first = interests.get_by_test_id("interest").first
    expect(first.get_by_test_id("interest-product")).to_have_text("Téléviseur OLED 55C4")
    expect(first.get_by_test_id("interest-summary")).to_contain_text("Vu 3 fois")
    expect(first.get_by_test_id("interest-summary")).to_contain_text("sur le site, mis de côté")
    expect(first).to_contain_text("Intérêt fort")
    expect(first).to_contain_text("À Paris Bastille")
    expect(interests.get_by_test_id("interest").nth(1)).to_contain_text("Jean 501 Original")
    # Near the top: in view as the card opens, without scrolling.
    assert box_of(first)["y"] + 44 < viewport[1]
    for target in first.locator("a").all():
        assert box_of(target)["height"] >= 44, target.evaluate("e => e.outerHTML")

    # One tap: its stock here and in the other stores.
    first.get_by_role("link", name="Stock ici et ailleurs").click()
    expect(page).to_have_url(re.compile(rf"/stock/variants/{tv.pk}/$"))
    expect(page.get_by_test_id("stock-row").filter(has_text="Paris Bastille")).to_be_visible()

    # One tap: an order for him, with the TV on it.
    page.go_back()
    page.get_by_test_id("interest").first.get_by_role(
        "link", name="Le commander pour ce client"
    ).click()
    expect(page.get_by_test_id("customer-name")).to_have_text("Jean Martin")
    expect(page.get_by_test_id("order-line")).to_contain_text("Téléviseur OLED 55C4")
    expect(page.get_by_test_id("order-line")).not_to_contain_text("Jean 501")
