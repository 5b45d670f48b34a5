"""Reads for the card's messages section and the client's selection page, each in a fixed
number of queries however many messages or products."""

from __future__ import annotations

from django.db.models import Prefetch

from catalog.models import Variant
from customers.models import Channel as SalesChannel
from customers.models import Consent, Customer
from inventory.availability import availability_for
from offers.pricing import prices_for
from products.selectors import photos_attach

from .models import Message, Purpose, Selection, SelectionItem
from .services import CONSENT_FOR, message_refusal

HISTORY_SHOWN = 10

_ITEMS = Prefetch(
    "items",
    queryset=SelectionItem.objects.select_related("variant__product__brand").order_by(
        "added_at", "pk"
    ),
)


def card_messages(*, customer_id: int) -> dict:
    """The card's messages section: whether each channel may be used (and why not), the
    selection being built, the last selection the client opened, and the history."""
    customer = Customer.objects.active().get(pk=customer_id)
    # Both marketing consents in one query (the latest row per purpose is in force).
    in_force: dict[str, bool] = {}
    for purpose, granted in (
        Consent.objects.filter(customer=customer, purpose__in=CONSENT_FOR.values())
        .order_by("purpose", "-recorded_at", "-pk")
        .values_list("purpose", "granted")
    ):
        in_force.setdefault(purpose, granted)
    refusals = {
        channel: message_refusal(
            customer=customer, channel=channel, purpose=Purpose.FOLLOW_UP, consents=in_force
        )
        for channel in CONSENT_FOR
    }
    draft = (
        Selection.objects.filter(customer=customer, sent_at__isnull=True)
        .prefetch_related(_ITEMS)
        .first()
    )
    opened = (
        Selection.objects.filter(customer=customer, last_opened_at__isnull=False)
        .order_by("-last_opened_at")
        .first()
    )
    history = list(
        Message.objects.filter(customer=customer)
        .select_related("sent_by", "store", "outbound", "selection")
        .order_by("-created_at", "-pk")[:HISTORY_SHOWN]
    )
    return {
        "customer": customer,
        "refusals": refusals,
        "can_send": any(not reason for reason in refusals.values()),
        "draft": draft,
        "draft_items": list(draft.items.all()) if draft else [],
        "opened": opened,
        "history": history,
    }


def selection_page(selection: Selection) -> list[dict]:
    """The products of a sent selection as the client sees them: the price anyone pays
    online (``price_for`` without a customer, web channel) and the stores that have it."""
    items = list(
        selection.items.select_related("variant__product__brand").order_by("added_at", "pk")
    )
    variants: list[Variant] = [item.variant for item in items]
    photos_attach([], variants)
    prices = prices_for(variants, channel=SalesChannel.WEB)
    availability = availability_for([v.pk for v in variants], store=None)
    rows = []
    for item in items:
        where = availability[item.variant_id]
        rows.append(
            {
                "item": item,
                "variant": item.variant,
                "product": item.variant.product,
                "price": prices[item.variant_id],
                "stores": sorted({s.store.name for s in where.other_stores}),
                "orderable": where.warehouse > 0,
            }
        )
    return rows
