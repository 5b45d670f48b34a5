"""Writes to catalog data: stock from outside (a store's snapshot, a till's deltas), and
the search entries derived from products.

Stock rows are locked with a plain ``SELECT … FOR UPDATE`` ordered by primary key (the
order every stock writer uses), checked once locked, and changed with ``F()``; the CHECK
constraints on ``StockLevel`` stay the last guard. ``reserved`` here is the counter kept
by the order services: units held for orders cannot be taken off the shelf by a file.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Category,
    Characteristic,
    Product,
    ProductCharacteristic,
    ProductSearch,
    SearchWord,
    StockLevel,
    Store,
    Variant,
)
from .text import fold

MAX_SNAPSHOT_ROWS = 100_000
_CHUNK = 5_000


@dataclass(frozen=True)
class Rejection:
    line: int
    code: str
    reason: str


@dataclass(frozen=True)
class SnapshotRow:
    line: int
    code: str
    variant_id: int
    on_hand: int


@dataclass
class SnapshotReport:
    rows: int = 0
    updated: int = 0
    created: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return self.rows > 0 and not self.rejected


class _Refused(Exception):
    """Raised inside the transaction to roll it back."""


def _variants_by(column: str, codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        lookup = {f"{column}__in": chunk}
        found.update(Variant.objects.filter(**lookup).values_list(column, "pk"))
    return found


def stock_snapshot_parse(data: bytes) -> tuple[list[SnapshotRow], list[Rejection]]:
    """Read a snapshot CSV (``sku`` or ``ean`` column, and ``on_hand``; comma, semicolon
    or tab separated; UTF-8) into valid rows and rejected ones, each with its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Rejection(0, "", _("The file is not UTF-8 text."))]
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    column = next((c for c in ("sku", "ean") if c in header), None)
    if column is None or "on_hand" not in header:
        return [], [
            Rejection(
                1, "", _('The first line must name the columns "sku" (or "ean") and "on_hand".')
            )
        ]
    code_at, qty_at = header.index(column), header.index("on_hand")

    parsed: list[tuple[int, str, int]] = []
    rejected: list[Rejection] = []
    seen: dict[str, int] = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(parsed) + len(rejected) >= MAX_SNAPSHOT_ROWS:
            rejected.append(
                Rejection(
                    line,
                    "",
                    _("Too many rows: at most %(max)d per file.") % {"max": MAX_SNAPSHOT_ROWS},
                )
            )
            break
        code = record[code_at].strip() if code_at < len(record) else ""
        raw = record[qty_at].strip() if qty_at < len(record) else ""
        if not code:
            rejected.append(
                Rejection(line, code, _("The %(column)s is empty.") % {"column": column.upper()})
            )
        elif not raw.isdigit():
            rejected.append(
                Rejection(
                    line,
                    code,
                    _("On hand must be a whole number, 0 or more (got %(value)r).")
                    % {"value": raw},
                )
            )
        elif code in seen:
            rejected.append(
                Rejection(line, code, _("Already given on line %(line)d.") % {"line": seen[code]})
            )
        else:
            seen[code] = line
            parsed.append((line, code, int(raw)))

    variants = _variants_by(column, [code for _line, code, _qty in parsed])
    rows = []
    for line, code, on_hand in parsed:
        if code in variants:
            rows.append(SnapshotRow(line, code, variants[code], on_hand))
        else:
            rejected.append(
                Rejection(
                    line,
                    code,
                    _("No product variant has this %(column)s.") % {"column": column.upper()},
                )
            )
    rejected.sort(key=lambda r: r.line)
    return rows, rejected


def stock_snapshot_apply(*, store: Store, rows: list[SnapshotRow]) -> SnapshotReport:
    """Set ``on_hand`` of each listed variant in ``store``, all or nothing. Variants not
    listed are left as they are. A row that would leave fewer units than are held for
    orders is rejected, and then nothing is applied."""
    report = SnapshotReport(rows=len(rows))
    now = timezone.now()
    try:
        with transaction.atomic():
            # Locked in one global pk order, chunk after chunk, like every other locker of
            # stock rows (orders, deltas): no deadlock between them.
            variant_ids = [r.variant_id for r in rows]
            pks = sorted(
                pk
                for start in range(0, len(variant_ids), _CHUNK)
                for pk in StockLevel.objects.filter(
                    store=store, variant_id__in=variant_ids[start : start + _CHUNK]
                ).values_list("pk", flat=True)
            )
            locked = {
                level.variant_id: level
                for start in range(0, len(pks), _CHUNK)
                for level in StockLevel.objects.select_for_update(of=("self",))
                .filter(pk__in=pks[start : start + _CHUNK])
                .order_by("pk")
            }
            changed, created = [], []
            for row in rows:
                level = locked.get(row.variant_id)
                if level is None:
                    created.append(
                        StockLevel(store=store, variant_id=row.variant_id, on_hand=row.on_hand)
                    )
                elif row.on_hand < level.reserved:
                    report.rejected.append(
                        Rejection(
                            row.line,
                            row.code,
                            _("%(held)d units are held for orders: on hand cannot go below that.")
                            % {"held": level.reserved},
                        )
                    )
                elif row.on_hand != level.on_hand:
                    level.on_hand, level.updated_at = row.on_hand, now
                    changed.append(level)
            if report.rejected:
                raise _Refused
            StockLevel.objects.bulk_update(changed, ["on_hand", "updated_at"], batch_size=1000)
            StockLevel.objects.bulk_create(created, batch_size=1000)
    except _Refused:
        return report
    report.updated, report.created = len(changed), len(created)
    return report


def stock_snapshot_import(*, store: Store, data: bytes) -> SnapshotReport:
    """Validate a snapshot file row by row; apply it only if no row is rejected."""
    rows, rejected = stock_snapshot_parse(data)
    if rejected:
        return SnapshotReport(rows=len(rows) + len(rejected), rejected=rejected)
    if not rows:
        return SnapshotReport(rejected=[Rejection(0, "", _("The file has no stock rows."))])
    return stock_snapshot_apply(store=store, rows=rows)


class StockConflict(Exception):
    def __init__(self, problems: list[tuple[int, int, int]]):
        # (variant id, on hand now, units held)
        self.problems = problems
        super().__init__(problems)


def stock_deltas_apply(*, store: Store, deltas: dict[int, int]) -> list[StockLevel]:
    """Add each delta to the variant's ``on_hand`` in ``store`` (a sale at the till is
    negative, a delivery positive), all or nothing. Raises ``StockConflict`` when a row
    would go below zero or below the units held for orders."""
    now = timezone.now()
    with transaction.atomic():
        StockLevel.objects.bulk_create(
            [
                StockLevel(store=store, variant_id=v, on_hand=0)
                for v, d in sorted(deltas.items())
                if d > 0
            ],
            ignore_conflicts=True,
        )
        locked = {
            level.variant_id: level
            for level in StockLevel.objects.select_for_update(of=("self",))
            .filter(store=store, variant_id__in=list(deltas))
            .order_by("pk")
        }
        problems = [
            (variant_id, level.on_hand if level else 0, level.reserved if level else 0)
            for variant_id, delta in deltas.items()
            if (level := locked.get(variant_id)) is None or level.on_hand + delta < level.reserved
        ]
        if problems:
            raise StockConflict(problems)
        for variant_id, delta in deltas.items():
            StockLevel.objects.filter(pk=locked[variant_id].pk).update(
                on_hand=F("on_hand") + delta, updated_at=now
            )
        return list(
            StockLevel.objects.filter(store=store, variant_id__in=list(deltas))
            .select_related("variant")
            .order_by("variant__sku")
        )


# --- Search entries -------------------------------------------------------------------

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
