from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Store
from customers.models import Customer
from integrations.models import WebhookSource


def idle_limit() -> timedelta:
    """How long a shopper with no new signal still counts as in the store."""
    return timedelta(minutes=settings.VISIT_IDLE_MINUTES)


def present_condition(at: datetime | None = None) -> Q:
    """A visit going on at ``at`` (default now): not departed, and a signal within the idle
    limit. Timestamps decide, not the tidy-up task. The one definition of "present"."""
    at = at or timezone.now()
    return Q(departed_at__isnull=True, last_seen_at__gt=at - idle_limit())


class VisitQuerySet(models.QuerySet):
    def present(self, at: datetime | None = None):
        """Visits going on at ``at``, known or anonymous (see ``present_condition``)."""
        return self.filter(present_condition(at))

    def lapsed(self, at: datetime | None = None):
        """Open visits whose shopper went quiet: what the tidy-up task closes."""
        at = at or timezone.now()
        return self.filter(departed_at__isnull=True, last_seen_at__lte=at - idle_limit())


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
    done_at = models.DateTimeField(_("served until"), null=True, blank=True)
    # A manager sent this associate to the waiting client (from the board); their card says so.
    sent_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("associate sent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visitor_key = models.CharField(
        _("visitor key"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text=_("A keyed hash of an unrecognised identifier, to count a visitor once."),
    )

    objects = VisitQuerySet.as_manager()

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
            # One open visit per person and store: the last guard against a race.
            models.UniqueConstraint(
                fields=["store", "customer"],
                condition=Q(departed_at__isnull=True, customer__isnull=False),
                name="one_open_visit_per_customer",
            ),
            models.UniqueConstraint(
                fields=["store", "visitor_key"],
                condition=Q(departed_at__isnull=True) & ~Q(visitor_key=""),
                name="one_open_visit_per_visitor",
            ),
        ]

    def __str__(self) -> str:
        who = self.customer or _("anonymous")
        return f"{who} @ {self.store.code}"

    def is_present(self, at: datetime | None = None) -> bool:
        """The same rule as ``Visit.objects.present``, for a visit in hand."""
        at = at or timezone.now()
        return self.departed_at is None and self.last_seen_at > at - idle_limit()


class PresenceEvent(models.Model):
    """Every presence signal and what came of it: why a card was pushed, or why not.

    A shopper who has not consented to recognition is logged without being named."""

    class Event(models.TextChoices):
        ENTER = "enter", _("entry")
        EXIT = "exit", _("exit")

    class Outcome(models.TextChoices):
        PUSHED = "pushed", _("card shown on the tablets")
        ANONYMOUS = "anonymous", _("unknown shopper: counted, no card")
        NO_CONSENT = "no_consent", _("no recognition consent: counted, no card")
        DUPLICATE = "duplicate", _("already in the store: visit updated, no push")
        EXIT = "exit", _("left the store")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presence_events",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.CharField(_("event"), max_length=10, choices=Event)
    source = models.CharField(_("source"), max_length=10, choices=Visit.Source)
    webhook_source = models.ForeignKey(
        WebhookSource,
        verbose_name=_("webhook source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    event_id = models.CharField(_("event id"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)

    class Meta:
        verbose_name = _("presence event")
        verbose_name_plural = _("presence events")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["store", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} @ {self.store_id}: {self.get_outcome_display()}"
