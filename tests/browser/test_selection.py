"""An associate builds a selection on a client's card, sends it by email; the client opens
the link from that email on their phone; the card then says they opened it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.services import product_search_refresh
from customers.models import Consent
from integrations.models import OutboundMessage
from tests.browser.conftest import box_of, sign_in
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    ProductFactory,
    StockLevelFactory,
    VariantFactory,
)

PHONE = {"width": 375, "height": 740}


@pytest.mark.parametrize("tablet", [(1024, 768), (768, 1024)], ids=["landscape", "portrait"])
def test_a_selection_built_on_the_card_is_opened_on_the_phone_and_the_card_shows_it(
    browser, browser_context_args, page, live_server_url, associate, store, other_store, tablet
):
    camille = CustomerFactory(first_name="Camille", last_name="Martin", email="camille@example.fr")
    ConsentFactory(customer=camille, purpose=Consent.Purpose.MARKETING_EMAIL, source="store")
    oled = VariantFactory(
        product=ProductFactory(name="Téléviseur OLED 55", list_price=Decimal("1299.00")),
        colour="noir",
    )
    StockLevelFactory(store=store, variant=oled, on_hand=2)
    StockLevelFactory(store=other_store, variant=oled, on_hand=1)
    product_search_refresh()

    page.set_viewport_size({"width": tablet[0], "height": tablet[1]})
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/customers/{camille.pk}/")
    section = page.get_by_test_id("messaging")
    expect(section.get_by_test_id("channel-email")).to_contain_text("possible")
    expect(section.get_by_test_id("refusal-sms")).to_contain_text(
        "Camille Martin n’a pas accepté les SMS commerciaux."
    )

    # The card's later parts (suggestions, offers) arrive right after its first paint:
    # the associate types once the page has finished loading them.
    page.wait_for_load_state("networkidle")
    section.get_by_placeholder("Chercher un produit à ajouter").fill("oled")
    result = page.get_by_test_id("selection-add").first
    expect(result).to_contain_text("noir")
    result.get_by_placeholder("Note pour le client (facultatif)").fill("Parfait pour votre salon")
    result.get_by_role("button", name="Ajouter").click()
    item = page.get_by_test_id("selection-item")
    expect(item).to_contain_text("Téléviseur OLED 55")
    expect(item).to_contain_text("Parfait pour votre salon")

    for target in section.locator("button, input, select, textarea").all():
        if target.is_visible():
            assert box_of(target)["height"] >= 44, target.evaluate("e => e.outerHTML")
    send = page.get_by_role("button", name="Envoyer la sélection par e-mail")
    send.click()
    expect(page.get_by_test_id("messaging-message")).to_contain_text("E-mail à camille@example.fr")
    expect(page.get_by_test_id("sent-message").first).to_contain_text("Sélection de produits")

    email = OutboundMessage.objects.get(kind="message.selection")
    assert email.to == ["camille@example.fr"]
    path = re.search(r"https?://[^/\s]+(/selection/\S+/)", email.body).group(1)

    phone_context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True}
    )
    try:
        phone = phone_context.new_page()
        phone.goto(f"{live_server_url}{path}")
        expect(phone.get_by_role("heading", name="Choisi pour vous à Paris Opéra")).to_be_visible()
        product = phone.get_by_test_id("selection-product")
        expect(product).to_contain_text("Téléviseur OLED 55")
        expect(product.get_by_test_id("selection-note")).to_contain_text("Parfait pour votre salon")
        expect(product.get_by_test_id("selection-price")).to_contain_text("1\u202f299,00\xa0€")
        expect(product.get_by_test_id("selection-stores")).to_contain_text(
            "Lyon Part-Dieu, Paris Opéra"
        )
        assert "Léa" not in phone.content()  # nothing about the associate
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        phone_context.close()

    page.reload()
    expect(page.get_by_test_id("selection-opened")).to_contain_text(
        re.compile(r"a ouvert la sélection (maintenant|il y a)")
    )
