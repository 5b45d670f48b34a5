"""Writes to stock: the holds orders put on it (reserve, release, consume), a store's
snapshot and a till's deltas.

Stock rows are locked with a plain ``SELECT … FOR UPDATE`` ordered by primary key (the
order every stock writer uses), checked once locked, and changed with ``F()``; the CHECK
constraints on ``StockLevel`` stay the last guard. ``reserved`` here is the counter kept
by the order services: units held for orders cannot be taken off the shelf by a file.
"""

from __future__ import annotations

import csv
import io
import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial, reduce

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Store, Variant

from .models import Reservation, StockLevel
from .signals import stock_back

Pair = tuple[int, int]  # (store id, variant id)


def _announce_back(store: Store, variant_ids: list[int]) -> None:
    """After commit, tell listeners which variants are available again in ``store``; a
    failing listener is logged and never undoes the stock change."""
    if variant_ids:
        transaction.on_commit(
            partial(stock_back.send, sender=StockLevel, store_id=store.pk, variant_ids=variant_ids),
            robust=True,
        )


# --- Holds: reserve, release, consume -----------------------------------------------------


def _pairs(pairs: Iterable[Pair]) -> Q:
    return reduce(
        operator.or_, (Q(store_id=s, variant_id=v) for s, v in sorted(set(pairs))), Q(pk__in=[])
    )


def stock_lock(pairs: Iterable[Pair], *, now: datetime | None = None) -> dict[Pair, StockLevel]:
    """Lock the stock rows of these (store id, variant id) pairs, in pk order (the order
    every writer of stock rows uses), and release the pickup holds on them that ran out,
    so ``reserved`` is exact once locked. Call inside a transaction."""
    rows = StockLevel.objects.select_for_update(of=("self",)).filter(_pairs(pairs)).order_by("pk")
    stock = {(row.store_id, row.variant_id): row for row in rows}
    holds_expire_lapsed(stock, now=now or timezone.now())
    return stock


def holds_expire_lapsed(stock: dict[Pair, StockLevel], *, now: datetime) -> None:
    """Release the pickup holds past their time on these locked rows, and take their units
    out of the rows in hand too."""
    if not stock:
        return
    lapsed = list(Reservation.objects.past_hold(now).filter(_pairs(stock)))
    reservations_release(lapsed, now=now, status=Reservation.Status.EXPIRED)
    for reservation in lapsed:
        stock[reservation.store_id, reservation.variant_id].reserved -= reservation.quantity


def available(stock: dict[Pair, StockLevel], pair: Pair) -> int:
    """Units available on a locked row (0 without a row)."""
    row = stock.get(pair)
    return row.on_hand - row.reserved if row is not None else 0


def stock_reserve(
    *,
    stock: dict[Pair, StockLevel],
    holds: Sequence[tuple[int, Pair, int]],
    expires_at: datetime | None,
    now: datetime,
) -> list[Reservation]:
    """Hold units for order lines: ``holds`` are (order line id, pair, quantity) on rows
    locked by ``stock_lock`` and checked available. The CHECK constraints stay the last
    guard."""
    reservations = Reservation.objects.bulk_create(
        Reservation(
            line_id=line_id,
            store_id=pair[0],
            variant_id=pair[1],
            quantity=quantity,
            expires_at=expires_at,
            created_at=now,
        )
        for line_id, pair, quantity in holds
    )
    for _line_id, pair, quantity in holds:
        StockLevel.objects.filter(pk=stock[pair].pk).update(
            reserved=F("reserved") + quantity, updated_at=now
        )
    return reservations


def _close(reservations: Sequence[Reservation], *, status: str, now: datetime, consume: bool):
    if not reservations:
        return
    totals = Counter()
    for reservation in reservations:
        totals[reservation.store_id, reservation.variant_id] += reservation.quantity
    for (store_id, variant_id), quantity in totals.items():
        changes = {"reserved": F("reserved") - quantity, "updated_at": now}
        if consume:
            changes["on_hand"] = F("on_hand") - quantity
        StockLevel.objects.filter(store_id=store_id, variant_id=variant_id).update(**changes)
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(
        status=status, closed_at=now
    )


def reservations_release(
    reservations: Sequence[Reservation],
    *,
    now: datetime,
    status: str = Reservation.Status.RELEASED,
) -> None:
    """End held reservations: their units go back on sale (``EXPIRED`` for a pickup hold
    that ran out). The caller holds the stock rows' locks."""
    _close(reservations, status=status, now=now, consume=False)


def reservations_consume(reservations: Sequence[Reservation], *, now: datetime) -> None:
    """End held reservations whose units left the shelf (shipped, collected). The caller
    holds the stock rows' locks."""
    _close(reservations, status=Reservation.Status.FULFILLED, now=now, consume=True)


# --- From outside: snapshots and deltas ---------------------------------------------------

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
            holds_expire_lapsed({(store.pk, v): level for v, level in locked.items()}, now=now)
            changed, created, back = [], [], []
            for row in rows:
                level = locked.get(row.variant_id)
                if level is None:
                    created.append(
                        StockLevel(store=store, variant_id=row.variant_id, on_hand=row.on_hand)
                    )
                    if row.on_hand > 0:
                        back.append(row.variant_id)
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
                    if level.on_hand <= level.reserved < row.on_hand:
                        back.append(row.variant_id)
                    level.on_hand, level.updated_at = row.on_hand, now
                    changed.append(level)
            if report.rejected:
                raise _Refused
            StockLevel.objects.bulk_update(changed, ["on_hand", "updated_at"], batch_size=1000)
            StockLevel.objects.bulk_create(created, batch_size=1000)
            _announce_back(store, back)
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


class StockOutOfRange(Exception):
    def __init__(self, variant_ids: list[int]):
        self.variant_ids = variant_ids
        super().__init__(variant_ids)


# The largest count an integer column holds.
ON_HAND_MAX = 2_147_483_647


def stock_deltas_apply(*, store: Store, deltas: dict[int, int]) -> list[StockLevel]:
    """Add each delta to the variant's ``on_hand`` in ``store`` (a sale at the till is
    negative, a delivery positive), all or nothing. Raises ``StockConflict`` when a row
    would go below zero or below the units held for orders, ``StockOutOfRange`` when it
    would exceed what the column holds."""
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
        holds_expire_lapsed({(store.pk, v): level for v, level in locked.items()}, now=now)
        problems = [
            (variant_id, level.on_hand if level else 0, level.reserved if level else 0)
            for variant_id, delta in deltas.items()
            if (level := locked.get(variant_id)) is None or level.on_hand + delta < level.reserved
        ]
        if problems:
            raise StockConflict(problems)
        too_many = [v for v, d in deltas.items() if locked[v].on_hand + d > ON_HAND_MAX]
        if too_many:
            raise StockOutOfRange(sorted(too_many))
        back = [v for v, d in deltas.items() if d > 0 and locked[v].on_hand <= locked[v].reserved]
        for variant_id, delta in deltas.items():
            StockLevel.objects.filter(pk=locked[variant_id].pk).update(
                on_hand=F("on_hand") + delta, updated_at=now
            )
        _announce_back(store, sorted(back))
        return list(
            StockLevel.objects.filter(store=store, variant_id__in=list(deltas))
            .select_related("variant")
            .order_by("variant__sku")
        )
