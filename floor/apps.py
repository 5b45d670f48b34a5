from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _withdrawal_leaves_the_floor(sender, consent, **kwargs):
    from customers.models import Consent

    from .services import customer_visits_end

    if consent.purpose == Consent.Purpose.IN_STORE_RECOGNITION and not consent.granted:
        customer_visits_end(customer_id=consent.customer_id)


class FloorConfig(AppConfig):
    name = "floor"
    verbose_name = _("Floor")

    def ready(self):
        from customers.signals import consent_recorded

        consent_recorded.connect(
            _withdrawal_leaves_the_floor, dispatch_uid="floor-withdrawal-leaves-the-floor"
        )
