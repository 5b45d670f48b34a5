"""Every write about offers: history, activation, uses, mentions to clients."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Store
from customers.models import Channel, Customer

from .models import Offer, OfferChange, OfferMention, OfferRedemption

# The fields an offer's history follows, in the order a change lists them.
TRACKED_FIELDS = (
    "name",
    "description",
    "kind",
    "value",
    "min_amount",
    "stackable",
    "scope",
    "products",
    "categories",
    "brands",
    "audience",
    "target_tiers",
    "uses_per_customer",
    "channels",
    "channel_reason",
    "starts_at",
    "ends_at",
    "is_active",
)
MANY_TO_MANY = ("products", "categories", "brands")


def _plain(value):
    """A JSON-friendly copy of a field value, for the history."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, datetime):  # to the second, as the admin form edits it
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    if isinstance(value, list):
        return sorted(value)
    return value


def offer_snapshot(offer: Offer) -> dict:
    """The tracked fields of ``offer`` as stored now (many-to-many lists by name; three
    queries for them)."""
    snapshot = {
        name: _plain(getattr(offer, name)) for name in TRACKED_FIELDS if name not in MANY_TO_MANY
    }
    for name in MANY_TO_MANY:
        snapshot[name] = sorted(str(obj) for obj in getattr(offer, name).all())
    return snapshot


@transaction.atomic
def offer_change_record(*, offer: Offer, by, before: dict | None) -> OfferChange | None:
    """Write one history entry comparing ``before`` (a snapshot, or None for a new offer)
    with the offer as stored now. Nothing is written when nothing changed."""
    after = offer_snapshot(offer)
    if before is None:
        action = OfferChange.Action.CREATED
        changes = {name: [None, after[name]] for name in TRACKED_FIELDS}
    else:
        changes = {
            name: [before.get(name), after[name]]
            for name in TRACKED_FIELDS
            if before.get(name) != after[name]
        }
        if not changes:
            return None
        action = OfferChange.Action.CHANGED
        if set(changes) == {"is_active"}:
            action = (
                OfferChange.Action.ACTIVATED if offer.is_active else OfferChange.Action.DEACTIVATED
            )
    return OfferChange.objects.create(
        offer=offer, action=action, changed_by=by, changed_at=timezone.now(), changes=changes
    )


@transaction.atomic
def offers_set_active(*, offer_ids: Iterable[int], active: bool, by) -> int:
    """Switch offers on or off, with a history entry for each one that changed."""
    offers = list(
        Offer.objects.select_for_update()
        .filter(pk__in=list(offer_ids), is_active=not active)
        .order_by("pk")
    )
    if not offers:
        return 0
    Offer.objects.filter(pk__in=[o.pk for o in offers]).update(is_active=active)
    action = OfferChange.Action.ACTIVATED if active else OfferChange.Action.DEACTIVATED
    now = timezone.now()
    OfferChange.objects.bulk_create(
        OfferChange(
            offer=o,
            action=action,
            changed_by=by,
            changed_at=now,
            changes={"is_active": [not active, active]},
        )
        for o in offers
    )
    return len(offers)


def offer_mention_record(
    *,
    offer: Offer,
    customer: Customer,
    by,
    store: Store | None,
    at: datetime | None = None,
) -> tuple[OfferMention, bool]:
    """Record that ``by`` told ``customer`` about ``offer``. Once per offer, client and
    (local) day: a second tap the same day returns the first record and ``False``."""
    at = at or timezone.now()
    return OfferMention.objects.get_or_create(
        offer=offer,
        customer=customer,
        mentioned_on=timezone.localdate(at),
        defaults={"mentioned_by": by, "store": store, "mentioned_at": at},
    )


class OfferUsesExhausted(Exception):
    """A limited offer has no use left for this customer: price the order again."""

    def __init__(self, offers: list[Offer]):
        self.offers = offers
        names = ", ".join(o.name for o in offers)
        super().__init__(_("No use left for this client: %(offers)s") % {"offers": names})


@transaction.atomic
def offer_redemptions_record(
    *,
    customer: Customer,
    offer_ids: Iterable[int],
    reference: str,
    channel: str,
    at: datetime | None = None,
) -> list[OfferRedemption]:
    """Count the offers used in order ``reference`` towards the customer's limits.

    Call it in the same transaction as the order, with the offer ids of its lines' prices.
    The customer's row is locked so two orders cannot both take the last use; if a limited
    offer has no use left, ``OfferUsesExhausted`` is raised and nothing is written. Recording
    the same order again writes nothing new."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel: {channel!r}")
    offer_ids = set(offer_ids)
    if not offer_ids:
        return []
    Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk").get()
    done = set(
        OfferRedemption.objects.filter(
            customer=customer, reference=reference, offer_id__in=offer_ids
        ).values_list("offer_id", flat=True)
    )
    new = list(Offer.objects.filter(pk__in=offer_ids - done).order_by("pk"))
    uses = dict(
        OfferRedemption.objects.filter(customer=customer, offer__in=new)
        .values_list("offer_id")
        .annotate(n=Count("pk"))
    )
    exhausted = [o for o in new if o.uses_per_customer and uses.get(o.pk, 0) >= o.uses_per_customer]
    if exhausted:
        raise OfferUsesExhausted(exhausted)
    at = at or timezone.now()
    return OfferRedemption.objects.bulk_create(
        OfferRedemption(
            offer=o, customer=customer, reference=reference, channel=channel, redeemed_at=at
        )
        for o in new
    )
