import re

from playwright.sync_api import expect

from catalog.services import product_search_refresh
from tests.browser.conftest import box_of, sign_in
from tests.factories import ProductFactory, VariantFactory
from tests.product_catalog import make_catalog


def test_search_open_compare_three_toggle_differences_and_remove_one(
    page, live_server_url, associate, store, other_store
):
    catalog = make_catalog(store, other_store)
    sign_in(page, live_server_url, associate.email)
    nav = page.get_by_role("navigation", name="Principal")

    nav.get_by_role("link", name="Produits", exact=True).click()
    expect(page.get_by_test_id("search-prompt")).to_be_visible()

    # Results arrive while typing, without leaving the page.
    page.get_by_test_id("search-input").press_sequentially("televiseur", delay=30)
    results = page.get_by_test_id("result")
    expect(results).to_have_count(3)
    expect(page).to_have_url(re.compile(r"/products/\?q=televiseur"))
    oled = results.filter(has_text=catalog.oled.name)
    expect(oled.get_by_test_id("price")).to_contain_text("1\u202f299,00\xa0€")
    expect(oled.get_by_test_id("availability")).to_have_text("2 en stock ici")

    # Open a product.
    oled.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(catalog.oled.name)
    expect(page.get_by_test_id("characteristics")).to_contain_text("55 po")
    expect(page.get_by_test_id("origin")).to_have_text("Corée du Sud")
    expect(page.get_by_test_id("reviews")).to_contain_text("2 avis")

    # Put it and two more in the comparison tray, which follows from page to page.
    page.get_by_test_id("compare-toggle").click()
    tray = page.get_by_test_id("compare-tray")
    expect(tray).to_contain_text(catalog.oled.name)
    nav.get_by_role("link", name="Produits", exact=True).click()
    expect(tray).to_contain_text(catalog.oled.name)
    for typed, product in (("qled", catalog.qled), ("lg oled", catalog.lg)):
        search = page.get_by_test_id("search-input")
        search.fill("")
        search.press_sequentially(typed, delay=30)
        expect(page.get_by_test_id("result")).to_have_count(1)
        expect(page.get_by_test_id("result")).to_contain_text(product.name)
        page.get_by_test_id("result").get_by_test_id("compare-toggle").click()
        expect(tray).to_contain_text(product.name)
    expect(tray).to_contain_text("Comparaison 3/4")

    # Compare the three side by side: differing values are highlighted.
    tray.get_by_test_id("tray-compare").click()
    expect(page.get_by_test_id("compare-product")).to_have_count(3)
    table = page.get_by_test_id("compare-table")
    expect(table.locator("tr", has_text="Wi-Fi")).to_be_visible()
    size_row = table.locator("tr.differs", has_text="Taille d'écran")
    expect(size_row).to_contain_text("65 po")
    highlighted = size_row.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert highlighted != "rgba(0, 0, 0, 0)"

    # Differences only: the row where all three agree goes away.
    page.get_by_test_id("diff-toggle").click()
    expect(page.get_by_test_id("diff-toggle")).to_have_attribute("aria-checked", "true")
    expect(table.locator("tr", has_text="Wi-Fi")).to_have_count(0)
    expect(table.locator("tr", has_text="Technologie d'écran")).to_be_visible()

    # Remove one: two are left, and the address says which.
    page.get_by_role("link", name=f"Retirer {catalog.lg.name} de la comparaison").click()
    expect(page.get_by_test_id("compare-product")).to_have_count(2)
    expect(page.get_by_test_id("compare-table")).not_to_contain_text(catalog.lg.name)
    expect(page).to_have_url(
        re.compile(rf"/products/compare/\?ids={catalog.oled.pk},{catalog.qled.pk}&diff=1$")
    )

    # Touch targets stay comfortable.
    for target in page.locator("main a.button, main button, main .toggle").all():
        box = box_of(target)
        assert box["height"] >= 44, target.inner_text()


def test_a_fifth_product_is_refused_in_the_tray(page, live_server_url, associate, store):
    catalog = make_catalog(store)
    fifth = ProductFactory(name="Téléviseur Sony Bravia 7", brand=catalog.brands["sony"])
    VariantFactory(product=fifth)
    product_search_refresh(product_ids=[fifth.pk])
    sign_in(page, live_server_url, associate.email)
    for product in (catalog.oled, catalog.qled, catalog.lg, catalog.headphones):
        page.goto(f"{live_server_url}/products/{product.pk}/")
        page.get_by_test_id("compare-toggle").click()
        expect(page.get_by_test_id("compare-toggle")).to_have_text("Dans la comparaison ✓")
    page.goto(f"{live_server_url}/products/{fifth.pk}/")
    page.get_by_test_id("compare-toggle").click()
    expect(page.get_by_test_id("tray-error")).to_contain_text(
        "La comparaison contient déjà 4 produits"
    )
    expect(page.get_by_test_id("compare-toggle")).to_have_text("Comparer")


def test_typed_scan_opens_the_variant_and_unknown_codes_say_so(
    page, live_server_url, associate, store
):
    catalog = make_catalog(store)
    silver = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/products/")
    page.get_by_test_id("scan-link").click()

    page.get_by_test_id("scan-input").fill("0000000000000")
    page.get_by_test_id("scan-input").press("Enter")
    expect(page.get_by_test_id("scan-error")).to_have_text(
        "Aucun produit n’a le code « 0000000000000 »."
    )

    page.get_by_test_id("scan-input").fill(silver.ean)
    page.get_by_test_id("scan-input").press("Enter")
    expect(page).to_have_url(re.compile(rf"/products/{catalog.oled.pk}/\?variant={silver.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(catalog.oled.name)
    expect(page.locator(".product-codes")).to_contain_text(silver.ean)


# A stand-in camera and barcode reader: headless Chromium has neither. The page's own
# scanning module runs unchanged against them.
FAKE_SCANNER = """
(() => {
  const canvas = document.createElement("canvas");
  canvas.width = 320; canvas.height = 240;
  navigator.mediaDevices.getUserMedia = async () => {
    const ctx = canvas.getContext("2d");
    setInterval(() => { ctx.fillStyle = "#888"; ctx.fillRect(0, 0, 320, 240); }, 50);
    return canvas.captureStream(10);
  };
  let looks = 0;
  window.BarcodeDetector = class {
    static async getSupportedFormats() { return ["ean_13", "qr_code"]; }
    constructor(options) { this.formats = options.formats; }
    async detect() { looks += 1; return looks < 3 ? [] : [{ rawValue: "%s", format: "ean_13" }]; }
  };
})();
"""


def test_the_camera_reads_a_barcode_and_opens_the_variant(page, live_server_url, associate, store):
    catalog = make_catalog(store)
    silver = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    page.add_init_script(FAKE_SCANNER % silver.ean)
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/products/scan/")

    page.get_by_role("button", name="Scanner avec la caméra").click()
    expect(page).to_have_url(re.compile(rf"/products/{catalog.oled.pk}/\?variant={silver.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(catalog.oled.name)


def test_without_a_camera_the_typed_field_is_offered(page, live_server_url, associate):
    page.add_init_script("Object.defineProperty(navigator, 'mediaDevices', { value: undefined })")
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/products/scan/")
    expect(
        page.get_by_text("Ce navigateur ne sait pas lire les codes avec la caméra")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Scanner avec la caméra")).to_be_hidden()
    expect(page.get_by_test_id("scan-input")).to_be_focused()
