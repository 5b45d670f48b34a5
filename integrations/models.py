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


class OutboundMessage(models.Model):
    """An email or a text message (SMS) we owe someone, recorded in the transaction of the
    change that causes it (the outbox: ``integrations/outbox.py`` documents how it is sent
    exactly once)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        SMS = "sms", _("text message (SMS)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=50)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel, default=Channel.EMAIL, db_default="email"
    )
    key = models.CharField(
        _("idempotency key"),
        max_length=200,
        unique=True,
        help_text=_("The business fact it tells, e.g. order-CL-0001-confirmation: once."),
    )
    message_id = models.CharField(
        _("Message-ID"),
        max_length=255,
        help_text=_("An email's; for a text message, the provider's id once it took it."),
    )
    to = models.JSONField(_("to"), default=list)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [
            # The sweep reads only what is not sent yet.
            models.Index(
                fields=["status", "created_at"],
                name="outbox_unsent",
                condition=~models.Q(status="sent"),
            )
        ]

    def __str__(self) -> str:
        return self.key
