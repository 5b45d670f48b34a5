"""Inbound stock from the stores' systems.

``POST /api/stock/`` (signed, see ``integrations.webhooks``), from a ``stock`` source::

    {"event_id": "till-42-000193", "store": "paris-opera",
     "changes": [{"sku": "TV-OLED-55", "delta": -1}, {"ean": "3760000000017", "delta": 6}]}

Each delta is added to the variant's units on hand in that store, all or nothing, once
per event id (a replay gets a 409 ``duplicate_event``). The answer lists the rows as they
now are."""

from __future__ import annotations

from django.db import transaction
from django.http import JsonResponse

from catalog.models import Variant
from integrations.models import WebhookSource
from integrations.webhooks import WebhookError, event_once, signed_webhook, source_store

from .services import ON_HAND_MAX, StockConflict, StockOutOfRange, stock_deltas_apply

MAX_CHANGES = 1000
MAX_CODE_LENGTH = 64


def _changes(payload: dict) -> list[tuple[str, str, int]]:
    changes = payload.get("changes")
    if not isinstance(changes, list) or not changes:
        raise WebhookError(400, "invalid_changes", '"changes" must be a non-empty list.')
    if len(changes) > MAX_CHANGES:
        raise WebhookError(413, "too_many_changes", f"At most {MAX_CHANGES} changes per event.")
    parsed = []
    for index, change in enumerate(changes):
        column = next((c for c in ("sku", "ean") if isinstance(change, dict) and c in change), None)
        delta = change.get("delta") if isinstance(change, dict) else None
        code = change.get(column) if column else None
        if not isinstance(code, str) or not code.strip():
            raise WebhookError(400, "invalid_changes", f"changes[{index}] needs a sku or an ean.")
        if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
            raise WebhookError(
                400, "invalid_changes", f"changes[{index}].delta must be a non-zero integer."
            )
        if abs(delta) > ON_HAND_MAX or len(code) > MAX_CODE_LENGTH:
            raise WebhookError(400, "invalid_changes", f"changes[{index}] is out of range.")
        parsed.append((column, code.strip(), delta))
    return parsed


def _variant_ids(changes: list[tuple[str, str, int]]) -> dict[int, int]:
    """Deltas by variant id (several changes to one variant add up)."""
    skus = {code for column, code, _delta in changes if column == "sku"}
    eans = {code for column, code, _delta in changes if column == "ean"}
    known = {
        ("sku", sku): pk
        for sku, pk in Variant.objects.filter(sku__in=skus).values_list("sku", "pk")
    } | {
        ("ean", ean): pk
        for ean, pk in Variant.objects.filter(ean__in=eans).values_list("ean", "pk")
    }
    unknown = [code for column, code, _delta in changes if (column, code) not in known]
    if unknown:
        raise WebhookError(422, "unknown_variant", f"Unknown variants: {', '.join(unknown[:20])}.")
    deltas: dict[int, int] = {}
    for column, code, delta in changes:
        variant_id = known[column, code]
        deltas[variant_id] = deltas.get(variant_id, 0) + delta
    return {variant_id: delta for variant_id, delta in deltas.items() if delta}


@signed_webhook(WebhookSource.Kind.STOCK)
def stock_delta(request, source: WebhookSource, payload: dict):
    event_id = payload.get("event_id")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 64:
        raise WebhookError(
            400, "invalid_event_id", '"event_id" must be a string of 1 to 64 characters.'
        )
    store = source_store(source, payload.get("store"), warehouses=True)
    deltas = _variant_ids(_changes(payload))
    try:
        with transaction.atomic():
            event_once(source, event_id)
            levels = stock_deltas_apply(store=store, deltas=deltas) if deltas else []
    except StockOutOfRange as overflow:
        skus = Variant.objects.filter(pk__in=overflow.variant_ids).values_list("sku", flat=True)
        raise WebhookError(
            422,
            "quantity_out_of_range",
            f"Nothing applied: on hand would exceed {ON_HAND_MAX} ({', '.join(skus)}).",
        ) from None
    except StockConflict as conflict:
        names = dict(
            Variant.objects.filter(pk__in=[p[0] for p in conflict.problems]).values_list(
                "pk", "sku"
            )
        )
        detail = "; ".join(
            f"{names[variant_id]}: {on_hand} on hand, {held} held for orders"
            for variant_id, on_hand, held in conflict.problems
        )
        raise WebhookError(
            409,
            "insufficient_stock",
            f"Nothing applied: stock would go below what is held ({detail}).",
        ) from None
    return JsonResponse(
        {
            "event_id": event_id,
            "store": store.code,
            "levels": [
                {"sku": level.variant.sku, "on_hand": level.on_hand, "reserved": level.reserved}
                for level in levels
            ],
        }
    )
