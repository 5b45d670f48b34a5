from decimal import Decimal

import pytest
from playwright.sync_api import expect

from customers.models import Consent, Customer
from offers.models import OfferMention
from tests.browser.conftest import box_of, sign_in
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ConsentFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    StockLevelFactory,
    VariantFactory,
    VisitFactory,
    WishlistItemFactory,
)


@pytest.fixture
def sony_week():
    """A gold client who wishes for a Sony TV, a Sony week for everyone and a wishlist
    extra: the client pays 999 € − 10 % = 899,10 €, − 5 % (44,96 €) = 854,14 €."""
    sony = BrandFactory(name="Sony", slug="sony")
    tvs = CategoryFactory(name="Téléviseurs", slug="televiseurs")
    bravia = VariantFactory(
        product=ProductFactory(
            name="Sony Bravia 55", brand=sony, category=tvs, list_price=Decimal("999.00")
        )
    )
    ProductFactory(name="Sony Bravia 65", brand=sony, category=tvs, list_price=Decimal("1499"))
    client = CustomerFactory(first_name="Inès", last_name="Garnier", tier=Customer.Tier.GOLD)
    ConsentFactory(customer=client, purpose=Consent.Purpose.PERSONALISED_OFFERS, granted=True)
    WishlistItemFactory(customer=client, variant=bravia)
    week = OfferFactory(name="Semaine Sony", scope="brand", value=Decimal("10"), stackable=True)
    week.brands.add(sony)
    wish = OfferFactory(
        name="Coup de cœur", scope="brand", value=Decimal("5"), stackable=True, audience="wishlist"
    )
    wish.brands.add(sony)
    return client, week


@pytest.mark.parametrize("viewport", [(1024, 768), (1180, 820)])
def test_associate_sees_the_offer_price_on_the_card_and_the_product_and_mentions_it(
    page, live_server_url, associate, store, sony_week, viewport
):
    client, week = sony_week
    bravia = client.wishlist.get().variant
    StockLevelFactory(store=store, variant=bravia, on_hand=2)
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    VisitFactory(store=store, customer=client)  # in the store: the associate serves her
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/customers/{client.pk}/")
    page.get_by_test_id("card-claim").click()
    expect(page.get_by_test_id("serving")).to_contain_text("Inès Garnier")

    section = page.get_by_test_id("offers")
    expect(section.get_by_role("heading", name="Offres pour ce client")).to_be_visible()
    offers = section.get_by_test_id("card-offer")
    expect(offers).to_have_count(2)
    week_item = offers.filter(has_text="Semaine Sony")
    expect(week_item).to_contain_text("−10 %")
    wished = week_item.get_by_test_id("offer-example").first
    expect(wished).to_contain_text("Sony Bravia 55")
    expect(wished).to_contain_text("sur la liste d'envies")
    expect(wished.locator("s")).to_have_text("999,00\xa0€")
    expect(wished.get_by_test_id("offer-price")).to_have_text("854,14\xa0€")

    page.evaluate("window.notReloaded = true")
    button = week_item.get_by_role("button", name="Mentionnée au client")
    assert box_of(button)["height"] >= 44
    button.click()

    expect(week_item.get_by_test_id("offer-mentioned")).to_have_text("Mentionnée ✓")
    expect(week_item.get_by_role("button")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    mention = OfferMention.objects.get()
    assert (mention.offer_id, mention.customer_id, mention.mentioned_by, mention.store) == (
        week.pk,
        client.pk,
        associate,
        store,
    )
    # The other offer still waits for its own tap; the page shows the state after a reload.
    other = offers.filter(has_text="Coup de cœur")
    expect(other.get_by_role("button", name="Mentionnée au client")).to_be_visible()
    page.reload()
    expect(week_item.get_by_test_id("offer-mentioned")).to_be_visible()

    page.get_by_test_id("signed-in-as").click()
    page.get_by_role("button", name="English").click()
    expect(section.get_by_role("heading", name="Offers for this client")).to_be_visible()
    expect(week_item.get_by_test_id("offer-mentioned")).to_have_text("Mentioned ✓")
    expect(other.get_by_role("button", name="Mentioned to client")).to_be_visible()
    expect(wished.get_by_test_id("offer-price")).to_have_text("€854.14")

    # The product page and the stock page price the same TV the same way for the client
    # being served (claimed from her card).
    page.goto(f"{live_server_url}/products/{bravia.product_id}/")
    price = page.get_by_test_id("price").first
    expect(price.locator(".price-final")).to_have_text("€854.14")
    expect(price.locator("s")).to_have_text("€999.00")
    page.goto(f"{live_server_url}/stock/variants/{bravia.pk}/")
    price = page.get_by_test_id("price")
    expect(price.locator("s")).to_have_text("€999.00")
    expect(price.locator("strong")).to_have_text("€854.14")


def test_head_office_previews_the_reach_and_history_of_an_offer(
    page, live_server_url, head_office, sony_week
):
    client, week = sony_week
    CustomerFactory(tier=Customer.Tier.MEMBER)
    sign_in(page, live_server_url, head_office.email)
    page.goto(f"{live_server_url}/admin/offers/offer/{week.pk}/change/")

    reach = page.get_by_test_id("offer-reach")
    expect(reach.get_by_test_id("reach-customers")).to_have_text("2 clients")
    expect(reach.get_by_test_id("reach-products")).to_have_text("2 produits")

    page.get_by_label("Valeur").fill("15")
    page.get_by_role("button", name="Enregistrer et continuer les modifications").click()

    history = page.get_by_test_id("offer-history")
    expect(history).to_contain_text("Hélène Bernard")
    expect(history).to_contain_text("modifiée")
    expect(history).to_contain_text("10.00 → 15.00")


def test_head_office_previews_the_reach_of_unsaved_changes(
    page, live_server_url, head_office, sony_week
):
    client, week = sony_week
    CustomerFactory(tier=Customer.Tier.MEMBER)
    sign_in(page, live_server_url, head_office.email)
    page.goto(f"{live_server_url}/admin/offers/offer/{week.pk}/change/")
    reach = page.get_by_test_id("offer-reach")
    expect(reach.get_by_test_id("reach-customers")).to_have_text("2 clients")

    page.get_by_role("checkbox", name="Or", exact=True).check()  # only gold clients: Inès
    page.get_by_test_id("reach-preview").click()

    expect(reach.get_by_test_id("reach-customers")).to_have_text("1 client")
    expect(reach).to_contain_text("pas encore enregistré")
    week.refresh_from_db()
    assert week.target_tiers == []  # nothing saved
