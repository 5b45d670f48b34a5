"""A small, believable catalog for the product tools' tests (search, product page,
comparison, labels), made searchable as the admin or an import would."""

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Characteristic, Product, ean13_check_digit
from catalog.services import product_search_refresh
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CharacteristicFactory,
    ProductCharacteristicFactory,
    ProductFactory,
    ReviewFactory,
    StockLevelFactory,
    VariantFactory,
)


def ean(first12: str) -> str:
    return first12 + ean13_check_digit(first12)


@dataclass
class Catalog:
    oled: Product  # Samsung OLED TV, 55 in, in stock here
    qled: Product  # Samsung QLED TV, 65 in, only reserved units here
    lg: Product  # LG OLED TV, 55 in, not stocked here
    headphones: Product  # Sony headphones (another category), in stock here
    categories: dict
    brands: dict
    characteristics: dict


def make_catalog(store, other_store=None) -> Catalog:
    image = CategoryFactory(name="Image et son", slug="image-et-son")
    tv = CategoryFactory(name="Téléviseurs", slug="televiseurs", parent=image)
    audio = CategoryFactory(name="Casques audio", slug="casques-audio", parent=image)
    samsung = BrandFactory(name="Samsung", slug="samsung")
    lg = BrandFactory(name="LG", slug="lg")
    sony = BrandFactory(name="Sony", slug="sony")
    size = CharacteristicFactory(
        code="screen_size", name_fr="Taille d'écran", name_en="Screen size", unit="in", position=1
    )
    tech = CharacteristicFactory(
        code="panel",
        name_fr="Technologie d'écran",
        name_en="Panel technology",
        kind=Characteristic.Kind.TEXT,
        unit="",
        position=2,
    )
    weight = CharacteristicFactory(
        code="weight", name_fr="Poids", name_en="Weight", unit="kg", position=3
    )
    wifi = CharacteristicFactory(
        code="wifi", name_fr="Wi-Fi", name_en="Wi-Fi", kind=Characteristic.Kind.BOOLEAN, unit=""
    )
    anc = CharacteristicFactory(
        code="anc",
        name_fr="Réduction de bruit",
        name_en="Noise cancelling",
        kind=Characteristic.Kind.BOOLEAN,
        unit="",
        position=5,
    )

    oled = ProductFactory(
        name="Téléviseur OLED Samsung QE55S90",
        brand=samsung,
        category=tv,
        description="Un noir parfait et des couleurs éclatantes.",
        country_of_origin="KR",
        list_price=Decimal("1299.00"),
    )
    qled = ProductFactory(
        name="Téléviseur QLED Samsung QE65Q80",
        brand=samsung,
        category=tv,
        country_of_origin="VN",
        list_price=Decimal("999.00"),
    )
    lg_tv = ProductFactory(
        name="Téléviseur OLED LG C4 55",
        brand=lg,
        category=tv,
        country_of_origin="KR",
        list_price=Decimal("1490.00"),
    )
    headphones = ProductFactory(
        name="Casque sans fil Sony WH-1000XM5",
        brand=sony,
        category=audio,
        country_of_origin="MY",
        list_price=Decimal("379.99"),
    )
    values = [
        (oled, size, {"value_number": Decimal("55")}),
        (oled, tech, {"value_text": "OLED", "value_number": None}),
        (oled, weight, {"value_number": Decimal("18.600")}),
        (oled, wifi, {"value_bool": True, "value_number": None}),
        (qled, size, {"value_number": Decimal("65")}),
        (qled, tech, {"value_text": "QLED", "value_number": None}),
        (qled, weight, {"value_number": Decimal("24.5")}),
        (qled, wifi, {"value_bool": True, "value_number": None}),
        (lg_tv, size, {"value_number": Decimal("55.000")}),
        (lg_tv, tech, {"value_text": "OLED", "value_number": None}),
        (lg_tv, wifi, {"value_bool": True, "value_number": None}),
        (headphones, weight, {"value_number": Decimal("0.250")}),
        (headphones, anc, {"value_bool": True, "value_number": None}),
        (headphones, wifi, {"value_bool": False, "value_number": None}),
    ]
    for product, characteristic, value in values:
        ProductCharacteristicFactory(product=product, characteristic=characteristic, **value)

    oled_black = VariantFactory(product=oled, sku="SAM-QE55S90-NR", ean=ean("880609500001"))
    VariantFactory(product=oled, sku="SAM-QE55S90-AG", colour="argent", ean=ean("880609500002"))
    qled_variant = VariantFactory(product=qled, sku="SAM-QE65Q80-NR", ean=ean("880609500003"))
    VariantFactory(product=lg_tv, sku="LG-OLED55C4", ean=ean("880609100001"))
    VariantFactory(product=headphones, sku="SONY-WH1000XM5-B", ean=ean("454873600001"))
    VariantFactory(
        product=headphones, sku="SONY-WH1000XM5-S", colour="argent", ean=ean("454873600002")
    )

    StockLevelFactory(store=store, variant=oled_black, on_hand=3, reserved=1)
    StockLevelFactory(store=store, variant=qled_variant, on_hand=2, reserved=2)
    StockLevelFactory(store=store, variant=headphones.variants.first(), on_hand=4)
    if other_store is not None:
        StockLevelFactory(store=other_store, variant=lg_tv.variants.first(), on_hand=6)

    ReviewFactory(product=oled, rating=5, title="Sublime", author_name="Inès")
    ReviewFactory(product=oled, rating=4, title="Très bon", author_name="Paul")

    product_search_refresh()
    return Catalog(
        oled=oled,
        qled=qled,
        lg=lg_tv,
        headphones=headphones,
        categories={"image": image, "tv": tv, "audio": audio},
        brands={"samsung": samsung, "lg": lg, "sony": sony},
        characteristics={"size": size, "tech": tech, "weight": weight, "wifi": wifi, "anc": anc},
    )
