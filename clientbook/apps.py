from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientbookConfig(AppConfig):
    name = "clientbook"
    verbose_name = _("Client books")
