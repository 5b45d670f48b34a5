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
