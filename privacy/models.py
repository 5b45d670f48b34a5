"""Shoppers' rights as head office exercises them: exports, erasures and retention runs.

None of these rows holds personal data of its own: they name a customer by id only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import Customer


class CustomerExport(models.Model):
    """Everything we hold about one person, built by a task into one file (JSON + HTML in
    a zip), downloadable once through an expiring signed link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready to download")
        DOWNLOADED = "downloaded", _("downloaded")
        REMOVED = "removed", _("expired, file removed")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    token = models.CharField(max_length=64, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to="privacy/exports/", blank=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return str(_("Export #%(id)s") % {"id": self.pk})


class ErasureRecord(models.Model):
    """Who erased which customer (by id: the row is a tombstone now), when, why, and how
    many rows went."""

    class Reason(models.TextChoices):
        REQUEST = "request", _("the client's request")
        RETENTION = "retention", _("inactive beyond the retention period")

    customer = models.OneToOneField(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_at = models.DateTimeField(_("erased"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason)
    removed = models.JSONField(_("rows removed or blanked"), default=dict, blank=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at", "-pk"]

    def __str__(self) -> str:
        return str(_("Erasure of client #%(id)s") % {"id": self.customer_id})


class RetentionRun(models.Model):
    """One pass of the retention rules: what it removed."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    presence_events = models.PositiveIntegerField(_("presence events deleted"), default=0)
    webhook_events = models.PositiveIntegerField(_("webhook events deleted"), default=0)
    card_views = models.PositiveIntegerField(_("card views deleted"), default=0)
    interactions = models.PositiveIntegerField(_("interactions deleted"), default=0)
    customers_erased = models.PositiveIntegerField(_("inactive clients erased"), default=0)
    export_files = models.PositiveIntegerField(_("export files removed"), default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return str(_("Retention run of %(at)s") % {"at": self.started_at})
