"""A shopper scans a shelf label's QR code with their phone: the product's own page opens
without any sign-in, with its photo, its price, the payment in 4 instalments and the
stores that have it. The same code scanned by a staff tablet opens the staff page."""

import io
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from catalog.services import product_image_save
from offers.models import Offer
from tests.browser.conftest import box_of, sign_in
from tests.factories import (
    BrandFactory,
    OfferFactory,
    ProductFactory,
    StockLevelFactory,
    VariantFactory,
)

PHONE = {"width": 390, "height": 844}


def test_a_label_qr_code_opens_the_public_page_on_a_phone(
    browser, browser_context_args, page, live_server_url, manager, store, other_store
):
    lg = BrandFactory(name="LG", slug="lg")
    tv = ProductFactory(name="Téléviseur OLED LG C4 55", brand=lg, list_price=Decimal("1490.00"))
    variant = VariantFactory(product=tv, colour="Noir")
    StockLevelFactory(store=store, variant=variant, on_hand=5)
    StockLevelFactory(store=other_store, variant=variant, on_hand=1)
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 60, 160)).save(out, "PNG")
    product_image_save(product=tv, upload=SimpleUploadedFile("tv.png", out.getvalue()))
    four = OfferFactory(
        name="Paiement en 4x sans frais",
        kind=Offer.Kind.FINANCING,
        value=Decimal("4"),
        min_amount=Decimal("300"),
        scope=Offer.Scope.BRAND,
    )
    four.brands.add(lg)

    # The manager prints the label; its QR code holds the public page's address.
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/products/labels/?codes={variant.sku}")
    qr_url = page.locator("a.shelf-label-qr").first.get_attribute("href")
    assert re.search(rf"/p/{tv.pk}/\?variant={variant.pk}&store=", qr_url), qr_url

    phone_context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True}
    )
    try:
        phone = phone_context.new_page()
        phone.goto(qr_url)
        expect(phone.get_by_role("heading", name="Téléviseur OLED LG C4 55")).to_be_visible()
        photo = phone.get_by_test_id("photo").first
        expect(photo).to_be_visible()
        src = photo.get_attribute("src")
        fetched = phone.request.get(f"{live_server_url}{src}")
        assert fetched.status == 200, (src, fetched.status, fetched.text()[:300])
        photo.scroll_into_view_if_needed()
        phone.wait_for_function(
            "() => document.querySelector('[data-testid=photo]').naturalWidth > 0"
        )
        expect(phone.get_by_test_id("price").first).to_contain_text(re.compile(r"1\s?490,00\s€"))
        expect(phone.get_by_test_id("financing")).to_contain_text("4× sans frais")
        expect(phone.get_by_test_id("financing")).to_contain_text("372,50")
        stores = phone.get_by_test_id("public-store")
        expect(stores).to_have_count(2)
        expect(stores.first).to_contain_text("Paris Opéra")
        expect(phone.get_by_text("Connexion du personnel")).to_have_count(0)
        # Phone-sized: nothing wider than the screen, and the language switch is a real tap.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        switch = box_of(phone.get_by_role("button", name="English"))
        assert switch["height"] >= 44
        phone.get_by_role("button", name="English").click()
        expect(phone.get_by_role("heading", name="Available in these stores")).to_be_visible()
        expect(phone.get_by_test_id("financing")).to_contain_text("4× interest-free")
    finally:
        phone_context.close()

    # The manager's tablet, signed in, lands on the staff page from the same code.
    page.goto(qr_url)
    expect(page.get_by_test_id("product")).to_be_visible()
    assert f"/products/{tv.pk}/?variant={variant.pk}" in page.url
