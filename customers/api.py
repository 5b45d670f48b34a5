"""``POST /api/interactions/``: online signals from the e-shop and the app.

Signed like every webhook (``integrations.webhooks``). The body carries up to 500 items::

    {"items": [{"event_id": "…", "identifier_kind": "loyalty_number", "identifier": "…",
                "kind": "viewed", "sku": "…" or "product": 12,
                "occurred_at": "2025-03-01T17:45:00+01:00", "channel": "web"}]}

Each item is recorded at most once (by ``event_id``); the answer reports every item:
``created``, ``duplicate`` or ``rejected`` with the reason. Other items are kept when one
is rejected.
"""

from django import forms
from django.http import JsonResponse
from django.utils import translation

from integrations.webhooks import (
    AwareDateTimeField,
    JsonCharField,
    JsonChoiceField,
    JsonIntegerField,
    WebhookError,
    form_error_detail,
    signed_webhook,
)

from .models import Channel, Interaction
from .selectors import IdentifierKind
from .services import InteractionIn, ItemResult, interactions_record

MAX_ITEMS = 500


class InteractionItemForm(forms.Form):
    event_id = JsonCharField(max_length=64)
    identifier_kind = JsonChoiceField(choices=IdentifierKind.choices)
    identifier = JsonCharField(max_length=100)
    kind = JsonChoiceField(choices=Interaction.Kind.choices)
    sku = JsonCharField(max_length=40, required=False)
    product = JsonIntegerField(min_value=1, required=False)
    channel = JsonChoiceField(choices=[(Channel.WEB, "web"), (Channel.APP, "app")], required=False)
    occurred_at = AwareDateTimeField()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("sku") and cleaned.get("product") is None:
            raise forms.ValidationError("Give the product's sku or its id (product).")
        return cleaned


@signed_webhook("web", "app")
def interactions(request, source, payload):
    items = payload.get("items")
    if not isinstance(items, list) or not items:
        raise WebhookError(400, "invalid_payload", "items: a non-empty list is required.")
    if len(items) > MAX_ITEMS:
        raise WebhookError(413, "too_many_items", f"At most {MAX_ITEMS} items per request.")

    results: list[ItemResult | None] = [None] * len(items)
    valid: list[tuple[int, InteractionIn]] = []
    with translation.override("en"):
        for index, item in enumerate(items):
            form = InteractionItemForm(item if isinstance(item, dict) else {})
            if not isinstance(item, dict):
                results[index] = ItemResult("rejected", "invalid", "An item is a JSON object.")
            elif not form.is_valid():
                results[index] = ItemResult("rejected", "invalid", form_error_detail(form))
            else:
                data = form.cleaned_data
                valid.append(
                    (
                        index,
                        InteractionIn(
                            event_id=data["event_id"],
                            identifier_kind=data["identifier_kind"],
                            identifier=data["identifier"],
                            kind=data["kind"],
                            channel=data["channel"] or _default_channel(source.kind),
                            occurred_at=data["occurred_at"],
                            sku=data["sku"],
                            product_id=data["product"],
                        ),
                    )
                )
    if valid:
        recorded = interactions_record(items=[item for _, item in valid])
        for (index, _), result in zip(valid, recorded, strict=True):
            results[index] = result

    counts = {"created": 0, "duplicate": 0, "rejected": 0}
    body = []
    for index, result in enumerate(results):
        counts[result.status] += 1
        event_id = items[index].get("event_id") if isinstance(items[index], dict) else None
        row = {"index": index, "event_id": event_id, "status": result.status}
        if result.error:
            row.update(error=result.error, detail=result.detail)
        body.append(row)
    return JsonResponse(
        {
            "received": len(items),
            "created": counts["created"],
            "duplicates": counts["duplicate"],
            "rejected": counts["rejected"],
            "results": body,
        }
    )


def _default_channel(source_kind: str) -> str:
    return Channel.APP if source_kind == "app" else Channel.WEB
