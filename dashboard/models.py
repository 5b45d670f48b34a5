from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Store


class DayFigures(models.Model):
    """What the figures count for one day (see ``dashboard.figures``)."""

    day = models.DateField(_("day"))
    served_visits = models.PositiveIntegerField(_("visits served"), default=0)
    median_time_to_serve = models.DurationField(_("median time to serve"), null=True, blank=True)
    notes_written = models.PositiveIntegerField(_("notes written"), default=0)
    offers_mentioned = models.PositiveIntegerField(_("offers mentioned"), default=0)
    orders = models.PositiveIntegerField(_("orders for delivery"), default=0)
    orders_value = models.DecimalField(
        _("orders value (EUR)"), max_digits=14, decimal_places=2, default=0
    )
    converted_visits = models.PositiveIntegerField(_("visits with an order"), default=0)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        abstract = True


class DailyStoreFigures(DayFigures):
    """One store's figures for one past day, rolled up each night; safe to recompute."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    recognised_visits = models.PositiveIntegerField(_("recognised visits"), default=0)
    anonymous_visits = models.PositiveIntegerField(_("anonymous visits"), default=0)

    class Meta:
        verbose_name = _("daily store figures")
        verbose_name_plural = _("daily store figures")
        ordering = ["-day", "store"]
        constraints = [
            models.UniqueConstraint(fields=["store", "day"], name="one_figures_row_per_store_day")
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day}"


class DailyAssociateFigures(DayFigures):
    """One staff member's figures in one store for one past day."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("associate"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("daily associate figures")
        verbose_name_plural = _("daily associate figures")
        ordering = ["-day", "store", "associate"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "day", "associate"], name="one_figures_row_per_associate_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.associate_id} {self.day}"
