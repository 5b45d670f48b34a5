import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Store, Variant, WebhookSource
from customers.models import Customer


class StaffProfile(models.Model):
    class Role(models.TextChoices):
        ASSOCIATE = "associate", _("Store associate")
        MANAGER = "manager", _("Store manager")
        HEAD_OFFICE = "head_office", _("Head office")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    stores = models.ManyToManyField(
        Store,
        verbose_name=_("stores"),
        blank=True,
        related_name="staff",
        help_text=_("An associate works in one store; a manager may oversee several."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Visit(models.Model):
    """A shopper in a store, known or anonymous, from entry to departure."""

    class Source(models.TextChoices):
        BEACON = "beacon", _("beacon")
        WIFI = "wifi", _("in-store wifi")
        APP = "app", _("app geofence")
        CHECKIN = "checkin", _("self check-in")
        SCAN = "scan", _("loyalty card scan")
        SEARCH = "search", _("associate search")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="visits"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visits",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source)
    arrived_at = models.DateTimeField(_("arrived"))
    last_seen_at = models.DateTimeField(_("last seen"))
    departed_at = models.DateTimeField(_("departed"), null=True, blank=True)
    attended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attended_since = models.DateTimeField(_("served since"), null=True, blank=True)
    done_at = models.DateTimeField(_("served until"), null=True, blank=True)
    visitor_key = models.CharField(
        _("visitor key"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text=_("A keyed hash of an unrecognised identifier, to count a visitor once."),
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-arrived_at"]
        indexes = [
            models.Index(fields=["store", "-arrived_at"]),
            models.Index(
                fields=["store", "last_seen_at"],
                condition=Q(departed_at__isnull=True),
                name="open_visits_by_store",
            ),
            models.Index(fields=["customer", "-arrived_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_seen_at__gte=models.F("arrived_at")),
                name="visit_seen_after_arrival",
            ),
            models.CheckConstraint(
                condition=Q(departed_at__isnull=True) | Q(departed_at__gte=models.F("arrived_at")),
                name="visit_departs_after_arrival",
            ),
            # One open visit per person and store: the last guard against a race.
            models.UniqueConstraint(
                fields=["store", "customer"],
                condition=Q(departed_at__isnull=True, customer__isnull=False),
                name="one_open_visit_per_customer",
            ),
            models.UniqueConstraint(
                fields=["store", "visitor_key"],
                condition=Q(departed_at__isnull=True) & ~Q(visitor_key=""),
                name="one_open_visit_per_visitor",
            ),
        ]

    def __str__(self) -> str:
        who = self.customer or _("anonymous")
        return f"{who} @ {self.store.code}"


FRENCH_POSTCODE = r"^(0[1-9]|[1-8][0-9]|9[0-8])[0-9]{3}$"
validate_french_postcode = RegexValidator(
    FRENCH_POSTCODE, _("A French postcode has five digits, e.g. 75002."), code="postcode"
)


def _order_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # nothing that reads as another character
    return "CL-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Order(models.Model):
    """An order taken in a store for home delivery or pickup in a store. Its stock is
    held by one ``Reservation`` per line from the moment it is placed."""

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        CONFIRMED = "confirmed", _("Confirmed")
        READY = "ready", _("Ready for pickup")
        SHIPPED = "shipped", _("Shipped")
        COLLECTED = "collected", _("Collected")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.CREATED, Status.CONFIRMED, Status.READY, Status.SHIPPED)

    class Mode(models.TextChoices):
        DELIVERY = "delivery", _("Home delivery")
        PICKUP = "pickup", _("Pickup in store")

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=_order_reference, editable=False
    )
    idempotency_key = models.CharField(max_length=64, editable=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("taken in"),
        on_delete=models.PROTECT,
        related_name="orders_taken",
    )
    mode = models.CharField(_("delivery mode"), max_length=10, choices=Mode)
    pickup_store = models.ForeignKey(
        Store,
        verbose_name=_("pickup store"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_to_hand_over",
    )
    recipient = models.CharField(_("recipient"), max_length=160, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    street_extra = models.CharField(_("address line 2"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=5, blank=True, validators=[validate_french_postcode]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CREATED)
    subtotal = models.DecimalField(_("list total (EUR)"), max_digits=12, decimal_places=2)
    discount = models.DecimalField(_("discount (EUR)"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total (EUR)"), max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("placed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"]),
            models.Index(fields=["pickup_store", "status", "-created_at"]),
            models.Index(fields=["customer", "status", "-created_at"]),
        ]
        constraints = [
            # A double tap or a retried request carries the same key: one order.
            models.UniqueConstraint(fields=["idempotency_key"], name="order_submitted_once"),
            models.CheckConstraint(
                condition=Q(mode="pickup", pickup_store__isnull=False)
                | (
                    Q(mode="delivery", pickup_store__isnull=True, postcode__regex=FRENCH_POSTCODE)
                    & ~Q(street="")
                    & ~Q(city="")
                ),
                name="order_has_pickup_store_or_address",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, discount__gte=0, subtotal=F("total") + F("discount")),
                name="order_totals_add_up",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class OrderLine(models.Model):
    """A variant, a quantity and where the units come from, priced as it was when placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.ForeignKey(
        Store, verbose_name=_("shipped from"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    product_name = models.CharField(_("product"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=40)
    list_price = models.DecimalField(_("list price"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    applied_offers = models.JSONField(_("offers applied"), default=list, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_1"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0, unit_price__lte=F("list_price")),
                name="order_line_price_within_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def discount(self) -> Decimal:
        return (self.list_price - self.unit_price) * self.quantity


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

    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="reservation")
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


class OrderEvent(models.Model):
    """What happened to an order, who did it (none: the system) and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Order placed")
        CONFIRMED = "confirmed", _("Confirmed")
        READY = "ready", _("Ready for pickup")
        SHIPPED = "shipped", _("Shipped")
        COLLECTED = "collected", _("Collected")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        HOLD_EXPIRED = "hold_expired", _("Pickup hold expired, stock released")
        CONFIRMATION_SENT = "confirmation_sent", _("Confirmation email sent")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.kind}"


class PresenceEvent(models.Model):
    """Every presence signal and what came of it: why a card was pushed, or why not.

    A shopper who has not consented to recognition is logged without being named."""

    class Event(models.TextChoices):
        ENTER = "enter", _("entry")
        EXIT = "exit", _("exit")

    class Outcome(models.TextChoices):
        PUSHED = "pushed", _("card shown on the tablets")
        ANONYMOUS = "anonymous", _("unknown shopper: counted, no card")
        NO_CONSENT = "no_consent", _("no recognition consent: counted, no card")
        DUPLICATE = "duplicate", _("already in the store: visit updated, no push")
        EXIT = "exit", _("left the store")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presence_events",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.CharField(_("event"), max_length=10, choices=Event)
    source = models.CharField(_("source"), max_length=10, choices=Visit.Source)
    webhook_source = models.ForeignKey(
        WebhookSource,
        verbose_name=_("webhook source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    event_id = models.CharField(_("event id"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)

    class Meta:
        verbose_name = _("presence event")
        verbose_name_plural = _("presence events")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["store", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} @ {self.store_id}: {self.get_outcome_display()}"


class CardView(models.Model):
    """Who opened which customer's card, when, from which store (privacy audit)."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("from store"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("card view")
        verbose_name_plural = _("card views (access log)")
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["customer", "-viewed_at"])]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.customer} ({self.viewed_at:%Y-%m-%d %H:%M})"
