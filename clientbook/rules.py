"""The rules that raise follow-ups "to contact today", each once per client and occasion
(``services.follow_up_raise``).

On events (``apps.py`` connects them; the apps below cannot call up here):
- a wishlist item is back in stock in a store (``inventory.signals.stock_back``, after
  the delta or snapshot committed): the clients whose book is in that store, or who have
  no book and that store as home store;
- a pickup order is ready (``OrderEvent`` "ready") and a delivery order arrived
  ("delivered").

Every morning (``tasks.follow_ups_daily``, safe to run twice, and a missed day is caught
up within ``CATCH_UP_DAYS``):
- a pickup hold that lapses by the end of tomorrow;
- N days after a purchase in a category head office configured (sub-categories follow
  their nearest configured ancestor);
- a birthday within the week (date of birth recorded with the client's agreement);
- a VIP not seen (no visit, no purchase) for ``LAPSING_DAYS``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from catalog.models import Category
from customers.models import Customer, Purchase, PurchaseLine, WishlistItem
from inventory.models import Reservation, StockLevel
from orders.models import Order

from .models import BookEntry, FollowUp, PurchaseFollowUpDelay
from .services import follow_up_raise

Reason = FollowUp.Reason
LAPSING_DAYS = 90
CATCH_UP_DAYS = 7
BIRTHDAY_DAYS = 7


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- On events ---------------------------------------------------------------------------


def back_in_stock(*, store_id: int, variant_ids: list[int]) -> int:
    """Units of these variants became available in the store: tell whoever wished for
    them. Returns how many follow-ups were raised."""
    today = timezone.localdate()
    in_stock = set(
        StockLevel.objects.in_stock()
        .filter(store_id=store_id, variant_id__in=variant_ids)
        .values_list("variant_id", flat=True)
    )
    if not in_stock:
        return 0
    already = FollowUp.objects.open().filter(
        customer=OuterRef("customer"),
        store_id=store_id,
        reason=Reason.BACK_IN_STOCK,
        variant=OuterRef("variant"),
    )
    items = (
        WishlistItem.objects.filter(variant_id__in=in_stock, customer__erased_at__isnull=True)
        .filter(
            Q(customer__book_entry__store_id=store_id)
            | Q(customer__book_entry__isnull=True, customer__home_store_id=store_id)
        )
        .exclude(Exists(already))
        .select_related("variant__product")
        .order_by("pk")
    )
    raised = 0
    for item in items:
        raised += follow_up_raise(
            customer_id=item.customer_id,
            store_id=store_id,
            reason=Reason.BACK_IN_STOCK,
            key=f"stock:{store_id}:{item.variant_id}:{today.isoformat()}",
            due_on=today,
            detail=str(item.variant),
            variant=item.variant,
        )
    return raised


def order_news(*, order: Order, kind: str) -> bool:
    """A pickup order ready in its store, or a delivery order delivered."""
    today = timezone.localdate()
    if kind == Order.Status.READY and order.pickup_store_id:
        return follow_up_raise(
            customer_id=order.customer_id,
            store_id=order.pickup_store_id,
            reason=Reason.PICKUP_READY,
            key=f"ready:{order.pk}",
            due_on=today,
            detail=order.reference,
            order=order,
        )
    if kind == Order.Status.DELIVERED:
        return follow_up_raise(
            customer_id=order.customer_id,
            store_id=order.store_id,
            reason=Reason.ORDER_ARRIVED,
            key=f"arrived:{order.pk}",
            due_on=today,
            detail=order.reference,
            order=order,
        )
    return False


# --- Every morning -----------------------------------------------------------------------


def holds_lapsing(*, now: datetime) -> int:
    today = _local_day(now)
    end_of_tomorrow = _day_start(today + timedelta(days=2))
    lapsing = Reservation.objects.filter(
        line__order=OuterRef("pk"),
        status=Reservation.Status.ACTIVE,
        expires_at__gt=now,
        expires_at__lt=end_of_tomorrow,
    )
    raised = 0
    for order in Order.objects.filter(
        Exists(lapsing), status=Order.Status.READY, customer__erased_at__isnull=True
    ).order_by("pk"):
        raised += follow_up_raise(
            customer_id=order.customer_id,
            store_id=order.pickup_store_id,
            reason=Reason.HOLD_LAPSES,
            key=f"hold:{order.pk}",
            due_on=today,
            detail=order.reference,
            order=order,
        )
    return raised


def _delay_for(category_id: int | None, delays: dict, paths: dict) -> int | None:
    """The delay of the category or its nearest configured ancestor."""
    if category_id is None or category_id not in paths:
        return None
    for ancestor in reversed([int(p) for p in paths[category_id].strip("/").split("/") if p]):
        if ancestor in delays:
            return delays[ancestor]
    return None


def after_purchase(*, now: datetime) -> int:
    delays = dict(PurchaseFollowUpDelay.objects.values_list("category_id", "days"))
    if not delays:
        return 0
    today = _local_day(now)
    paths = dict(Category.objects.values_list("pk", "path"))
    start = _day_start(today - timedelta(days=max(delays.values()) + CATCH_UP_DAYS))
    lines = (
        PurchaseLine.objects.filter(
            purchase__purchased_at__gte=start,
            purchase__purchased_at__lt=now,
            purchase__customer__erased_at__isnull=True,
        )
        .select_related("purchase", "variant__product")
        .order_by("purchase__purchased_at", "pk")
    )
    book_stores = dict(
        BookEntry.objects.filter(
            customer__in=Purchase.objects.filter(purchased_at__gte=start).values("customer")
        ).values_list("customer_id", "store_id")
    )
    home_stores = dict(
        Customer.objects.filter(
            pk__in=Purchase.objects.filter(purchased_at__gte=start).values("customer")
        ).values_list("pk", "home_store_id")
    )
    raised, seen = 0, set()
    for line in lines:
        purchase = line.purchase
        if purchase.pk in seen or line.variant is None:
            continue
        days = _delay_for(line.variant.product.category_id, delays, paths)
        if days is None:
            continue
        due = _local_day(purchase.purchased_at) + timedelta(days=days)
        if not (today - timedelta(days=CATCH_UP_DAYS) < due <= today):
            continue
        store_id = (
            purchase.store_id
            or book_stores.get(purchase.customer_id)
            or home_stores.get(purchase.customer_id)
        )
        if store_id is None:
            continue
        seen.add(purchase.pk)
        raised += follow_up_raise(
            customer_id=purchase.customer_id,
            store_id=store_id,
            reason=Reason.AFTER_PURCHASE,
            key=f"purchase:{purchase.pk}",
            due_on=today,
            detail=line.product_name,
            purchase=purchase,
            variant=line.variant,
        )
    return raised


def _next_birthday(born: date, today: date) -> date:
    for year in (today.year, today.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:  # 29 February in a common year: the 28th
            day = date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError("unreachable")


def birthdays(*, now: datetime) -> int:
    today = _local_day(now)
    raised = 0
    entries = BookEntry.objects.filter(
        birth_date__isnull=False, customer__erased_at__isnull=True
    ).order_by("pk")
    for entry in entries:
        birthday = _next_birthday(entry.birth_date, today)
        if birthday - today >= timedelta(days=BIRTHDAY_DAYS):
            continue
        raised += follow_up_raise(
            customer_id=entry.customer_id,
            store_id=entry.store_id,
            associate_id=entry.associate_id,
            reason=Reason.BIRTHDAY,
            key=f"birthday:{birthday.year}",
            due_on=today,
            detail=birthday.isoformat(),
        )
    return raised


def lapsing_vips(*, now: datetime) -> int:
    today = _local_day(now)
    limit = now - timedelta(days=LAPSING_DAYS)
    customers = (
        Customer.objects.active()
        .filter(tier__in=Customer.VIP_TIERS)
        .filter(Q(book_entry__isnull=False) | Q(home_store__isnull=False))
        .annotate(
            last_visit=Max("visits__arrived_at"),
        )
        .values("pk", "home_store_id", "book_entry__store_id", "last_visit")
        .order_by("pk")
    )
    last_purchase = dict(
        Purchase.objects.filter(customer__tier__in=Customer.VIP_TIERS)
        .values("customer_id")
        .annotate(last=Max("purchased_at"))
        .values_list("customer_id", "last")
    )
    raised = 0
    for row in customers:
        seen = [m for m in (row["last_visit"], last_purchase.get(row["pk"])) if m is not None]
        if not seen or max(seen) > limit:
            continue
        last_seen = _local_day(max(seen))
        raised += follow_up_raise(
            customer_id=row["pk"],
            store_id=row["book_entry__store_id"] or row["home_store_id"],
            reason=Reason.LAPSING_VIP,
            key=f"lapsing:{last_seen.isoformat()}",
            due_on=today,
            detail=last_seen.isoformat(),
        )
    return raised


def follow_ups_generate(*, now: datetime | None = None) -> dict[str, int]:
    """Every morning's rules; returns how many follow-ups each raised."""
    now = now or timezone.now()
    return {
        "hold_lapses": holds_lapsing(now=now),
        "after_purchase": after_purchase(now=now),
        "birthday": birthdays(now=now),
        "lapsing_vip": lapsing_vips(now=now),
    }
