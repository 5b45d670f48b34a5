"""Messages to clients and the selections of products associates send them.

A ``Message`` is the client's history of what we told them (purpose, channel, words, who,
from which store); the delivery itself is an outbox row (``integrations.OutboundMessage``),
linked here. A ``Selection`` is a short list of products an associate picked for one client,
each with an optional note, opened by the client through a signed link that expires."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Store, Variant
from customers.models import Customer
from integrations.models import OutboundMessage

Channel = OutboundMessage.Channel


class Purpose(models.TextChoices):
    FOLLOW_UP = "follow_up", _("follow-up")
    BACK_IN_STOCK = "back_in_stock", _("back in stock")
    SELECTION = "selection", _("selection of products")
    ORDER_READY = "order_ready", _("order ready")
    FREE_TEXT = "free_text", _("free text")


class Selection(models.Model):
    """Products picked for one client. A draft (``sent_at`` empty) is built on the card;
    sending it freezes it and starts its link's life (``SELECTION_LINK_DAYS``)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="selections"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("built by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    first_opened_at = models.DateTimeField(_("first opened by the client"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("last opened by the client"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("times opened"), default=0)

    class Meta:
        verbose_name = _("selection of products")
        verbose_name_plural = _("selections of products")
        ordering = ["-created_at"]
        constraints = [
            # One draft per client at a time: the card builds on it.
            models.UniqueConstraint(
                fields=["customer"], condition=Q(sent_at__isnull=True), name="one_draft_selection"
            )
        ]
        indexes = [models.Index(fields=["customer", "-last_opened_at"], name="selection_opened")]

    def __str__(self) -> str:
        return str(_("Selection #%(id)s") % {"id": self.pk})


class SelectionItem(models.Model):
    selection = models.ForeignKey(
        Selection, verbose_name=_("selection"), on_delete=models.CASCADE, related_name="items"
    )
    variant = models.ForeignKey(
        Variant, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(_("note for the client"), max_length=300, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("product in a selection")
        verbose_name_plural = _("products in selections")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "variant"], name="selection_item_once")
        ]

    def __str__(self) -> str:
        return str(self.variant)


class Message(models.Model):
    """One message sent (or being sent) to a client: what it said, by whom, how."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="messages"
    )
    key = models.CharField(
        _("idempotency key"),
        max_length=100,
        unique=True,
        help_text=_("The same key again is the same message: a double tap sends once."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose)
    language = models.CharField(_("language"), max_length=5)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    selection = models.ForeignKey(
        Selection,
        verbose_name=_("selection"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    outbound = models.OneToOneField(
        OutboundMessage,
        verbose_name=_("delivery"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("message to a client")
        verbose_name_plural = _("messages to clients")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="message_history")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_purpose_display()}"
