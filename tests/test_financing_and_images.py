"""Payment in instalments (an offer kind priced by the one engine) and product photos
(checked uploads, re-encoded files and thumbnails in their own storage)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from catalog.models import Complement, ProductImage, product_image_storage
from catalog.services import product_image_save
from offers.models import Offer
from offers.pricing import price_for
from tests.factories import (
    CategoryFactory,
    OfferFactory,
    ProductFactory,
    VariantFactory,
    mfa_login,
    photo,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _photos_in_tmp(image_storage):
    return image_storage


def four_times(product, *, min_amount="300.00", **fields):
    offer = OfferFactory(
        name="Paiement en 4x sans frais",
        kind=Offer.Kind.FINANCING,
        value=D("4"),
        min_amount=D(min_amount),
        scope=Offer.Scope.PRODUCT,
        **fields,
    )
    offer.products.set([product])
    return offer


# --- Payment in instalments ------------------------------------------------------------


def test_financing_shown_from_its_threshold_only():
    above = VariantFactory(product=ProductFactory(list_price=D("499.00")))
    below = VariantFactory(product=ProductFactory(list_price=D("299.99")))
    four_times(above.product)
    four_times(below.product)
    price = price_for(above)
    assert price.final == D("499.00")  # it takes nothing off
    assert price.offers == ()
    assert (price.financing.count, price.financing.first, price.financing.instalment) == (
        4,
        D("124.75"),
        D("124.75"),
    )
    assert price_for(below).financing is None


def test_financing_threshold_is_on_the_discounted_price():
    variant = VariantFactory(product=ProductFactory(list_price=D("320.00")))
    four_times(variant.product)
    discount = OfferFactory(kind=Offer.Kind.AMOUNT, value=D("30"), scope=Offer.Scope.PRODUCT)
    discount.products.set([variant.product])
    price = price_for(variant)
    assert price.final == D("290.00")
    assert price.financing is None


def test_financing_odd_cents_go_to_the_first_instalment():
    variant = VariantFactory(product=ProductFactory(list_price=D("1000.01")))
    four_times(variant.product)
    f = price_for(variant).financing
    assert (f.first, f.instalment) == (D("250.01"), D("250.00"))
    assert f.first + 3 * f.instalment == D("1000.01")


def test_financing_needs_whole_instalments_and_a_threshold():
    offer = OfferFactory.build(kind=Offer.Kind.FINANCING, value=D("4.5"), min_amount=None)
    with pytest.raises(ValidationError) as error:
        offer.clean()
    assert set(error.value.message_dict) == {"value", "min_amount"}
    offer = OfferFactory.build(kind=Offer.Kind.PERCENT, value=D("10"), min_amount=D("100"))
    with pytest.raises(ValidationError) as error:
        offer.clean()
    assert set(error.value.message_dict) == {"min_amount"}
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(kind=Offer.Kind.FINANCING, value=D("4"), min_amount=None)


def test_product_page_shows_financing_beside_the_price_above_the_amount_only(associate_client):
    staff = associate_client
    above = VariantFactory(product=ProductFactory(list_price=D("499.00")))
    below = VariantFactory(product=ProductFactory(list_price=D("99.00")))
    four_times(above.product)
    four_times(below.product)
    page = staff.get(reverse("products:product", args=[above.product_id]))
    assert 'data-testid="financing"' in page.text
    assert "4× sans frais" in page.text
    assert "4 × 124,75" in page.text
    page = staff.get(reverse("products:product", args=[below.product_id]))
    assert 'data-testid="financing"' not in page.text


# --- Product photos --------------------------------------------------------------------


def test_a_photo_is_re_encoded_with_a_thumbnail(image_storage):
    product = ProductFactory()
    image = product_image_save(product=product, upload=photo(size=(2400, 1600)))
    assert (image.width, image.height) == (1600, 1067)
    storage = product_image_storage()
    with storage.open(image.thumbnail.name) as f:
        thumb = Image.open(f)
        assert thumb.format == "JPEG"
        assert max(thumb.size) == 400
    assert image.thumbnail_url.startswith("/media/products/")
    # A new photo of the same colour replaces the old one and its files.
    old = [image.image.name, image.thumbnail.name]
    with pytest.raises(ValidationError):
        product_image_save(product=product, upload=SimpleUploadedFile("x.jpg", b"hello"))
    assert all(storage.exists(name) for name in old)  # a refused upload changes nothing


@pytest.mark.django_db(transaction=True)
def test_a_replaced_photo_leaves_no_file_behind(image_storage):
    product = ProductFactory()
    first = product_image_save(product=product, upload=photo())
    old = [first.image.name, first.thumbnail.name]
    second = product_image_save(product=product, upload=photo(colour=(0, 90, 200)))
    assert second.pk == first.pk
    assert ProductImage.objects.filter(product=product).count() == 1
    storage = product_image_storage()
    assert not any(storage.exists(name) for name in old)
    assert storage.exists(second.image.name)


def test_admin_refuses_a_text_file_named_jpg(client, head_office, image_storage):
    mfa_login(client, head_office)
    staff = client
    product = ProductFactory()
    VariantFactory(product=product, colour="Noir")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = staff.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        name=product.name,
        brand=product.brand_id,
        category=product.category_id,
        list_price="499.00",
        country_of_origin="FR",
        is_active="on",
    )
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        prefix = fs.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(len(fs.initial_forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(fs.initial_forms))
        for i, f in enumerate(fs.initial_forms):
            data[f"{prefix}-{i}-id"] = f.instance.pk
            for name in f.fields:
                value = f.initial.get(name)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is not None and name != "DELETE":
                    data[f"{prefix}-{i}-{name}"] = value
    images = next(
        f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is ProductImage
    )
    p = images.prefix
    data[f"{p}-TOTAL_FORMS"] = "1"
    data[f"{p}-0-colour"] = "Noir"
    data[f"{p}-0-image"] = SimpleUploadedFile("photo.jpg", b"not a photo at all", "image/jpeg")
    refused = staff.post(url, data)
    assert refused.status_code == 200
    assert "Téléversez une image valide" in refused.text
    assert not ProductImage.objects.exists()
    data[f"{p}-0-image"] = photo("photo.jpg", fmt="JPEG")
    saved = staff.post(url, data)
    if saved.status_code != 302:
        ctx = saved.context
        print(
            [fs.formset.errors for fs in ctx["inline_admin_formsets"]], ctx["adminform"].form.errors
        )
    assert saved.status_code == 302
    image = ProductImage.objects.get()
    assert (image.colour, image.width) == ("Noir", 900)
    assert image.thumbnail.name.endswith("-thumb.jpg")


def test_complement_is_for_a_product_or_a_category_not_itself():
    tv = ProductFactory()
    mount = ProductFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Complement.objects.create(product=tv, complement=tv)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complement.objects.create(product=tv, category=CategoryFactory(), complement=mount)
    Complement.objects.create(product=tv, complement=mount)


def test_a_product_shows_its_main_photo_else_its_first_by_colour_and_a_variant_its_colours():
    from products.selectors import photos_attach

    main, coloured, bare = ProductFactory(), ProductFactory(), ProductFactory()
    images = {
        (product.pk, colour): ProductImage.objects.create(
            product=product, colour=colour, image=f"products/{product.pk}/{colour or 'main'}.jpg"
        )
        for product, colours in ((main, ("Rouge", "", "Bleu")), (coloured, ("Vert", "Bleu")))
        for colour in colours
    }
    products = [main, coloured, bare]
    photos_attach(products)
    assert [p.photo for p in products] == [
        images[main.pk, ""],
        images[coloured.pk, "Bleu"],
        None,
    ]
    red = VariantFactory(product=main, colour="Rouge")
    black = VariantFactory(product=coloured, colour="Noir")
    photos_attach(products, [red, black])
    assert [p.photo for p in products] == [images[main.pk, ""], images[coloured.pk, "Bleu"], None]
    assert (red.photo, black.photo) == (images[main.pk, "Rouge"], images[coloured.pk, "Bleu"])
