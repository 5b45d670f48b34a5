"""Pages a client opens without signing in: a product's page (the shelf label's QR code)
and a comparison an associate shared (signed, expiring); complements and photos on them."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from catalog.formats import money
from catalog.models import Complement
from catalog.services import product_image_save
from offers.models import Offer
from offers.pricing import price_for
from products.links import comparison_token, public_comparison_path
from products.selectors import complements_for
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    PurchaseFactory,
    PurchaseLineFactory,
    StockLevelFactory,
    StoreFactory,
    VariantFactory,
    WarehouseFactory,
    WishlistItemFactory,
)
from tests.product_catalog import make_catalog

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def catalog(store, other_store):
    return make_catalog(store, other_store)


def public_url(product, **params) -> str:
    url = reverse("products:public_product", args=[product.pk])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{url}?{query}" if query else url


def fr_money(amount) -> str:
    with translation.override("fr"):
        return money(amount)


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (20, 120, 60)).save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), "image/png")


# --- The product page ----------------------------------------------------------------------


def test_anonymous_product_page_shows_the_public_price_and_the_stores(
    client, catalog, store, other_store, associate
):
    WarehouseFactory()
    variant = catalog.oled.variants.get(sku="SAM-QE55S90-NR")
    StockLevelFactory(store=StoreFactory(name="Magasin fermé", is_active=False), variant=variant)
    offer = OfferFactory(name="Semaine OLED", scope="product", value=D("10"))
    offer.products.add(catalog.oled)
    tier_only = OfferFactory(scope="product", value=D("50"), target_tiers=["platinum"])
    tier_only.products.add(catalog.oled)

    page = client.get(public_url(catalog.oled, variant=variant.pk))

    assert page.status_code == 200
    assert page.text.count(fr_money(price_for(variant).final)) >= 1
    assert price_for(variant).final == D("1169.10")  # the offer for everyone, not the tier's
    assert fr_money(D("1169.10")) in page.text and fr_money(D("1249.00")) not in page.text
    stores = re.findall(r'data-testid="public-store"><strong>([^<]+)<', page.text)
    assert stores == ["Paris Opéra"]  # 3 on hand, 1 held; not the closed store, no warehouse
    assert "Sublime" in page.text and "Poids" in page.text
    # Nothing of staff: no staff header, no codes, no staff links.
    for staff_only in ("signed-in-as", "SAM-QE55S90-NR", "/products/", "/orders/", "Léa"):
        assert staff_only not in page.text
    assert "private" in page["Cache-Control"] and "max-age=300" in page["Cache-Control"]


def test_a_variant_out_of_stock_everywhere_says_so(client, catalog):
    silver = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    page = client.get(public_url(catalog.oled, variant=silver.pk))
    assert 'data-testid="public-no-store"' in page.text


def test_the_store_of_the_label_is_here(client, catalog, store, other_store):
    page = client.get(public_url(catalog.lg, store=store.code))
    assert "Pas en stock à Paris Opéra pour le moment" in page.text
    assert re.findall(r'data-testid="public-store"><strong>([^<]+)<', page.text) == [
        "Lyon Part-Dieu"
    ]
    page = client.get(public_url(catalog.lg, store=other_store.code))
    assert "En stock ici, à Lyon Part-Dieu" in page.text


def test_inactive_unknown_and_foreign_variants_are_not_found(client, catalog):
    assert (
        client.get(public_url(catalog.oled, variant=catalog.lg.variants.first().pk)).status_code
        == 404
    )
    assert client.get(reverse("products:public_product", args=[999999])).status_code == 404
    catalog.oled.is_active = False
    catalog.oled.save()
    assert client.get(public_url(catalog.oled)).status_code == 404


def test_staff_scanning_the_label_land_on_the_staff_page(associate_client, catalog):
    variant = catalog.oled.variants.first()
    response = associate_client.get(public_url(catalog.oled, variant=variant.pk, store="x"))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('products:product', args=[catalog.oled.pk])}?variant={variant.pk}"
    )
    # The scan page opens a label's public address as the staff page too.
    scanned = associate_client.get(
        reverse("products:scan"), {"code": f"http://testserver{public_url(catalog.lg)}"}
    )
    assert scanned["Location"] == reverse("products:product", args=[catalog.lg.pk])


def test_financing_beside_the_price_above_the_amount_only(client, catalog):
    four = OfferFactory(
        kind=Offer.Kind.FINANCING, value=D("4"), min_amount=D("1000"), scope="category"
    )
    four.categories.add(catalog.categories["image"])
    page = client.get(public_url(catalog.oled))
    assert "4× sans frais" in page.text and "4 × 324,75" in page.text
    page = client.get(public_url(catalog.headphones))  # 379,99 €: below the amount
    assert 'data-testid="financing"' not in page.text


def test_product_page_queries_do_not_grow(client, catalog, store, other_store):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(public_url(catalog.oled, store=store.code)).status_code == 200
        return len(queries)

    product_image_save(product=catalog.oled, upload=photo())
    Complement.objects.create(product=catalog.oled, complement=catalog.headphones)
    few = count()
    for i in range(8):
        extra = ProductFactory(name=f"Support {i}", category=CategoryFactory())
        StockLevelFactory(store=store, variant=VariantFactory(product=extra), on_hand=2)
        product_image_save(product=extra, upload=photo())
        Complement.objects.create(category=catalog.categories["tv"], complement=extra)
        StockLevelFactory(store=StoreFactory(), variant=catalog.oled.variants.first(), on_hand=1)
    assert count() == few <= 20


def test_pages_are_limited_per_address(client, catalog, settings):
    settings.PUBLIC_VIEWS_PER_MINUTE = 3
    for _ in range(3):
        assert client.get(public_url(catalog.oled)).status_code == 200
    refused = client.get(public_url(catalog.oled))
    assert refused.status_code == 429 and refused["Retry-After"] == "60"


def test_photos_are_served_from_their_storage(client, catalog):
    image = product_image_save(product=catalog.oled, upload=photo())
    page = client.get(public_url(catalog.oled))
    assert image.image.url in page.text
    served = client.get(image.thumbnail_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "immutable" in served["Cache-Control"]
    assert client.get("/media/products/../../etc/passwd.jpg").status_code == 404
    assert client.get("/media/exports/anything.zip").status_code == 404


# --- Complements ---------------------------------------------------------------------------


def test_complements_order_and_stock_here(catalog, store):
    tv = catalog.oled
    mount, cable, bar, old = (ProductFactory(name=n) for n in ("Support", "Câble", "Barre", "Old"))
    StockLevelFactory(store=store, variant=VariantFactory(product=mount), on_hand=2, reserved=2)
    StockLevelFactory(store=store, variant=VariantFactory(product=cable), on_hand=5)
    old.is_active = False
    old.save()
    Complement.objects.create(category=catalog.categories["image"], complement=bar, position=1)
    Complement.objects.create(category=catalog.categories["tv"], complement=cable, position=20)
    Complement.objects.create(category=catalog.categories["tv"], complement=mount, position=10)
    Complement.objects.create(product=tv, complement=catalog.headphones, position=90)
    Complement.objects.create(product=tv, complement=old, position=1)
    Complement.objects.create(category=catalog.categories["tv"], complement=tv)  # itself

    found = complements_for([tv], store=store)

    # Its own first, then its category's, then the parent category's; by position within.
    assert [p.name for p in found] == [catalog.headphones.name, "Support", "Câble", "Barre"]
    assert [p.available_here for p in found] == [4, 0, 5, 0]  # held units are not available
    assert complements_for([tv], store=None)[0].available_here is None


def test_complements_cost_the_same_queries_for_1_or_6_stocked_everywhere(
    catalog, store, other_store, django_assert_max_num_queries
):
    tv = catalog.oled
    Complement.objects.create(product=tv, complement=catalog.headphones)
    with django_assert_max_num_queries(5):
        assert len(complements_for([tv], store=store)) == 1
    for position in range(5):
        extra = ProductFactory(name=f"Accessoire {position}")
        for shop in (store, other_store):
            StockLevelFactory(store=shop, variant=VariantFactory(product=extra), on_hand=3)
        Complement.objects.create(product=tv, complement=extra, position=position)
    with django_assert_max_num_queries(5):
        found = complements_for([tv], store=store)
    assert len(found) == 6
    extras = [p for p in found if p.name.startswith("Accessoire")]
    assert [(p.available_here, p.stores_with_stock) for p in extras] == [(3, 2)] * 5


def test_complements_on_the_staff_product_page(associate_client, catalog):
    Complement.objects.create(product=catalog.oled, complement=catalog.headphones)
    page = associate_client.get(reverse("products:product", args=[catalog.oled.pk]))
    assert 'data-testid="complements"' in page.text
    assert "Casque sans fil Sony WH-1000XM5" in page.text and "En stock ici" in page.text


def test_complements_on_the_card_after_a_purchase(associate_client, catalog, store):
    customer = CustomerFactory()
    purchase = PurchaseFactory(customer=customer, store=store)
    PurchaseLineFactory(purchase=purchase, variant=catalog.oled.variants.first())
    Complement.objects.create(category=catalog.categories["tv"], complement=catalog.headphones)
    page = associate_client.get(reverse("floor:card_suggestions", args=[customer.pk]))
    assert page.status_code == 200
    assert 'data-testid="complement"' in page.text and "Sony WH-1000XM5" in page.text


# --- Comparison links ----------------------------------------------------------------------


def test_staff_share_a_signed_comparison_link_a_client_opens(associate_client, catalog):
    ids = f"{catalog.oled.pk},{catalog.lg.pk}"
    staff_page = associate_client.get(reverse("products:compare"), {"ids": ids})
    link = re.search(r'data-testid="share-link">([^<]+)<', staff_page.text).group(1)
    assert "/p/compare/" in link
    shopper = Client()
    page = shopper.get(link.replace("http://testserver", ""))
    assert page.status_code == 200
    assert catalog.oled.name in page.text and catalog.lg.name in page.text
    assert fr_money(D("1299.00")) in page.text
    assert "Connexion" not in page.text


def test_tampered_or_expired_comparison_links(client, catalog):
    path = public_comparison_path([catalog.oled.pk, catalog.lg.pk])
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = comparison_token([catalog.oled.pk])[:-2] + "xx"
    assert client.get(reverse("products:public_compare", args=[forged])).status_code == 404
    assert client.get(reverse("products:public_compare", args=["made-up"])).status_code == 404
    with time_machine.travel(timedelta(days=29)):
        assert client.get(path).status_code == 200
    with time_machine.travel(timedelta(days=31)):
        expired = client.get(path)
    assert expired.status_code == 410
    assert "Ce lien de comparaison a expiré" in expired.text
    assert token


def test_a_comparison_leaves_inactive_products_out(client, catalog):
    path = public_comparison_path([catalog.oled.pk, catalog.lg.pk])
    catalog.lg.is_active = False
    catalog.lg.save()
    page = client.get(path)
    assert catalog.oled.name in page.text and catalog.lg.name not in page.text


def test_comparison_queries_do_not_grow(client, catalog):
    def count(products):
        path = public_comparison_path([p.pk for p in products])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    two = count([catalog.oled, catalog.lg])
    for product in (catalog.qled, catalog.headphones):
        product_image_save(product=product, upload=photo())
    assert count([catalog.oled, catalog.lg, catalog.qled, catalog.headphones]) == two <= 12


def test_card_suggestions_show_their_photos(associate_client, catalog, store):
    customer = CustomerFactory()
    WishlistItemFactory(customer=customer, variant=catalog.headphones.variants.first())
    image = product_image_save(product=catalog.headphones, upload=photo())
    page = associate_client.get(reverse("floor:card_suggestions", args=[customer.pk]))
    suggestions = page.text.split('data-testid="next-actions"')[1].split("</section>")[0]
    assert image.thumbnail_url in suggestions
