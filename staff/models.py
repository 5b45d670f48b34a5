from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Store


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


class StaffPin(models.Model):
    """A staff member's personal PIN for switching on a shared store tablet (hashed like a
    password); locked after too many wrong tries until a manager unlocks it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_pin"
    )
    pin = models.CharField(_("PIN (hashed)"), max_length=128)
    failures = models.PositiveSmallIntegerField(_("wrong tries in a row"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("tablet PIN")
        verbose_name_plural = _("tablet PINs")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class StoreDevice(models.Model):
    """A shared tablet registered to one store: the browser holds a signed cookie naming
    this row; associates switch on it with their PIN. Revoking it ends its device role."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="devices"
    )
    name = models.CharField(_("name"), max_length=80)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("store tablet")
        verbose_name_plural = _("store tablets")
        ordering = ["store", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.store})"
