from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Store
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

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-arrived_at"]
        indexes = [
            # Covers what the dashboard's figures read, so a day's figures need no table rows.
            models.Index(
                fields=["store", "arrived_at"],
                include=["customer", "attended_by", "attended_since"],
                name="visits_by_store_arrival",
            ),
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
        ]

    def __str__(self) -> str:
        who = self.customer or _("anonymous")
        return f"{who} @ {self.store.code}"


class DayFigures(models.Model):
    """What the figures count for one day (see ``clienteling.figures``)."""

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
