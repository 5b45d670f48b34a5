from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _sqlite_functions(sender, connection, **kwargs):
    """The demo's SQLite database lacks a median aggregate; PostgreSQL has its own."""
    if connection.vendor == "sqlite":
        from .figures import SQLiteMedian

        connection.connection.create_aggregate("median", 1, SQLiteMedian)


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        connection_created.connect(_sqlite_functions, dispatch_uid="clienteling-sqlite-median")
