import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Store, Variant
from customers.models import Customer

FRENCH_POSTCODE = r"^(0[1-9]|[1-8][0-9]|9[0-8])[0-9]{3}$"

validate_french_postcode = RegexValidator(
    FRENCH_POSTCODE, _("A French postcode has five digits, e.g. 75002."), code="postcode"
)


def confirmation_key(reference: str) -> str:
    """The outbox key (and Message-ID) of an order's confirmation email."""
    return f"order-{reference}-confirmation"


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
    # PROTECT on purpose: a client is never deleted, only erased into an anonymous
    # tombstone that keeps its orders (and so stock and figures) true.
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
    address_erased_at = models.DateTimeField(
        _("address erased"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The client was erased: recipient, street, city and phone are blank."),
    )

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
            # An erased client's delivery order keeps only its postcode (figures, taxes).
            models.CheckConstraint(
                condition=Q(mode="pickup", pickup_store__isnull=False)
                | (
                    Q(mode="delivery", pickup_store__isnull=True, postcode__regex=FRENCH_POSTCODE)
                    & ((~Q(street="") & ~Q(city="")) | Q(address_erased_at__isnull=False))
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
