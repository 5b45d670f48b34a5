from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        from allauth.account.signals import password_reset
        from allauth.mfa.signals import authenticator_removed
        from django.contrib.auth.signals import user_logged_in

        from .adapters import password_reset_lifts_the_lock
        from .mfa import forget_mfa, remember_mfa

        password_reset.connect(password_reset_lifts_the_lock, dispatch_uid="staff.lock_lift")

        user_logged_in.connect(remember_mfa, dispatch_uid="staff.remember_mfa")
        authenticator_removed.connect(forget_mfa, dispatch_uid="staff.forget_mfa")
