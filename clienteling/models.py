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
        ]

    def __str__(self) -> str:
        who = self.customer or _("anonymous")
        return f"{who} @ {self.store.code}"
