"""The demo's headline moment, scripted: Jean Martin, a gold client of Paris Opéra who
agreed to be recognised, looked at an OLED TV three times on the website this morning and
saved it, then glanced at a pair of jeans just now. When he walks in (``./run simulate``
brings the newest such client in first: him), his card leads with the TV, one tap from
its stock and an order."""

from datetime import timedelta

from django.utils import timezone

from catalog.models import Store, Variant, ean13_check_digit
from customers.models import Channel, Consent, Customer, Interaction, WishlistItem
from customers.services import consent_record
from inventory.models import StockLevel

MARTIN_LOYALTY = "290000999999"
MARTIN_LOYALTY += ean13_check_digit(MARTIN_LOYALTY)


def martin_seed(*, store_code: str) -> Customer | None:
    """Create Jean Martin and his online morning (once; None if the catalog has no TV)."""
    store = Store.objects.get(code=store_code)
    in_stock_here = StockLevel.objects.filter(store=store).in_stock().values("variant_id")
    tv = (
        Variant.objects.filter(
            product__category__slug="televiseurs",
            product__name__contains="OLED",
            product__is_active=True,
            pk__in=in_stock_here,
        )
        .select_related("product")
        .order_by("-product__list_price", "pk")
        .first()
    )
    jeans = (
        Variant.objects.filter(product__category__slug="jeans-homme", product__is_active=True)
        .select_related("product")
        .order_by("pk")
        .first()
    )
    if tv is None:
        return None
    martin, created = Customer.objects.get_or_create(
        loyalty_number=MARTIN_LOYALTY,
        defaults={
            "first_name": "Jean",
            "last_name": "Martin",
            "email": "jean.martin@exemple.fr",
            "home_store": store,
            "tier": Customer.Tier.GOLD,
        },
    )
    if not created:
        return martin
    now = timezone.now()
    for purpose in (Consent.Purpose.IN_STORE_RECOGNITION, Consent.Purpose.MARKETING_EMAIL):
        consent_record(
            customer=martin,
            purpose=purpose,
            granted=True,
            source=Consent.Source.APP,
            at=now - timedelta(days=40),
        )
    views = [now - timedelta(minutes=m) for m in (95, 70, 42)]
    moments = [(Interaction.Kind.VIEWED, tv, at) for at in views]
    moments.append((Interaction.Kind.SAVED, tv, now - timedelta(minutes=40)))
    if jeans is not None:
        moments.append((Interaction.Kind.VIEWED, jeans, now - timedelta(minutes=10)))
    Interaction.objects.bulk_create(
        Interaction(
            customer=martin,
            kind=kind,
            product=variant.product,
            variant=variant,
            channel=Channel.WEB,
            occurred_at=at,
        )
        for kind, variant, at in moments
    )
    WishlistItem.objects.create(
        customer=martin, variant=tv, channel=Channel.WEB, added_at=now - timedelta(minutes=40)
    )
    return martin
