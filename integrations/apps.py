from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from catalog.models import Store

        from .live import connect_receivers
        from .models import WebhookSource
        from .webhooks import known_changed

        connect_receivers()
        # Every process keeps sources and stores (integrations.webhooks.known).
        for model in (WebhookSource, Store):
            post_save.connect(known_changed, sender=model, dispatch_uid=f"known-{model.__name__}")
            post_delete.connect(
                known_changed, sender=model, dispatch_uid=f"known-gone-{model.__name__}"
            )
        m2m_changed.connect(
            known_changed, sender=WebhookSource.stores.through, dispatch_uid="known-stores"
        )
