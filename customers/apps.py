from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


def _customer_delete_allows_consents(sender, instance, using, **kwargs):
    """The consent ledger's trigger refuses every DELETE, except inside a transaction that
    deletes a customer's whole record (their consents go with it): say so to PostgreSQL,
    for this transaction only."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('clienteling.customer_delete', 'on', true)")


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from .models import Customer

        pre_delete.connect(
            _customer_delete_allows_consents,
            sender=Customer,
            dispatch_uid="customers-consent-ledger-customer-delete",
        )
