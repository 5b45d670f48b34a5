"""At tablet size: order what this store lacks for home delivery, find it among the
customer's open orders, cancel it, and see the stock back."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from inventory.models import StockLevel
from orders.models import Order
from tests.browser.conftest import box_of, sign_in
from tests.factories import (
    CustomerFactory,
    StockLevelFactory,
    StoreFactory,
    VariantFactory,
    WarehouseFactory,
    WishlistItemFactory,
)


def make_world(store):
    bastille = StoreFactory(
        code="paris-bastille", name="Paris Bastille", latitude=48.8532, longitude=2.3692
    )
    warehouse = WarehouseFactory(name="Entrepôt Saint-Priest", latitude=45.696, longitude=4.944)
    tv = VariantFactory(
        product__name="Téléviseur OLED 55", product__list_price=Decimal("999.00"), colour="noir"
    )
    StockLevelFactory(store=bastille, variant=tv, on_hand=2)
    StockLevelFactory(store=warehouse, variant=tv, on_hand=10)
    customer = CustomerFactory(first_name="Camille", last_name="Martin", email="camille@example.fr")
    return bastille, warehouse, tv, customer


def test_order_for_home_delivery_then_cancel_puts_the_stock_back(
    page, live_server_url, associate, store
):
    bastille, _warehouse, tv, customer = make_world(store)
    WishlistItemFactory(customer=customer, variant=tv)
    sign_in(page, live_server_url, associate.email)

    # From the customer card: the TV on their wishlist is not in this store.
    page.goto(f"{live_server_url}/customers/{customer.pk}/")
    wished = page.get_by_test_id("wishlist-item").filter(has_text="Téléviseur OLED 55")
    expect(wished).to_contain_text("Paris Bastille")
    wished.get_by_role("link", name="Commander pour livraison").click()

    expect(page.get_by_test_id("customer-name")).to_have_text("Camille Martin")
    line = page.get_by_test_id("order-line")
    expect(line).to_contain_text("Téléviseur OLED 55")
    source = line.get_by_test_id("line-source")
    # This store has none: the nearest store with the unit is proposed.
    expect(source.locator("option:checked")).to_have_text(
        "Le plus proche avec du stock : Paris Bastille"
    )

    # Three units: only the warehouse has enough (the form refreshes itself).
    line.get_by_label("Quantité").fill("3")
    line.get_by_label("Quantité").press("Tab")
    expect(page.get_by_test_id("line-source").locator("option:checked")).to_have_text(
        "Le plus proche avec du stock : Entrepôt Saint-Priest"
    )
    expect(page.get_by_test_id("order-total")).to_have_text("2\u202f997,00\xa0€")
    page.get_by_label("Quantité").fill("1")
    page.get_by_label("Quantité").press("Tab")
    expect(page.get_by_test_id("order-total")).to_have_text("999,00\xa0€")

    # Home delivery is the default; the recipient comes from the customer.
    expect(page.get_by_label("Livraison à domicile")).to_be_checked()
    expect(page.get_by_label("Destinataire")).to_have_value("Camille Martin")
    page.get_by_label("Numéro et rue").fill("12 rue des Lilas")
    page.get_by_label("Code postal").fill("7502")
    page.get_by_label("Ville").fill("Paris")
    page.get_by_role("button", name="Confirmer la commande").click()
    expect(page.get_by_test_id("order-error")).to_have_text(
        "Vérifiez les informations de livraison."
    )
    expect(page.get_by_text("Un code postal français a cinq chiffres")).to_be_visible()

    page.get_by_label("Code postal").fill("75020")
    # Every control is a comfortable touch target (radios: their whole label).
    targets = "button, select, input:not([type=radio]):not([type=checkbox]), label.mode, summary"
    for target in page.locator("#order-form").locator(targets).filter(visible=True).all():
        box = box_of(target)
        assert box["height"] >= 44, target.evaluate("e => e.outerHTML")
    page.get_by_role("button", name="Confirmer la commande").click()

    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Commande {order.reference}")).to_be_visible()
    expect(page.get_by_test_id("order-status").first).to_have_text("Créée")
    expect(page.get_by_test_id("order-address")).to_contain_text("75020 Paris")
    expect(page.get_by_test_id("reservation")).to_have_text("réservé")
    assert StockLevel.objects.get(store=bastille, variant=tv).reserved == 1

    # The order is among the open orders on the customer card.
    page.goto(f"{live_server_url}/customers/{customer.pk}/")
    open_orders = page.get_by_test_id("open-orders")
    expect(open_orders).to_contain_text(order.reference)
    expect(open_orders).to_contain_text("livraison à domicile")
    open_orders.get_by_role("link").click()

    page.get_by_text("Annuler la commande…").click()
    page.get_by_label("Motif (facultatif)").fill("Trouvé plus près")
    page.get_by_role("button", name="Annuler la commande et libérer le stock").click()
    expect(page.get_by_test_id("order-status").first).to_have_text("Annulée")
    expect(page.get_by_test_id("order-history")).to_contain_text("Trouvé plus près")

    page.goto(f"{live_server_url}/customers/{customer.pk}/")
    expect(page.get_by_test_id("no-open-orders")).to_be_visible()

    # The stock is back on sale in Bastille.
    page.goto(f"{live_server_url}/stock/variants/{tv.pk}/")
    bastille_row = page.get_by_test_id("stock-row").filter(has_text="Paris Bastille")
    expect(bastille_row).to_contain_text("3,4 km")
    expect(bastille_row.locator("td").nth(3)).to_have_text("0")  # reserved
    expect(bastille_row.locator("td").nth(4)).to_contain_text("2")  # available


def test_stock_lookup_switches_variant_and_radius_without_reloading(
    page, live_server_url, associate, store, other_store
):
    _bastille, _warehouse, tv, _customer = make_world(store)
    blue = VariantFactory(product=tv.product, colour="bleu")
    StockLevelFactory(store=other_store, variant=blue, on_hand=1)
    StockLevelFactory(store=store, variant=blue, on_hand=1)
    sign_in(page, live_server_url, associate.email)

    page.goto(f"{live_server_url}/stock/variants/{tv.pk}/")
    expect(page.get_by_test_id("stock-here")).to_contain_text("Ici — Paris Opéra")
    expect(page.get_by_test_id("stock-here")).to_contain_text("Aucun disponible")
    page.evaluate("window.notReloaded = true")

    page.get_by_test_id("radius-filter").get_by_role("link", name="≤ 10 km").click()
    expect(page).to_have_url(re.compile(r"radius=10"))
    page.get_by_test_id("variant-switch").get_by_role("link", name="bleu").click()
    expect(page).to_have_url(re.compile(rf"/stock/variants/{blue.pk}/\?radius=10"))
    expect(page.get_by_test_id("stock-here")).to_contain_text("Derniers exemplaires")
    expect(page.get_by_test_id("no-other-store")).to_contain_text("à moins de 10 km")  # Lyon is far
    page.get_by_test_id("radius-filter").get_by_role("link", name="Toutes").click()
    expect(page.get_by_test_id("stock-row").filter(has_text="Lyon Part-Dieu")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    for target in page.locator("main a:visible, main button:visible").all():
        assert box_of(target)["height"] >= 44, target.inner_text()
