"""Stock rows and the reservations that hold their units, side by side."""

from datetime import datetime

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Store, Variant


class StockLevelQuerySet(models.QuerySet):
    def with_available(self, at: datetime | None = None):
        """Annotate ``held`` (units held for orders at ``at``) and ``available`` (on hand
        less held). ``reserved`` still counts a pickup hold whose time ran out until the
        next writer on the row (or the sweep) releases it; ``held`` leaves it out the
        moment it lapses. The one definition of "available": every reader uses it."""
        at = at or timezone.now()
        lapsed = (
            Reservation.objects.past_hold(at)
            .filter(store_id=OuterRef("store_id"), variant_id=OuterRef("variant_id"))
            .order_by()
            .values("store_id")
            .annotate(units=Sum("quantity"))
            .values("units")
        )
        return self.annotate(
            held=F("reserved") - Coalesce(Subquery(lapsed), 0),
            available=F("on_hand") - F("held"),
        )

    def in_stock(self, at: datetime | None = None):
        """Rows with at least one unit available at ``at``."""
        return self.with_available(at).filter(available__gt=0)


class StockLevel(models.Model):
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="stock"
    )
    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.CASCADE, related_name="stock"
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["variant", "store"], name="one_stock_row_per_store"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stock_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant.sku} @ {self.store.code}: {self.on_hand}/{self.reserved}"


class ReservationQuerySet(models.QuerySet):
    def past_hold(self, now):
        """Still counted in ``StockLevel.reserved``, but the pickup hold has run out."""
        return self.filter(status=Reservation.Status.ACTIVE, expires_at__lte=now)

    def lapsed(self, now):
        """Holds that ran out, whether or not their units were released yet."""
        return self.filter(
            Q(status=Reservation.Status.ACTIVE, expires_at__lte=now)
            | Q(status=Reservation.Status.EXPIRED)
        )


class Reservation(models.Model):
    """Units of one stock row held for an order line.

    While ``ACTIVE`` its quantity is counted in ``StockLevel.reserved`` (changed in the
    same transaction, with the stock row locked). A pickup hold has an ``expires_at``:
    from then on it no longer counts as reserved for anyone reading availability, and
    the next writer on that stock row (or the periodic sweep) marks it ``EXPIRED``."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("held")
        RELEASED = "released", _("released")
        EXPIRED = "expired", _("expired")
        FULFILLED = "fulfilled", _("left the store")

    line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="reservation"
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        indexes = [
            models.Index(
                fields=["variant", "store"],
                condition=Q(status="active"),
                name="active_reservations",
            ),
            models.Index(
                fields=["expires_at"],
                condition=Q(status="active", expires_at__isnull=False),
                name="expiring_holds",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reservation_quantity_1"),
            models.CheckConstraint(
                condition=Q(status="active", closed_at__isnull=True)
                | (~Q(status="active") & Q(closed_at__isnull=False)),
                name="reservation_closed_when_not_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id} @ {self.store_id} ({self.status})"
