from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        from allauth.account.signals import password_reset

        from .adapters import password_reset_lifts_the_lock

        password_reset.connect(password_reset_lifts_the_lock, dispatch_uid="staff.lock_lift")
