"""Shelf labels printed on A4: the QR code keeps its own column and every price fits its
box, a discounted four-digit price with its old price included."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import BrandFactory, OfferFactory, ProductFactory, VariantFactory

MEASURE = """() => [...document.querySelectorAll('[data-testid=shelf-label]')].map(label => {
  const box = el => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const ink = el => {  // where the glyphs really are, even where they overflow their box
    const range = document.createRange(); range.selectNodeContents(el);
    return box(range);
  };
  const text = label.querySelector('.shelf-label-text');
  return {
    label: box(label), qr: box(label.querySelector('.shelf-label-qr svg')), column: box(text),
    price: box(label.querySelector('.shelf-label-price')),
    priceInk: ink(label.querySelector('.shelf-label-price')),
    lines: [...text.children].filter(c => c.offsetParent).map(c => ({
      cls: c.className, text: c.textContent.trim(), ink: ink(c), box: box(c),
      clipped: c.scrollWidth > c.clientWidth + 1 && !c.matches('.shelf-label-variant'),
    })),
  };
})"""


def test_labels_fit_on_a4_without_touching_the_qr_code(page, live_server_url, manager):
    sony = BrandFactory(name="Sony", slug="sony")
    for name, price in [
        ("Téléviseur OLED 77 pouces Bravia XR A95L avec barre de son", "1599.99"),
        ("Projecteur laser 4K", "12999.99"),
        ("Câble HDMI", "9.99"),
    ]:
        VariantFactory(product=ProductFactory(name=name, brand=sony, list_price=Decimal(price)))
    week = OfferFactory(name="Semaine Sony", value=Decimal("5"))
    week.brands.add(sony)
    sign_in(page, live_server_url, manager.email)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 px per inch
    page.goto(f"{live_server_url}/products/labels/?brand={sony.pk}")
    labels = page.get_by_test_id("shelf-label")
    expect(labels).to_have_count(3)
    tv = labels.filter(has_text="OLED")
    expect(tv).to_contain_text(re.compile(r"1\s?519,99\s€"))  # 1 599,99 € − 5 %
    expect(tv.locator("s")).to_contain_text(re.compile(r"1\s?599,99\s€"))

    for label in page.evaluate(MEASURE):
        qr, column = label["qr"], label["column"]
        assert qr["right"] <= label["label"]["right"] + 0.5
        assert qr["bottom"] <= label["label"]["bottom"] + 0.5
        # The price's glyphs, "€" included, stay inside its box, left of the QR code.
        assert label["priceInk"]["right"] <= label["price"]["right"] + 0.5, label
        assert label["priceInk"]["right"] < qr["left"], label
        for line in label["lines"]:
            assert not line["clipped"], line
            assert line["box"]["right"] <= column["right"] + 0.5, line
            assert line["box"]["right"] < qr["left"], line
            assert line["ink"]["bottom"] <= label["label"]["bottom"] + 0.5, line

    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one sheet, one page
