"""Demo photos and extras: a simple, distinct picture per product and colour (the
category's shape in the colour, the brand's initials), accessories for TVs linked as
complements, and a payment in four instalments.

Pictures are drawn at thumbnail size (``catalog.images.THUMB_SIZE``) and saved once as
both the photo and its thumbnail; names carry a digest of the bytes, so seeding again
reuses the files. About a millisecond each: the demo's catalog draws in a second or two.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from catalog.images import THUMB_SIZE
from catalog.models import (
    Brand,
    Category,
    Complement,
    Product,
    ProductImage,
    Store,
    Variant,
    ean13_check_digit,
    product_image_storage,
)
from inventory.models import StockLevel
from offers.models import Offer

S = THUMB_SIZE
COLOURS = {
    "Noir": (34, 34, 38),
    "Blanc": (236, 236, 232),
    "Bleu marine": (28, 46, 92),
    "Beige": (214, 196, 160),
    "Gris": (140, 144, 150),
    "Rouge": (190, 40, 46),
    "Vert sauge": (140, 166, 132),
    "Camel": (193, 140, 82),
    "Argent": (190, 194, 200),
}
BACKGROUNDS = ((244, 246, 250), (250, 246, 240), (240, 248, 246), (248, 242, 248))


def _tv(d, c):
    d.rounded_rectangle((40, 90, 360, 280), 10, fill=c, outline=(20, 20, 20), width=6)
    d.rectangle((180, 280, 220, 320), fill=(60, 60, 60))
    d.rectangle((130, 320, 270, 332), fill=(60, 60, 60))


def _bar(d, c):
    d.rounded_rectangle((30, 180, 370, 236), 24, fill=c, outline=(30, 30, 30), width=4)
    for x in range(70, 340, 24):
        d.ellipse((x, 200, x + 10, 210), fill=(90, 90, 90))


def _headphones(d, c):
    d.arc((90, 60, 310, 300), 180, 360, fill=c, width=22)
    d.rounded_rectangle((70, 170, 130, 290), 20, fill=c)
    d.rounded_rectangle((270, 170, 330, 290), 20, fill=c)


def _laptop(d, c):
    d.rounded_rectangle((90, 80, 310, 240), 8, fill=c, outline=(30, 30, 30), width=6)
    d.polygon([(60, 260), (340, 260), (370, 300), (30, 300)], fill=c, outline=(30, 30, 30))


def _handheld(width):
    def draw(d, c):
        left = 200 - width // 2
        d.rounded_rectangle((left, 60, 400 - left, 340), 24, fill=c, outline=(25, 25, 25), width=8)

    return draw


def _watch(d, c):
    d.rectangle((170, 40, 230, 360), fill=c)
    d.ellipse((120, 120, 280, 280), fill=(40, 40, 44), outline=c, width=12)


def _cup(d, c):
    d.rounded_rectangle((110, 140, 270, 310), 30, fill=c)
    d.arc((240, 170, 320, 260), 270, 90, fill=c, width=16)
    d.rectangle((90, 310, 290, 326), fill=c)


def _vacuum(d, c):
    d.line((200, 50, 200, 290), fill=c, width=18)
    d.ellipse((140, 150, 260, 270), fill=c)
    d.rounded_rectangle((130, 290, 290, 330), 12, fill=(60, 60, 60))


def _pan(d, c):
    d.ellipse((60, 130, 260, 330), fill=c, outline=(40, 40, 40), width=6)
    d.rounded_rectangle((250, 215, 370, 245), 12, fill=(50, 50, 50))


def _jacket(d, c):
    d.polygon([(140, 60), (260, 60), (340, 130), (320, 340), (80, 340), (60, 130)], fill=c)
    d.line((200, 70, 200, 340), fill=(30, 30, 30), width=4)


def _jeans(d, c):
    d.polygon([(120, 50), (280, 50), (300, 350), (220, 350), (200, 150), (180, 350), (100, 350)],
              fill=c)  # fmt: skip


def _sneaker(d, c):
    d.polygon([(50, 270), (90, 180), (200, 170), (340, 240), (350, 290), (50, 300)], fill=c)
    d.rectangle((50, 300, 350, 316), fill=(245, 245, 245), outline=(60, 60, 60))


def _mount(d, c):
    d.rectangle((150, 80, 250, 320), outline=c, width=16)
    d.line((150, 200, 60, 200), fill=c, width=16)
    d.line((250, 200, 340, 200), fill=c, width=16)


def _cable(d, c):
    d.arc((60, 80, 340, 320), 30, 330, fill=c, width=14)
    d.rectangle((300, 110, 350, 150), fill=(50, 50, 50))
    d.rectangle((300, 250, 350, 290), fill=(50, 50, 50))


SHAPES: dict[str, Callable] = {
    "televiseurs": _tv,
    "barres-de-son": _bar,
    "casques-audio": _headphones,
    "ordinateurs-portables": _laptop,
    "tablettes": _handheld(200),
    "smartphones": _handheld(130),
    "montres-connectees": _watch,
    "machines-a-cafe": _cup,
    "aspirateurs": _vacuum,
    "casseroles-et-poeles": _pan,
    "vestes-femme": _jacket,
    "vestes-homme": _jacket,
    "jeans-femme": _jeans,
    "jeans-homme": _jeans,
    "baskets-femme": _sneaker,
    "baskets-homme": _sneaker,
    "supports-muraux": _mount,
    "cables": _cable,
}


def _font():
    try:
        return ImageFont.load_default(size=44)
    except (OSError, TypeError):  # Pillow without FreeType
        return ImageFont.load_default()


def draw_photo(*, shape: str, colour: str, initials: str, seed: int, font=None) -> bytes:
    """A JPEG of ``THUMB_SIZE`` px: the shape in the colour, initials in a corner."""
    image = Image.new("RGB", (S, S), BACKGROUNDS[seed % len(BACKGROUNDS)])
    d = ImageDraw.Draw(image)
    fill = COLOURS.get(colour, ((seed * 67) % 200 + 30, (seed * 131) % 200 + 30, 120))
    SHAPES.get(shape, _handheld(220))(d, fill)
    d.text((20, 14), initials, fill=(29, 53, 87), font=font or _font())
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _initials(brand: str, name: str) -> str:
    words = [w for w in brand.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or name[:2].upper()


def demo_photos_create(*, limit: int | None = None) -> int:
    """One photo per product (its first colour) and per colour of its variants; returns
    how many. ``limit`` caps the products (benchmark sizes)."""
    storage = product_image_storage()
    font = _font()
    products = Product.objects.select_related("brand", "category").order_by("pk")
    if limit is not None:
        products = products[:limit]
    colours: dict[int, list[str]] = {}
    for product_id, colour in (
        Variant.objects.filter(product__in=products.values("pk"))
        .order_by("product_id", "pk")
        .values_list("product_id", "colour")
    ):
        found = colours.setdefault(product_id, [])
        if colour and colour not in found:
            found.append(colour)
    rows = []
    for product in products:
        initials = _initials(product.brand.name, product.name)
        wanted = colours.get(product.pk, []) or [""]
        for i, colour in enumerate(wanted):
            data = draw_photo(
                shape=product.category.slug, colour=colour, initials=initials, seed=product.pk,
                font=font,
            )  # fmt: skip
            digest = hashlib.sha256(data).hexdigest()[:16]
            name = f"products/{product.pk}/{slugify(colour) or 'main'}-{digest}.jpg"
            if not storage.exists(name):
                name = storage.save(name, ContentFile(data))
            # The main photo is the first colour's; each colour of several gets its own.
            owners = ([""] if i == 0 else []) + ([colour] if len(wanted) > 1 else [])
            rows.extend(
                ProductImage(product=product, colour=own, image=name, width=S, height=S)
                for own in owners
            )
    ProductImage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


# name, brand, category slug, price, colour
ACCESSORIES = (
    ('Support mural inclinable 43-85"', "Vogel's", "supports-muraux", "79.99", "Noir"),
    ('Support mural orientable 40-77"', "Vogel's", "supports-muraux", "129.99", "Noir"),
    ("Câble HDMI 2.1 8K 2 m", "Belkin", "cables", "24.99", "Noir"),
    ("Câble HDMI 2.1 8K 3 m", "Belkin", "cables", "29.99", "Gris"),
)


def demo_extras_create(*, now: datetime, accessories: bool = True) -> None:
    """TV accessories (in stock in every store; not at benchmark sizes, whose counts are
    planned), the complements of TVs (wall mounts, cables, soundbars) and a payment in 4
    instalments from 300 €."""
    parent = Category.objects.get(slug="tv-son")
    categories = {}
    for name, slug in (("Supports muraux", "supports-muraux"), ("Câbles", "cables")):
        categories[slug] = Category.objects.create(name=name, slug=slug, parent=parent)
    stores = list(Store.objects.filter(is_active=True))
    made = []
    for i, (name, brand, slug, price, colour) in enumerate(ACCESSORIES if accessories else ()):
        brand_row, _ = Brand.objects.get_or_create(name=brand, defaults={"slug": slugify(brand)})
        product = Product.objects.create(
            name=name, brand=brand_row, category=categories[slug], list_price=Decimal(price),
            country_of_origin="CN", description="Accessoire pour téléviseur.",
        )  # fmt: skip
        first12 = f"3771{i:08d}"
        variant = Variant.objects.create(
            product=product, sku=f"AC-{i + 1:04d}", ean=first12 + ean13_check_digit(first12),
            colour=colour,
        )  # fmt: skip
        StockLevel.objects.bulk_create(
            StockLevel(store=s, variant=variant, on_hand=20 if s.is_warehouse else 2 + i % 3)
            for s in stores
        )
        made.append(product)
    tvs = Category.objects.get(slug="televiseurs")
    soundbars = Product.objects.filter(category__slug="barres-de-son").order_by(
        F("list_price").desc(), "pk"
    )[:2]
    links = [*made, *soundbars]
    Complement.objects.bulk_create(
        Complement(category=tvs, complement=p, position=10 * (i + 1)) for i, p in enumerate(links)
    )
    day = timedelta(days=1)
    four = Offer.objects.create(
        name="Paiement en 4x sans frais",
        description="En magasin et en ligne, dès 300 € d'achat en high-tech.",
        kind=Offer.Kind.FINANCING, value=Decimal("4"), min_amount=Decimal("300"),
        scope=Offer.Scope.CATEGORY, starts_at=now - 30 * day, ends_at=now + 335 * day,
    )  # fmt: skip
    four.categories.set(Category.objects.filter(slug="high-tech"))
