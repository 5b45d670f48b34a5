from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        from allauth.mfa.signals import authenticator_removed
        from django.contrib.auth.signals import user_logged_in

        from .mfa import forget_mfa, remember_mfa

        user_logged_in.connect(remember_mfa, dispatch_uid="staff.remember_mfa")
        authenticator_removed.connect(forget_mfa, dispatch_uid="staff.forget_mfa")
