"""Writes to catalog data: the search entries derived from products, product photos."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Value
from django.utils.text import slugify

from .images import encode, open_upload
from .models import (
    Category,
    Characteristic,
    Product,
    ProductCharacteristic,
    ProductImage,
    ProductSearch,
    SearchWord,
    Variant,
    product_image_storage,
)
from .text import fold

SEARCH_BATCH_SIZE = 2000
# Words worth correcting a typo towards: letters only (codes are matched by prefix).
_LEXICON_WORD = re.compile(r"[^\W\d_]{3,60}")


def product_search_refresh(*, product_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search entries of these products (every product when ``None``): active
    products get an up-to-date entry, inactive ones leave search. New words join the
    spelling lexicon.

    Call it after writing products, their variants or characteristic values outside the
    admin (imports, seeding); the admin calls it on save. Five queries per batch of 2,000
    products; returns the number of entries written.
    """
    if product_ids is None:
        ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(product_ids))
    if not ids:
        return 0
    category_names = _category_path_names()
    flags = {
        c.pk: f"{c.name_fr} {c.name_en}"
        for c in Characteristic.objects.filter(kind=Characteristic.Kind.BOOLEAN)
    }
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), SEARCH_BATCH_SIZE):
            batch = ids[start : start + SEARCH_BATCH_SIZE]
            entries = _search_entries(batch, category_names, flags)
            ProductSearch.objects.filter(product_id__in=batch).exclude(
                product_id__in=[e.product_id for e in entries]
            ).delete()
            ProductSearch.objects.bulk_create(
                entries,
                update_conflicts=True,
                unique_fields=["product"],
                update_fields=["name", "document", "vector"],
            )
            lexicon = {w for e in entries for w in _LEXICON_WORD.findall(e.document)}
            SearchWord.objects.bulk_create(
                [SearchWord(word=w) for w in sorted(lexicon)], ignore_conflicts=True
            )
            written += len(entries)
    return written


def _category_path_names() -> dict[int, str]:
    """Each category's own name preceded by its ancestors' ("TV et vidéo Téléviseurs")."""
    categories = {c.pk: c for c in Category.objects.only("pk", "name", "path")}
    return {
        pk: " ".join(
            categories[int(part)].name
            for part in c.path.strip("/").split("/")
            if part and int(part) in categories
        )
        or c.name
        for pk, c in categories.items()
    }


def _search_entries(
    product_ids: list[int], category_names: dict[int, str], flags: dict[int, str]
) -> list[ProductSearch]:
    extra: dict[int, list[str]] = defaultdict(list)
    values = ProductCharacteristic.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "characteristic_id", "value_text", "value_bool"
    )
    for product_id, characteristic_id, text, flag in values:
        if text:
            extra[product_id].append(text)
        elif flag and characteristic_id in flags:
            extra[product_id].append(flags[characteristic_id])
    variants = (
        Variant.objects.filter(product_id__in=product_ids)
        .values_list("product_id", "colour", "size")
        .distinct()
    )
    for product_id, colour, size in variants:
        extra[product_id].extend(x for x in (colour, size) if x)
    products = Product.objects.filter(pk__in=product_ids, is_active=True).values_list(
        "pk", "name", "brand__name", "category_id"
    )
    entries = []
    for pk, name, brand, category_id in products:
        parts = [name, brand, category_names.get(category_id, ""), *dict.fromkeys(extra[pk])]
        document = fold(" ".join(parts))
        entries.append(ProductSearch(product_id=pk, name=fold(name), document=document))
        if connection.vendor == "postgresql":
            entries[-1].vector = SearchVector(Value(document), config="simple")
    return entries


# --- Product images ----------------------------------------------------------------------


def product_image_save(*, product: Product, colour: str = "", upload, image=None):
    """Store a photo of ``product`` (its main one, or its variants' of ``colour``): check
    it, re-encode it and its thumbnail (``catalog.images``), write both through the
    product images' storage and record them, replacing the colour's previous photo.
    The files of a replaced photo are deleted once the new one is committed. Raises
    ValidationError for an upload that is not an acceptable photo; nothing is written then.
    """
    encoded = encode(open_upload(upload))
    existing = image or ProductImage.objects.filter(product=product, colour=colour).first()
    row = existing or ProductImage(product=product, colour=colour)
    old = [f.name for f in (row.image, row.thumbnail) if f and f.name and row.pk]
    storage = product_image_storage()
    stem = f"products/{product.pk}/{slugify(colour) or 'main'}-{encoded.digest}"
    written = []
    try:
        written.append(storage.save(f"{stem}.jpg", ContentFile(encoded.full)))
        written.append(storage.save(f"{stem}-thumb.jpg", ContentFile(encoded.thumbnail)))
        with transaction.atomic():
            row.product, row.colour = product, colour
            row.image.name, row.thumbnail.name = written
            row.width, row.height = encoded.width, encoded.height
            row.save()
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    stale = [name for name in old if name not in written]
    if stale:
        transaction.on_commit(partial(_files_delete, stale))
    return row


def product_image_delete(*, image) -> None:
    names = [f.name for f in (image.image, image.thumbnail) if f and f.name]
    image.delete()
    transaction.on_commit(partial(_files_delete, names))


def _files_delete(names: list[str]) -> None:
    storage = product_image_storage()
    for name in names:
        storage.delete(name)
