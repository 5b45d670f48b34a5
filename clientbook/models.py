"""Each associate's book of clients, the follow-ups "to contact today" and the touch
points they leave in a client's history.

- ``BookEntry``: one per client who has an associate of reference (keyed by the
  customer: a client is in one book at a time), with the store the book belongs to.
- ``FollowUp``: someone to contact, why, from when. ``key`` names the occasion (an order,
  a purchase, a birthday's year, a restock day…): one follow-up per client and key, so a
  rule run twice, or an event delivered twice, never adds a second one.
- ``TouchPoint``: what came of a contact (done, snoozed, not reachable), in the client's
  history and in the manager's figures.
- ``PurchaseFollowUpDelay``: how many days after a purchase in a category head office
  wants the client called (a TV: 14 days).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Store, Variant
from customers.models import Customer, Purchase
from messaging.models import Purpose
from orders.models import Order


class BookEntry(models.Model):
    class Source(models.TextChoices):
        CARD = "card", _("chosen on the card")
        VISIT = "visit", _("served in store")
        ORDER = "order", _("took an order")
        REASSIGNED = "reassigned", _("reassigned by a manager")

    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="book_entry",
    )
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("associate of reference"),
        on_delete=models.CASCADE,
        related_name="book_entries",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("how"), max_length=12, choices=Source)
    since = models.DateTimeField(_("since"))
    birth_date = models.DateField(
        _("date of birth"),
        null=True,
        blank=True,
        help_text=_("Kept only with the client's agreement, for birthday wishes."),
    )

    class Meta:
        verbose_name = _("client book entry")
        verbose_name_plural = _("client books")
        ordering = ["store", "associate", "customer"]
        indexes = [models.Index(fields=["associate", "store"], name="book_by_associate")]

    def __str__(self) -> str:
        return f"{self.customer} → {self.associate}"


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=FollowUp.Status.OPEN)

    def due(self, day):
        """Open and due on or before ``day`` (a local date)."""
        return self.open().filter(due_on__lte=day)

    def for_associate(self, user, store):
        """What an associate of ``store`` is asked to do: their own clients' follow-ups,
        and the store's follow-ups about clients nobody in it keeps in a book."""
        return self.filter(store=store).filter(Q(associate=user) | Q(associate__isnull=True))


class FollowUp(models.Model):
    class Reason(models.TextChoices):
        BACK_IN_STOCK = "back_in_stock", _("Wishlist item back in stock here")
        PICKUP_READY = "pickup_ready", _("Pickup ready")
        ORDER_ARRIVED = "order_arrived", _("Ordered item delivered")
        HOLD_LAPSES = "hold_lapses", _("Pickup hold lapses tomorrow")
        AFTER_PURCHASE = "after_purchase", _("After a purchase")
        BIRTHDAY = "birthday", _("Birthday this week")
        LAPSING_VIP = "lapsing_vip", _("VIP not seen for 90 days")
        PERSONAL = "personal", _("Set by the associate")

    class Status(models.TextChoices):
        OPEN = "open", _("to do")
        DONE = "done", _("done")
        UNREACHABLE = "unreachable", _("not reachable")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("associate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text=_("Empty: anyone in the store."),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    key = models.CharField(_("occasion"), max_length=80)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.OPEN)
    snoozes = models.PositiveSmallIntegerField(_("times snoozed"), default=0)
    variant = models.ForeignKey(
        Variant,
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="follow_up_once_per_occasion")
        ]
        indexes = [models.Index(fields=["store", "status", "due_on"], name="follow_up_due")]

    def __str__(self) -> str:
        return f"{self.customer}: {self.get_reason_display()}"

    @property
    def detail_date(self) -> date | None:
        """The day a birthday or a lapsing VIP's follow-up names (kept in ``detail``)."""
        if self.reason in (self.Reason.BIRTHDAY, self.Reason.LAPSING_VIP):
            try:
                return date.fromisoformat(self.detail)
            except ValueError:
                return None
        return None

    @property
    def suggestion(self) -> str:
        """What the associate might do, in a few words."""
        return str(SUGGESTIONS[self.reason])

    @property
    def message_purpose(self) -> str:
        """What a message sent for this follow-up is about (messaging's purposes)."""
        return MESSAGE_PURPOSES.get(self.reason, Purpose.FOLLOW_UP)


SUGGESTIONS = {
    FollowUp.Reason.BACK_IN_STOCK: _("Tell them it is here and offer to set it aside."),
    FollowUp.Reason.PICKUP_READY: _("Tell them their order is ready and when we are open."),
    FollowUp.Reason.ORDER_ARRIVED: _("Check it arrived well and that they are happy with it."),
    FollowUp.Reason.HOLD_LAPSES: _("Remind them to collect it before the hold ends."),
    FollowUp.Reason.AFTER_PURCHASE: _("Ask how they like it; suggest what goes with it."),
    FollowUp.Reason.BIRTHDAY: _("Wish them a happy birthday."),
    FollowUp.Reason.LAPSING_VIP: _("Invite them back: news, an event, their offers."),
    FollowUp.Reason.PERSONAL: _("Do what you planned."),
}

MESSAGE_PURPOSES = {
    FollowUp.Reason.BACK_IN_STOCK: Purpose.BACK_IN_STOCK,
    FollowUp.Reason.PICKUP_READY: Purpose.ORDER_READY,
    FollowUp.Reason.HOLD_LAPSES: Purpose.ORDER_READY,
}


class TouchPoint(models.Model):
    class Outcome(models.TextChoices):
        DONE = "done", _("contacted")
        SNOOZED = "snoozed", _("snoozed")
        UNREACHABLE = "unreachable", _("not reachable")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="touch_points"
    )
    follow_up = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="touch_points",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=FollowUp.Reason)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("touch point")
        verbose_name_plural = _("touch points")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-at"]),
            models.Index(fields=["store", "at"], name="touch_points_by_store_day"),
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.get_outcome_display()}"


class PurchaseFollowUpDelay(models.Model):
    category = models.OneToOneField(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    days = models.PositiveSmallIntegerField(
        _("days after the purchase"),
        help_text=_("Sub-categories follow their category unless they have their own delay."),
    )

    class Meta:
        verbose_name = _("follow-up after a purchase")
        verbose_name_plural = _("follow-ups after a purchase")
        ordering = ["category__path"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="follow_up_delay_at_least_1")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.days}"
