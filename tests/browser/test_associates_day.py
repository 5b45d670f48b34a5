"""The associate's day, end to end on a French tablet: nobody on the floor, a wished-for
lamp lands at the till, "À contacter aujourd'hui" says whom to call and why; one tap opens
the client's messages about it, the associate sends a selection by email, the client opens
it on their phone, and the card says so; the follow-up is marked done."""

import re

from playwright.sync_api import expect

from catalog.services import product_search_refresh
from clientbook.models import BookEntry, FollowUp
from customers.models import Consent
from integrations.models import OutboundMessage, WebhookSource
from tests.browser.conftest import sign_in
from tests.browser.test_clientbook import send_delta
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    StockLevelFactory,
    VariantFactory,
    WishlistItemFactory,
)

PHONE = {"width": 375, "height": 740}


def test_from_a_follow_up_to_a_selection_the_client_opens(
    browser, browser_context_args, page, live_server_url, associate, store
):
    till = WebhookSource.objects.create(key="till-opera", name="Caisses Opéra", kind="stock")
    till.stores.add(store)
    lamp = VariantFactory(product__name="Lampe Arco", colour="noir")
    StockLevelFactory(store=store, variant=lamp, on_hand=0)
    ines = CustomerFactory(first_name="Inès", last_name="Garnier", email="ines@example.fr")
    ConsentFactory(customer=ines, purpose=Consent.Purpose.MARKETING_EMAIL, source="store")
    BookEntry.objects.create(
        customer=ines, associate=associate, store=store, source="card", since=ines.created_at
    )
    WishlistItemFactory(customer=ines, variant=lamp)
    product_search_refresh()

    sign_in(page, live_server_url, associate.email)
    page.get_by_test_id("floor-to-contact").click()
    send_delta(live_server_url, till, store, lamp, 2)  # the delivery lands at the till
    page.reload()
    follow_up = page.get_by_test_id("follow-up").filter(has_text="Inès Garnier")
    expect(follow_up.get_by_test_id("follow-up-detail")).to_contain_text("Lampe Arco")

    follow_up.get_by_test_id("follow-up-message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages à Inès Garnier")
    expect(page.get_by_label("Objet")).to_have_value("back_in_stock")
    section = page.get_by_test_id("messaging")
    section.get_by_placeholder("Chercher un produit à ajouter").fill("arco")
    section.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("selection-results")).to_contain_text("Lampe Arco")
    result = page.get_by_test_id("selection-add").first
    result.get_by_placeholder("Note pour le client (facultatif)").fill("Elle est arrivée ce matin")
    result.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_test_id("selection-item")).to_contain_text("Lampe Arco")
    page.get_by_role("button", name="Envoyer la sélection par e-mail").click()
    expect(page.get_by_test_id("messaging-message")).to_contain_text("E-mail à ines@example.fr")

    email = OutboundMessage.objects.get(kind="message.selection")
    path = re.search(r"https?://[^/\s]+(/selection/\S+/)", email.body).group(1)
    phone_context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True}
    )
    try:
        phone = phone_context.new_page()
        phone.goto(f"{live_server_url}{path}")
        product = phone.get_by_test_id("selection-product")
        expect(product).to_contain_text("Lampe Arco")
        expect(product.get_by_test_id("selection-note")).to_contain_text("arrivée ce matin")
    finally:
        phone_context.close()

    page.goto(f"{live_server_url}/customers/{ines.pk}/")
    expect(page.get_by_test_id("selection-opened")).to_contain_text(
        re.compile(r"a ouvert la sélection (maintenant|il y a)")
    )
    page.goto(f"{live_server_url}/book/today/")
    page.get_by_test_id("follow-up").filter(has_text="Inès Garnier").get_by_test_id(
        "follow-up-done"
    ).click()
    expect(page.get_by_test_id("follow-up-closed")).to_contain_text("Inès Garnier")
    assert FollowUp.objects.get(customer=ines).status == "done"
