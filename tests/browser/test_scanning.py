"""Scanning with the camera where the browser has no BarcodeDetector (Chromium on Linux,
Safari on iPad): the vendored ZXing decoder reads a printed shelf label that Chromium's fake
camera films, under the app's strict same-origin CSP."""

import base64
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, TABLET, box_of, sign_in
from tests.browser.test_products import FAKE_SCANNER
from tests.factories import StockLevelFactory, VariantFactory
from tests.product_catalog import make_catalog

FRAME = {"width": 640, "height": 480}


def _camera_film(page, label_png: bytes, path) -> None:
    """A camera's view of the label: the printed label, slightly turned, on a grey shelf,
    as an MJPEG file Chromium's fake camera plays in a loop."""
    image = base64.b64encode(label_png).decode()
    page.set_viewport_size(FRAME)
    page.set_content(
        '<body style="margin:0;background:#8a8d91;width:640px;height:480px;overflow:hidden">'
        f'<img src="data:image/png;base64,{image}" style="position:absolute;left:50%;top:50%;'
        'transform:translate(-50%,-50%) rotate(-4deg);max-width:560px;max-height:400px">'
        "</body>"
    )
    frame = page.screenshot(type="jpeg", quality=90)
    path.write_bytes(frame * 3)


@pytest.fixture
def filming_browser(playwright):
    browsers = []

    def launch(film):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={film}",
            ],
        )
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()


def test_a_printed_shelf_label_filmed_by_the_camera_opens_the_product(
    page, filming_browser, live_server_url, manager, store, tmp_path
):
    catalog = make_catalog(store)
    silver = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/products/labels/?codes={silver.sku}")
    label = page.get_by_test_id("shelf-label").first
    expect(label).to_be_visible()
    label_png = label.screenshot()
    auth = page.context.storage_state()
    film = tmp_path / "shelf-label.mjpeg"
    _camera_film(page, label_png, film)

    browser = filming_browser(film)
    context = browser.new_context(
        storage_state=auth, viewport=TABLET, locale="fr-FR", has_touch=True
    )
    tablet = context.new_page()
    requests, csp_errors = [], []
    tablet.on("request", lambda r: requests.append(r.url))
    tablet.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    tablet.goto(f"{live_server_url}/products/scan/")
    assert tablet.evaluate("'BarcodeDetector' in window") is False  # the polyfill must read it

    tapped = time.monotonic()
    tablet.get_by_role("button", name="Scanner avec la caméra").click()

    expect(tablet).to_have_url(
        re.compile(rf"/products/{catalog.oled.pk}/\?variant={silver.pk}$"), timeout=15_000
    )
    print(f"tap → product page: {time.monotonic() - tapped:.2f} s (decoder loaded on the tap)")
    expect(tablet.get_by_role("heading", level=1)).to_have_text(catalog.oled.name)
    assert any(url.endswith("/zxing_reader.wasm") for url in requests)
    foreign = [u for u in requests if not u.startswith((live_server_url, "data:", "blob:"))]
    assert foreign == []  # nothing from the internet
    assert csp_errors == []
    context.close()


def test_the_order_forms_code_field_scans_too(page, live_server_url, associate, store):
    tv = VariantFactory(product__name="Téléviseur OLED 55", ean="8806095000039")
    StockLevelFactory(store=store, variant=tv, on_hand=3)
    page.add_init_script(FAKE_SCANNER % tv.ean)
    sign_in(page, live_server_url, associate.email)
    page.goto(f"{live_server_url}/orders/new/")
    expect(page.get_by_test_id("order-line")).to_have_count(0)

    scan = page.get_by_role("button", name="Scanner avec la caméra")
    assert box_of(scan)["height"] >= 44
    scan.click()

    expect(page.get_by_test_id("order-line")).to_contain_text("Téléviseur OLED 55")
