"""Product tools on the floor: search, scan, product page, comparison tray, shelf labels."""

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
import segno
from django.urls import reverse
from django.utils import translation

from catalog.formats import money
from catalog.models import Brand, Category, ProductSearch, SearchWord
from catalog.services import product_search_refresh
from customers.models import WishlistItem
from customers.services import wishlist_item_add
from customers.session import SESSION_CLIENT_KEY
from products.selectors import ProductQuery, product_search
from products.views import QR_SVG
from tests.factories import (
    BrandFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    ReviewFactory,
    StockLevelFactory,
    StoreFactory,
    VariantFactory,
    mfa_login,
)
from tests.product_catalog import make_catalog

SEARCH = reverse("products:search")
COMPARE = reverse("products:compare")
HTMX = {"HTTP_HX_REQUEST": "true"}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def catalog(store, other_store):
    return make_catalog(store, other_store)


def names(response) -> list[str]:
    return re.findall(r'class="result-name">([^<]+)<', response.text)


def search(client, **params):
    return client.get(SEARCH, params, **HTMX)


# --- Search -------------------------------------------------------------------------------


def test_search_page_prompts_before_anything_is_typed(associate_client, catalog):
    response = associate_client.get(SEARCH)
    assert response.status_code == 200
    assert 'data-testid="search-prompt"' in response.text
    assert (
        'hx-trigger="input changed delay:250ms, search, change from:#id_in_stock, submit"'
        in response.text
    )
    assert 'hx-sync="this:replace"' in response.text


@pytest.mark.parametrize("typed", ["televiseur", "TÉLÉVISEUR", "téléviseur", "télév"])
def test_accents_and_case_do_not_matter(associate_client, catalog, typed):
    assert len(names(search(associate_client, q=typed))) == 3


def test_every_word_must_match(associate_client, catalog):
    assert names(search(associate_client, q="samsung oled")) == [catalog.oled.name]
    # the same number of words again: the process's statement for two words, new words
    assert names(search(associate_client, q="lg oled")) == [catalog.lg.name]
    assert names(search(associate_client, q="samsung qled")) == [catalog.qled.name]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("LG", ["lg"]),  # brand
        ("casques", ["headphones"]),  # category
        ("image et son", ["headphones", "lg", "oled", "qled"]),  # parent category
        ("qled", ["qled"]),  # characteristic value
        ("reduction bruit", ["headphones"]),  # a yes/no characteristic that is "yes"
        ("argent", ["headphones", "oled"]),  # a variant's colour
    ],
)
def test_search_by_brand_category_and_characteristics(associate_client, catalog, typed, expected):
    found = set(names(search(associate_client, q=typed)))
    assert found == {getattr(catalog, key).name for key in expected}


def test_mistyped_words_find_close_spellings(associate_client, catalog):
    response = search(associate_client, q="televisuer samsnug")
    assert set(names(response)) == {catalog.oled.name, catalog.qled.name}
    assert "Aucun produit ne correspond exactement à « televisuer samsnug »" in response.text


def test_nothing_found_says_so(associate_client, catalog):
    response = search(associate_client, q="aspirateur")
    assert 'data-testid="search-empty"' in response.text
    assert "Aucun produit ne correspond à « aspirateur »" in response.text


@pytest.mark.parametrize("code", ["SAM-QE55S90-AG", "sam-qe55s90-ag", "EAN"])
def test_exact_sku_or_ean_comes_first_and_opens_that_variant(associate_client, catalog, code):
    variant = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    response = search(associate_client, q=variant.ean if code == "EAN" else code)
    assert names(response)[0] == catalog.oled.name
    assert f"?variant={variant.pk}" in response.text
    assert 'data-testid="code-match"' in response.text


def test_sku_prefix_finds_every_variant_product(associate_client, catalog):
    assert set(names(search(associate_client, q="SAM-QE"))) == {
        catalog.oled.name,
        catalog.qled.name,
    }


def test_filters_category_with_sub_categories_brand_and_price(associate_client, catalog):
    image = catalog.categories["image"]
    assert len(names(search(associate_client, category=image.pk))) == 4
    assert names(search(associate_client, category=catalog.categories["audio"].pk)) == [
        catalog.headphones.name
    ]
    found = names(search(associate_client, q="oled", brand=catalog.brands["lg"].pk))
    assert found == [catalog.lg.name]
    found = names(search(associate_client, q="televiseur", price_min="1000", price_max="1400"))
    assert found == [catalog.oled.name]


def test_filters_list_the_category_tree_and_brands_as_they_are_now(
    associate_client, catalog, django_assert_num_queries
):
    """Each process keeps the filters' choices while the categories and brands are
    unchanged (one query to check), and shows any change on the next page."""
    tv, audio = catalog.categories["tv"], catalog.categories["audio"]
    page = associate_client.get(SEARCH, {"category": tv.pk}).text
    assert f'<option value="{tv.pk}" selected>Image et son › Téléviseurs</option>' in page
    assert f'<option value="{audio.pk}">Image et son › Casques audio</option>' in page
    # session, user, staff profile, store, the category; the results' ids, products,
    # variants, offers, photos; the check of the choices, not the categories and brands
    with django_assert_num_queries(10):
        associate_client.get(SEARCH, {"category": tv.pk})

    Category.objects.filter(pk=audio.pk).update(name="Casques")  # a bulk write, no signal
    brand = BrandFactory(name="Bose", slug="bose")
    page = associate_client.get(SEARCH, {"brand": brand.pk}).text
    assert f'<option value="{audio.pk}">Image et son › Casques</option>' in page
    assert f'<option value="{brand.pk}" selected>Bose</option>' in page
    Brand.objects.filter(pk=brand.pk).delete()
    page = associate_client.get(SEARCH).text
    assert "Bose" not in page
    assert f'<option value="{tv.pk}">Image et son › Téléviseurs</option>' in page


def test_in_stock_here_counts_what_is_not_reserved(associate_client, catalog):
    # QLED: 2 on hand, 2 reserved; LG: only in the other store.
    found = set(names(search(associate_client, q="televiseur", in_stock="1")))
    assert found == {catalog.oled.name}


def test_each_result_shows_its_price_and_availability_here(associate_client, catalog):
    response = search(associate_client, q="samsung")
    oled = response.text[response.text.index(catalog.oled.name) :]
    assert "1\u202f299,00\xa0€" in oled.split("</li>")[0]
    assert "2 en stock ici" in oled.split("</li>")[0]
    qled = response.text[response.text.index(catalog.qled.name) :]
    assert "Pas en stock ici" in qled.split("</li>")[0]


def test_a_typed_search_answers_with_the_results_fragment_only(associate_client, catalog):
    fragment = search(associate_client, q="oled")
    assert "<html" not in fragment.text and 'id="product-search"' not in fragment.text
    page = associate_client.get(SEARCH, {"q": "oled"})
    assert "<html" in page.text and catalog.oled.name in page.text


def test_going_back_in_history_gets_the_whole_page(associate_client, catalog):
    response = associate_client.get(
        SEARCH, {"q": "oled"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    assert "<html" in response.text and catalog.oled.name in response.text


def test_impossible_price_range_is_explained(associate_client, catalog):
    response = search(associate_client, q="tv", price_min="500", price_max="100")
    assert response.status_code == 422
    assert "Le prix le plus haut est inférieur au plus bas." in response.text


def test_results_are_paged(associate_client, store, catalog):
    category = catalog.categories["tv"]
    for i in range(25):
        VariantFactory(
            product=ProductFactory(name=f"Téléviseur LED Modèle {i:02}", category=category)
        )
    product_search_refresh()
    first = search(associate_client, q="televiseur led")
    assert len(names(first)) == 20
    assert 'data-testid="next-page"' in first.text
    second = search(associate_client, q="televiseur led", page="2")
    assert len(names(second)) == 5
    assert not set(names(first)) & set(names(second))


def test_a_deactivated_product_leaves_search(associate_client, catalog):
    catalog.lg.is_active = False
    catalog.lg.save()
    product_search_refresh(product_ids=[catalog.lg.pk])
    assert catalog.lg.name not in names(search(associate_client, q="oled"))
    assert not ProductSearch.objects.filter(product=catalog.lg).exists()


def test_search_query_count_does_not_grow_with_results(
    associate_client, catalog, django_assert_num_queries
):
    # session, user, staff profile, store; then the results' ids, the products (with their
    # stock here) and their variants; their prices (the offers touching them: the category
    # paths come with the products); their photos.
    with django_assert_num_queries(8):
        assert len(names(search(associate_client, q="LG"))) == 1
    for i in range(15):
        product = ProductFactory(name=f"Téléviseur LG {i}", brand=catalog.brands["lg"])
        VariantFactory(product=product)
        VariantFactory(product=product)
    product_search_refresh()
    with django_assert_num_queries(8):
        assert len(names(search(associate_client, q="LG"))) == 16
    with django_assert_num_queries(9):  # a code: its variants are looked up too
        assert len(names(search(associate_client, q="SAM-QE"))) == 2


def test_whole_search_page_in_stock_here_queries_do_not_grow(
    associate_client, store, catalog, django_assert_max_num_queries
):
    """The whole page (filters included) with "in stock here": as many queries with
    sixty matching products stocked in thirty stores as with the catalog's few."""

    def page():
        return associate_client.get(SEARCH, {"q": "LG", "in_stock": "1"})

    def stocked_lg(i, stores):
        variant = VariantFactory(
            product=ProductFactory(name=f"Téléviseur LG {i}", brand=catalog.brands["lg"])
        )
        for s in stores:
            StockLevelFactory(store=s, variant=variant, on_hand=2)

    stocked_lg(0, [store])
    product_search_refresh()
    with django_assert_max_num_queries(11) as few:
        assert names(page()) == ["Téléviseur LG 0"]  # the other LG TV is not stocked here
    for i in range(1, 60):
        stocked_lg(i, [store, StoreFactory()] if i < 30 else [store])
    product_search_refresh()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = page()
    assert len(names(response)) == 20  # one page
    assert 'data-testid="next-page"' in response.text


def test_search_selector_queries_are_bounded_even_when_respelling(
    store, catalog, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        page = product_search(ProductQuery(text="televisuer"), store=store)
    assert page.respelled and len(page.products) == 3


def test_search_documents_are_folded_and_feed_the_spelling_lexicon(catalog):
    entry = ProductSearch.objects.get(product=catalog.oled)
    assert entry.name == "televiseur oled samsung qe55s90"
    for word in ("samsung", "image et son", "televiseurs", "oled", "wi-fi", "noir", "argent"):
        assert word in entry.document
    assert SearchWord.objects.filter(word="televiseur").exists()
    assert not SearchWord.objects.filter(word="qe55s90").exists()  # codes match by prefix


# --- Scan ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["{ean}", " {ean} ", "SAM-QE55S90-AG", "sam-qe55s90-ag"])
def test_scanning_an_ean_or_sku_opens_that_variant(associate_client, catalog, code):
    variant = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    code = code.format(ean=variant.ean)
    response = associate_client.get(reverse("products:scan"), {"code": code})
    assert response.status_code == 302
    assert (
        response.url
        == f"{reverse('products:product', args=[catalog.oled.pk])}?variant={variant.pk}"
    )


def test_scanning_a_upc_a_finds_its_ean(associate_client, catalog):
    variant = VariantFactory(product=catalog.lg, ean="0012345678905", sku="LG-UPC")
    response = associate_client.get(reverse("products:scan"), {"code": "012345678905"})
    assert response.url.endswith(f"?variant={variant.pk}")


def test_scanning_a_shelf_label_opens_the_product(associate_client, catalog):
    url = f"https://clienteling.example.com/products/{catalog.qled.pk}/"
    response = associate_client.get(reverse("products:scan"), {"code": url})
    assert response.status_code == 302
    assert response.url == reverse("products:product", args=[catalog.qled.pk])


@pytest.mark.parametrize(
    "code", ["0000000000000", "NOPE-42", "https://elsewhere.example/admin/", "/products/999999/"]
)
def test_an_unknown_code_says_so(associate_client, catalog, code):
    response = associate_client.get(reverse("products:scan"), {"code": code})
    assert response.status_code == 404
    assert "Aucun produit n’a le code" in unescape(response.text)
    assert 'data-testid="scan-error"' in response.text


def test_scan_page_offers_the_camera_and_a_typed_field(associate_client):
    response = associate_client.get(reverse("products:scan"))
    assert 'type="module" src="/static/js/scanner.js"' in response.text
    assert 'id="scanner-ui"' in response.text  # the camera controls scanner.js adds
    assert re.search(r'<input [^>]*name="code"[^>]* data-scan[ >]', response.text)


# --- Product page -------------------------------------------------------------------------


def test_product_page_shows_what_a_shopper_asks_about(associate_client, catalog):
    response = associate_client.get(reverse("products:product", args=[catalog.oled.pk]))
    text = response.text
    assert response.status_code == 200
    assert "Un noir parfait et des couleurs éclatantes." in text
    assert "Corée du Sud" in text  # origin, translated
    assert "55 po" in text and "18,6 kg" in text and "OLED" in text  # characteristics + units
    assert "Wi-Fi" in text and "Oui" in text
    assert "4,5" in text and "2 avis" in text and "Sublime" in text  # reviews
    assert "1\u202f299,00\xa0€" in text
    assert "2 en stock ici" in text  # black: 3 on hand, 1 reserved
    assert "SAM-QE55S90-AG" in text  # the other variant is listed
    assert 'id="compare-button-' in text


def test_product_page_in_english(associate_client, catalog):
    associate_client.post(reverse("set_language"), {"language": "en"})
    text = associate_client.get(reverse("products:product", args=[catalog.oled.pk])).text
    assert "South Korea" in text and "55 in" in text and "Screen size" in text
    assert "€1,299.00" in text


def test_search_results_show_prices_the_way_each_language_writes_them(associate_client, catalog):
    response = search(associate_client, q="samsung")
    oled = response.text[response.text.index(catalog.oled.name) :].split("</li>")[0]
    assert "1\u202f299,00\xa0€" in oled
    associate_client.cookies["django_language"] = "en"
    response = search(associate_client, q="samsung")
    oled = response.text[response.text.index(catalog.oled.name) :].split("</li>")[0]
    assert "€1,299.00" in oled


def test_product_page_selects_the_variant_asked_for(associate_client, catalog):
    silver = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    url = reverse("products:product", args=[catalog.oled.pk])
    response = associate_client.get(url, {"variant": silver.pk})
    assert f"EAN {silver.ean}" in response.text
    here = re.search(r'data-testid="buy-availability">(.*?)</p>', response.text, re.S).group(1)
    assert "Pas en stock ici" in here
    other = catalog.lg.variants.first()
    assert associate_client.get(url, {"variant": other.pk}).status_code == 404
    assert associate_client.get(url, {"variant": "abc"}).status_code == 404


def test_unknown_product_is_a_404(associate_client, db):
    assert associate_client.get(reverse("products:product", args=[999999])).status_code == 404


def test_product_page_query_count_does_not_grow(
    associate_client, catalog, store, django_assert_num_queries
):
    url = reverse("products:product", args=[catalog.oled.pk])
    # prices (offers; the category paths come with the products), complements, photos; the
    # stock here comes with the variants
    with django_assert_num_queries(11):
        associate_client.get(url)
    for _ in range(5):
        StockLevelFactory(store=store, variant=VariantFactory(product=catalog.oled), on_hand=1)
        ReviewFactory(product=catalog.oled)
    with django_assert_num_queries(11):
        associate_client.get(url)


def test_the_offers_version_comes_with_the_products_it_prices(
    associate_client, catalog, django_assert_num_queries
):
    """While a process keeps the live offers, the search and product pages read their
    version with the products (no query of its own), and see a change of the offers."""
    offer = OfferFactory(name="Semaine OLED", scope="product", value=Decimal("10"))
    offer.products.set([catalog.oled])
    url = reverse("products:product", args=[catalog.oled.pk])
    associate_client.get(url)  # the live offers are read, then kept
    with django_assert_num_queries(10) as product_page:
        assert "Semaine OLED" in associate_client.get(url).text
    with django_assert_num_queries(7) as search_page:
        assert names(search(associate_client, q="OLED"))
    captured = product_page.captured_queries + search_page.captured_queries
    assert not [q for q in captured if q["sql"].strip().startswith("SELECT token")]

    offer.name = "Quinzaine OLED"
    offer.save()
    assert "Quinzaine OLED" in associate_client.get(url).text


def test_order_and_stock_links_carry_the_selected_variant(associate_client, catalog):
    silver = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    url = reverse("products:product", args=[catalog.oled.pk])
    text = associate_client.get(url, {"variant": silver.pk}).text
    assert f'href="{reverse("orders:new")}?variant={silver.pk}"' in text
    assert f'href="{reverse("products:stock", args=[silver.pk])}"' in text


def test_wishlist_button_needs_a_selected_client(associate_client, catalog):
    url = reverse("products:product", args=[catalog.oled.pk])
    assert 'data-testid="wishlist-add"' not in associate_client.get(url).text
    variant = catalog.oled.variants.first()
    response = associate_client.post(reverse("products:wishlist_add", args=[variant.pk]), **HTMX)
    assert response.status_code == 409
    assert "Sélectionnez d'abord le client que vous servez." in unescape(response.text)
    assert not WishlistItem.objects.exists()


def test_add_to_the_selected_clients_wishlist_once(associate_client, catalog):
    camille = CustomerFactory(first_name="Camille")
    session = associate_client.session
    session[SESSION_CLIENT_KEY] = camille.pk
    session.save()
    variant = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    page = associate_client.get(
        reverse("products:product", args=[catalog.oled.pk]), {"variant": variant.pk}
    )
    assert "Ajouter à la liste d'envies de Camille" in unescape(page.text)
    for _ in range(2):
        response = associate_client.post(
            reverse("products:wishlist_add", args=[variant.pk]), **HTMX
        )
        assert response.status_code == 200
        assert "Dans la liste d'envies de Camille ✓" in unescape(response.text)
    item = WishlistItem.objects.get()
    assert (item.customer, item.variant, item.channel) == (camille, variant, "store")


def test_wishlist_item_add_is_idempotent(catalog):
    customer = CustomerFactory()
    variant = catalog.lg.variants.first()
    first, created = wishlist_item_add(customer_id=customer.pk, variant=variant, channel="web")
    again, created_again = wishlist_item_add(customer_id=customer.pk, variant=variant)
    assert created and not created_again
    assert first.pk == again.pk and again.channel == "web"


def test_product_pages_are_for_staff_only(client, catalog):
    response = client.get(reverse("products:product", args=[catalog.oled.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- Comparison tray ----------------------------------------------------------------------


def tray_add(client, product, **extra):
    return client.post(reverse("products:compare_add"), {"product": product.pk}, **extra)


def test_tray_follows_the_associate_across_pages(associate_client, store, catalog):
    response = tray_add(associate_client, catalog.oled, **HTMX)
    assert response.status_code == 200
    assert "Dans la comparaison ✓" in response.text  # the button
    assert 'id="compare-tray" class="compare-tray"' in response.text  # the tray, out of band
    assert 'hx-swap-oob="true"' in response.text
    floor = associate_client.get(reverse("floor:page", kwargs={"store_code": store.code}))
    assert 'data-testid="compare-tray"' in floor.text and catalog.oled.name in floor.text


def test_a_fifth_product_is_refused_with_a_message(associate_client, catalog):
    fifth = ProductFactory(name="Téléviseur Sony Bravia 8")
    for product in (catalog.oled, catalog.qled, catalog.lg, catalog.headphones):
        assert tray_add(associate_client, product, **HTMX).status_code == 200
    response = tray_add(associate_client, fifth, **HTMX)
    assert response.status_code == 422
    assert "La comparaison contient déjà 4 produits" in response.text
    assert associate_client.session["compare_product_ids"] == [
        catalog.oled.pk,
        catalog.qled.pk,
        catalog.lg.pk,
        catalog.headphones.pk,
    ]


def test_without_javascript_the_tray_goes_back_with_a_message(associate_client, catalog):
    next_url = reverse("products:product", args=[catalog.oled.pk])
    response = associate_client.post(
        reverse("products:compare_add"), {"product": catalog.oled.pk, "next": next_url}
    )
    assert response.status_code == 302 and response.url == next_url
    response = associate_client.post(
        reverse("products:compare_add"),
        {"product": catalog.oled.pk, "next": "https://evil.example/"},
    )
    assert response.url == COMPARE


def test_removing_from_the_tray(associate_client, catalog):
    tray_add(associate_client, catalog.oled)
    tray_add(associate_client, catalog.qled)
    response = associate_client.post(
        reverse("products:compare_remove"),
        {"product": catalog.oled.pk},
        HTTP_HX_TARGET="compare-tray",
        **HTMX,
    )
    assert response.status_code == 200
    assert catalog.oled.name not in response.text and catalog.qled.name in response.text
    assert associate_client.session["compare_product_ids"] == [catalog.qled.pk]


def test_a_product_no_longer_sold_cannot_be_added(associate_client, catalog):
    retired = ProductFactory(is_active=False)
    response = tray_add(associate_client, retired, **HTMX)
    assert response.status_code == 422
    assert "Ce produit n'est plus vendu." in unescape(response.text)


# --- Comparison page ----------------------------------------------------------------------


def compare_url(*products, diff=False):
    url = f"{COMPARE}?ids={','.join(str(p.pk) for p in products)}"
    return url + "&diff=1" if diff else url


def rows(response) -> list[tuple[str, list[str], bool]]:
    """(characteristic, values, highlighted) for each characteristic row."""
    found = []
    for row in re.findall(
        r'<tr class="([^"]*)" data-testid="compare-row">(.*?)</tr>', response.text, re.S
    ):
        classes, html = row
        heading = re.search(r"<th[^>]*>(.*?)</th>", html, re.S).group(1)
        name = unescape(re.sub(r"<[^>]+>|\s*\(diffère\)", "", heading)).strip()
        values = [
            re.sub(r"<[^>]+>", "", v).strip() for v in re.findall(r"<td>(.*?)</td>", html, re.S)
        ]
        found.append((name, values, "differs" in classes))
    return found


def test_comparison_shows_shared_characteristics_first_and_highlights_differences(
    associate_client, catalog
):
    response = associate_client.get(compare_url(catalog.oled, catalog.qled, catalog.lg))
    assert response.status_code == 200
    assert rows(response) == [
        ("Taille d'écran", ["55 po", "65 po", "55 po"], True),
        ("Technologie d'écran", ["OLED", "QLED", "OLED"], True),
        ("Wi-Fi", ["Oui", "Oui", "Oui"], False),
        ("Poids", ["18,6 kg", "24,5 kg", "—"], True),
    ]
    text = response.text
    assert "1\u202f299,00\xa0€" in text and "999,00\xa0€" in text and "1\u202f490,00\xa0€" in text
    assert "2 en stock ici" in text and "Pas en stock ici" in text


def test_differences_only(associate_client, catalog):
    response = associate_client.get(compare_url(catalog.oled, catalog.lg, diff=True), **HTMX)
    assert [r[0] for r in rows(response)] == ["Poids"]  # 55 and 55.000 are the same size
    assert 'aria-checked="true"' in response.text
    assert "<html" not in response.text
    assert response.headers["HX-Replace-Url"] == compare_url(catalog.oled, catalog.lg, diff=True)


def test_products_of_different_categories_compare_on_what_they_share(associate_client, catalog):
    response = associate_client.get(compare_url(catalog.oled, catalog.headphones))
    assert (
        "Ces produits sont de catégories différentes : ils ont 2 caractéristiques en commun"
        in response.text
    )
    assert [r[0] for r in rows(response)][:2] == ["Poids", "Wi-Fi"]
    assert ("Taille d'écran", ["55 po", "—"], True) in rows(response)


def test_a_shared_link_fills_the_tray_and_the_tray_has_a_link(associate_client, catalog):
    response = associate_client.get(compare_url(catalog.lg, catalog.oled))
    assert associate_client.session["compare_product_ids"] == [catalog.lg.pk, catalog.oled.pk]
    # The link for the client is signed: it opens the public comparison (test_public_pages).
    assert 'data-testid="share-link">http://testserver/p/compare/' in response.text
    response = associate_client.get(COMPARE)
    assert response.status_code == 302 and response.url == compare_url(catalog.lg, catalog.oled)


def test_a_bad_link_is_shown_as_far_as_it_goes(associate_client, catalog):
    products = [catalog.oled, catalog.qled, catalog.lg, catalog.headphones]
    url = compare_url(*products) + ",abc,999999,-3"
    response = associate_client.get(
        url.replace(f"{catalog.oled.pk},", f"{catalog.oled.pk},999998,")
    )
    assert response.status_code == 200
    assert "Seuls 4 produits peuvent être comparés" in response.text


def test_removing_from_the_comparison_page(associate_client, catalog):
    page = associate_client.get(compare_url(catalog.oled, catalog.qled, catalog.lg))
    remove = re.search(
        rf'href="([^"]+)"[^>]*aria-label="Retirer {catalog.qled.name} de la comparaison"', page.text
    ).group(1)
    response = associate_client.get(remove.replace("&amp;", "&"), **HTMX)
    assert catalog.qled.name not in response.text
    assert associate_client.session["compare_product_ids"] == [catalog.oled.pk, catalog.lg.pk]


def test_a_single_product_asks_for_another(associate_client, catalog):
    response = associate_client.get(compare_url(catalog.oled))
    assert 'data-testid="compare-empty"' in response.text


def test_comparison_query_count_does_not_grow(associate_client, catalog, django_assert_num_queries):
    # session, user, staff profile, store; products, characteristics, variants; the tray
    # saved in the session (savepoint, update, release); the prices (the offers touching
    # them; the category paths come with the products).
    with django_assert_num_queries(11):
        associate_client.get(compare_url(catalog.oled, catalog.qled))
    with django_assert_num_queries(11):
        associate_client.get(
            compare_url(catalog.oled, catalog.qled, catalog.lg, catalog.headphones)
        )


# --- Shelf labels -------------------------------------------------------------------------

LABELS = reverse("products:labels")


def test_labels_are_for_managers_and_head_office(client, associate, manager, head_office, catalog):
    client.force_login(associate)
    assert client.get(LABELS).status_code == 403
    for user in (manager, head_office):
        client.force_login(user)
        assert client.get(LABELS).status_code == 200


def label_urls(response) -> list[str]:
    return re.findall(r'class="shelf-label-qr" href="([^"]+)"', response.text)


def test_labels_by_category_include_sub_categories(client, manager, catalog):
    client.force_login(manager)
    response = client.get(LABELS, {"category": catalog.categories["image"].pk})
    assert response.status_code == 200
    assert len(label_urls(response)) == 4
    assert "1\u202f299,00\xa0€" in response.text
    assert 'href="/static/css/labels.css"' in response.text


def test_label_qr_codes_point_at_the_public_product_page(client, manager, catalog):
    client.force_login(manager)
    response = client.get(LABELS, {"brand": catalog.brands["lg"].pk})
    path = reverse("products:public_product", args=[catalog.lg.pk])
    [url] = label_urls(response)
    assert url == f"http://testserver{path}?store=lyon-part-dieu"  # the manager's store now
    expected = segno.make(url, error="m").svg_inline(**QR_SVG)
    assert expected in response.text  # the very QR code of that address


def test_labels_from_a_list_of_codes_name_the_variant(client, manager, catalog):
    client.force_login(manager)
    silver = catalog.oled.variants.get(sku="SAM-QE55S90-AG")
    response = client.get(LABELS, {"codes": f"sam-qe55s90-ag\n{catalog.lg.variants.first().ean}"})
    urls = label_urls(response)
    assert len(urls) == 2 and f"?variant={silver.pk}&amp;store=" in urls[0]
    assert "argent" in response.text


def test_unknown_codes_are_listed(client, manager, catalog):
    client.force_login(manager)
    response = client.get(LABELS, {"codes": "SAM-QE55S90-AG, NOPE-1"})
    assert response.status_code == 422
    assert "Codes inconnus : NOPE-1." in response.text


def test_labels_need_a_choice(client, manager, catalog):
    client.force_login(manager)
    response = client.get(LABELS, {"codes": ""})
    assert response.status_code == 422
    assert (
        "Choisissez une catégorie, une marque, ou listez les codes des produits." in response.text
    )


def test_labels_query_count_does_not_grow(client, manager, catalog, django_assert_num_queries):
    client.force_login(manager)
    params = {"category": catalog.categories["tv"].pk}
    with django_assert_num_queries(8):  # with the prices: the offers
        client.get(LABELS, params)
    for i in range(10):
        VariantFactory(product=ProductFactory(name=f"TV {i}", category=catalog.categories["tv"]))
    with django_assert_num_queries(8):
        assert len(label_urls(client.get(LABELS, params))) == 13


def test_pages_show_the_price_of_the_offers_engine(associate_client, catalog):
    """An offer made at head office shows on the search results and the product page."""
    offer = OfferFactory(name="Semaine OLED", scope="product", value=Decimal("10"))
    offer.products.add(catalog.oled)
    with translation.override("fr"):
        discounted = money(catalog.oled.list_price * Decimal("0.9"))
    assert discounted in search(associate_client, q="oled").text
    page = associate_client.get(reverse("products:product", args=[catalog.oled.pk])).text
    assert discounted in page
    assert "Semaine OLED" in page


# --- The embedded demo (SQLite) -----------------------------------------------------------

SQLITE_SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from products.selectors import ProductQuery, product_search
from tests.factories import StoreFactory
from tests.product_catalog import make_catalog

store = StoreFactory()
catalog = make_catalog(store)

def found(text, **filters):
    page = product_search(ProductQuery(text=text, **filters), store=store)
    return sorted(p.name for p in page.products)

print(json.dumps({
    "accents": found("televiseur"),
    "words": found("SAMSUNG oled"),
    "brand_filter": found("tv", brand=catalog.brands["lg"]),
    "in_stock": found("televiseur", in_stock_at=store),
    "sku": found("sony-wh1000xm5-s"),
    "typo": found("televisuer"),
}))
"""


def test_search_works_on_the_embedded_sqlite_demo(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "clienteling.settings",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SQLITE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    tvs = [
        "Téléviseur OLED LG C4 55",
        "Téléviseur OLED Samsung QE55S90",
        "Téléviseur QLED Samsung QE65Q80",
    ]
    assert found["accents"] == tvs
    assert found["words"] == ["Téléviseur OLED Samsung QE55S90"]
    assert found["brand_filter"] == []  # "tv" is in no document: every word must match
    assert found["in_stock"] == ["Téléviseur OLED Samsung QE55S90"]
    assert found["sku"] == ["Casque sans fil Sony WH-1000XM5"]
    assert found["typo"] == []  # spelling tolerance needs PostgreSQL's trigrams


# --- Keeping search up to date ------------------------------------------------------------


def test_renaming_a_brand_in_admin_updates_search(client, head_office, associate, catalog):
    mfa_login(client, head_office)
    brand = catalog.brands["lg"]
    response = client.post(
        reverse("admin:catalog_brand_change", args=[brand.pk]),
        {"name": "LG Electronics", "slug": brand.slug},
    )
    assert response.status_code == 302
    client.force_login(associate)
    assert names(search(client, q="electronics")) == [catalog.lg.name]


def test_the_rebuild_command_makes_imported_products_searchable(catalog):
    from django.core.management import call_command

    imported = ProductFactory(name="Aspirateur balai Dyson V15")
    VariantFactory(product=imported)
    assert not ProductSearch.objects.filter(product=imported).exists()
    call_command("rebuild_product_search", stdout=StringIO())
    page = product_search(ProductQuery(text="aspirateur dyson"))
    assert [p.name for p in page.products] == [imported.name]
