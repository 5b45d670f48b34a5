"""Case-insensitive prefix search on PostgreSQL (``UPPER(col) LIKE 'ABC%'``) needs
pattern-ops indexes, whatever the database's collation. Nothing to do on SQLite."""

from django.db import migrations

COLUMNS = ["last_name", "first_name", "email", "loyalty_number"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS customer_{column}_prefix "  # noqa: S608
            f"ON customers_customer (UPPER({column}::text) text_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS customer_{column}_prefix")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_appdevice_email_sha256")]

    operations = [migrations.RunPython(create, drop)]
