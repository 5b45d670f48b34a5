from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Brand, Category, Product, Store
from customers.models import Channel, Customer

MAX_INSTALMENTS = 24


class OfferQuerySet(models.QuerySet):
    def live(self, at):
        """Switched on and within their validity window at ``at`` (start inclusive)."""
        return self.filter(is_active=True, starts_at__lte=at, ends_at__gt=at)


class Offer(models.Model):
    """A head-office offer. The pricing engine (``offers.pricing``) decides what applies."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("percentage off")
        AMOUNT = "amount", _("amount off (EUR)")
        FINANCING = "financing", _("payment in instalments, free of charge")

    class Scope(models.TextChoices):
        PRODUCT = "product", _("products")
        CATEGORY = "category", _("categories")
        BRAND = "brand", _("brands")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("everyone")
        WISHLIST = "wishlist", _("items on the customer's wishlist")
        PREFERENCES = "preferences", _("the customer's preferred brands or categories")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    value = models.DecimalField(
        _("value"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    min_amount = models.DecimalField(
        _("from a price of (EUR)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_(
            "Payment in instalments only: offered when the price to pay reaches this amount."
        ),
    )
    stackable = models.BooleanField(
        _("stackable"),
        default=False,
        help_text=_(
            "Stackable offers combine with each other; otherwise the best single offer wins."
        ),
    )
    scope = models.CharField(_("applies to"), max_length=10, choices=Scope)
    products = models.ManyToManyField(
        Product, verbose_name=_("products"), blank=True, related_name="offers"
    )
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("categories"),
        blank=True,
        related_name="offers",
        help_text=_("Each category includes its sub-categories."),
    )
    brands = models.ManyToManyField(
        Brand, verbose_name=_("brands"), blank=True, related_name="offers"
    )
    audience = models.CharField(
        _("audience"),
        max_length=12,
        choices=Audience,
        default=Audience.EVERYONE,
        help_text=_(
            "Wishlist and preference offers need the customer's consent to personalised offers."
        ),
    )
    target_tiers = models.JSONField(
        _("target tiers"),
        default=list,
        blank=True,
        help_text=_("Loyalty tiers this offer is for; empty: every tier."),
    )
    uses_per_customer = models.PositiveIntegerField(
        _("uses per customer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many orders each customer may use it in; empty: no limit. "
            "A limited offer needs a known customer."
        ),
    )
    channels = models.JSONField(
        _("channels"),
        default=list,
        blank=True,
        help_text=_("Empty: every channel. Restricting needs a reason."),
    )
    channel_reason = models.CharField(
        _("reason for the channel restriction"), max_length=200, blank=True
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-starts_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="offer_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="offer_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="offer_percent_max_100"
            ),
            models.CheckConstraint(
                condition=~Q(kind="financing")
                | Q(value__gte=2, value__lte=MAX_INSTALMENTS, min_amount__isnull=False),
                name="offer_financing_instalments_and_threshold",
            ),
            models.CheckConstraint(
                condition=Q(kind="financing") | Q(min_amount__isnull=True),
                name="offer_threshold_only_for_financing",
            ),
            models.CheckConstraint(
                condition=Q(channels=[]) | ~Q(channel_reason=""),
                name="offer_channel_restriction_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(uses_per_customer__isnull=True) | Q(uses_per_customer__gte=1),
                name="offer_uses_per_customer_positive",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_field(self) -> str:
        """The many-to-many field that lists what the offer applies to."""
        return {
            self.Scope.PRODUCT: "products",
            self.Scope.CATEGORY: "categories",
            self.Scope.BRAND: "brands",
        }[self.scope]

    @property
    def is_financing(self) -> bool:
        return self.kind == self.Kind.FINANCING

    @property
    def is_personalised(self) -> bool:
        return self.audience != self.Audience.EVERYONE

    def applies_in(self, channel: str) -> bool:
        return not self.channels or channel in self.channels

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must come after the start.")
        if self.kind == self.Kind.PERCENT and self.value is not None and self.value > 100:
            errors["value"] = _("A percentage is between 0 and 100.")
        if self.kind == self.Kind.FINANCING:
            if self.value is not None and (
                self.value != self.value.to_integral_value()
                or not 2 <= self.value <= MAX_INSTALMENTS
            ):
                errors["value"] = _(
                    "For a payment in instalments, the value is the number of instalments: "
                    "a whole number from 2 to %(max)d."
                ) % {"max": MAX_INSTALMENTS}
            if self.min_amount is None:
                errors["min_amount"] = _(
                    "Say from which price the payment in instalments is offered (0 for any price)."
                )
        elif self.min_amount is not None:
            errors["min_amount"] = _(
                "Only a payment in instalments has a threshold: leave it empty."
            )
        unknown = set(self.target_tiers or []) - set(Customer.Tier.values)
        if unknown:
            errors["target_tiers"] = _("Unknown tiers: %(tiers)s") % {
                "tiers": ", ".join(sorted(unknown))
            }
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown:
            errors["channels"] = _("Unknown channels: %(channels)s") % {
                "channels": ", ".join(sorted(unknown))
            }
        elif self.channels and not self.channel_reason.strip():
            errors["channel_reason"] = _("Say why this offer is not available in every channel.")
        if errors:
            raise ValidationError(errors)


class OfferChange(models.Model):
    """One entry of an offer's history: who changed what, and when."""

    class Action(models.TextChoices):
        CREATED = "created", pgettext_lazy("offer history", "created")
        CHANGED = "changed", pgettext_lazy("offer history", "changed")
        ACTIVATED = "activated", pgettext_lazy("offer history", "activated")
        DEACTIVATED = "deactivated", pgettext_lazy("offer history", "deactivated")

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"))
    changes = models.JSONField(
        _("changes"),
        default=dict,
        blank=True,
        help_text=_("Per field: [value before, value after]."),
    )

    class Meta:
        verbose_name = _("offer change")
        verbose_name_plural = _("offer changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["offer", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.offer}: {self.get_action_display()}"


class OfferRedemption(models.Model):
    """An order in which a customer used an offer; counts towards ``uses_per_customer``."""

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="redemptions"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    reference = models.CharField(_("order reference"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    redeemed_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("offer use")
        verbose_name_plural = _("offer uses")
        ordering = ["-redeemed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "customer", "reference"], name="offer_used_once_per_order"
            )
        ]
        indexes = [models.Index(fields=["customer", "offer"])]

    def __str__(self) -> str:
        return f"{self.offer} · {self.reference}"


class OfferMention(models.Model):
    """An associate told a client about an offer (one record per offer, client and day)."""

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="mentions"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    mentioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentioned by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    mentioned_at = models.DateTimeField(_("when"))
    mentioned_on = models.DateField(_("day"))

    class Meta:
        verbose_name = _("offer mentioned to a client")
        verbose_name_plural = _("offers mentioned to clients")
        ordering = ["-mentioned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "customer", "mentioned_on"], name="offer_mentioned_once_a_day"
            )
        ]
        indexes = [
            models.Index(fields=["store", "-mentioned_at"]),
            models.Index(fields=["customer", "-mentioned_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.offer} → {self.customer}"
