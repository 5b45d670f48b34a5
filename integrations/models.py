"""Outside systems that speak to us: webhook sources and the event ids they sent."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Store


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSource(models.Model):
    """A machine that sends us signed events: a store's beacons or wifi, the mobile app,
    the e-shop, a store's stock system. Each has its own secret."""

    class Kind(models.TextChoices):
        BEACON = "beacon", _("beacons")
        WIFI = "wifi", _("in-store wifi")
        APP = "app", _("mobile app")
        WEB = "web", _("e-shop")
        STOCK = "stock", _("store stock system")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    secret = models.CharField(_("secret"), max_length=100, default=_new_secret)
    stores = models.ManyToManyField(
        Store,
        verbose_name=_("stores"),
        blank=True,
        related_name="+",
        help_text=_("The stores it may speak for; empty: every store."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=1200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook source")
        verbose_name_plural = _("webhook sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookEvent(models.Model):
    """Event ids already accepted from a source: a replay is refused."""

    source = models.ForeignKey(WebhookSource, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="webhook_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.source.key}:{self.event_id}"
