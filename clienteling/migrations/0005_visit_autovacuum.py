"""Vacuum the visits table often enough for the dashboard's index-only scans.

Today's figures are read from the covering index ``visits_by_store_arrival``; the database
can answer from the index alone only for pages that vacuum has marked all-visible. With the
default thresholds (a fifth of the table) a large visits table would go days between
vacuums, and today's pages would never qualify. PostgreSQL only; nothing to do elsewhere."""

from django.db import migrations

OPTIONS = {
    "autovacuum_vacuum_insert_scale_factor": "0.01",
    "autovacuum_vacuum_scale_factor": "0.02",
    "autovacuum_analyze_scale_factor": "0.02",
}


def tune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        settings = ", ".join(f"{k} = {v}" for k, v in OPTIONS.items())
        schema_editor.execute(f"ALTER TABLE clienteling_visit SET ({settings})")


def untune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE clienteling_visit RESET ({', '.join(OPTIONS)})")


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0004_daily_figures")]

    operations = [migrations.RunPython(tune, untune, elidable=True)]
