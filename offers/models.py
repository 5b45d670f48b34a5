from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Brand, Category, Product
from customers.models import Customer


class Offer(models.Model):
    """A head-office offer. The pricing engine (``offers.pricing``) decides what applies."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("percentage off")
        AMOUNT = "amount", _("amount off (EUR)")

    class Scope(models.TextChoices):
        PRODUCT = "product", _("products")
        CATEGORY = "category", _("categories")
        BRAND = "brand", _("brands")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    value = models.DecimalField(
        _("value"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    scope = models.CharField(_("applies to"), max_length=10, choices=Scope)
    products = models.ManyToManyField(
        Product, verbose_name=_("products"), blank=True, related_name="offers"
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="offers"
    )
    brands = models.ManyToManyField(
        Brand, verbose_name=_("brands"), blank=True, related_name="offers"
    )
    target_tiers = models.JSONField(
        _("target tiers"),
        default=list,
        blank=True,
        help_text=_("Loyalty tiers this offer is for; empty: every tier."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

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
        ]
        indexes = [models.Index(fields=["is_active", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must come after the start.")
        if self.kind == self.Kind.PERCENT and self.value is not None and self.value > 100:
            errors["value"] = _("A percentage is between 0 and 100.")
        unknown = set(self.target_tiers or []) - set(Customer.Tier.values)
        if unknown:
            errors["target_tiers"] = _("Unknown tiers: %(tiers)s") % {
                "tiers": ", ".join(sorted(unknown))
            }
        if errors:
            raise ValidationError(errors)
