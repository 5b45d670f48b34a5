# Hand-written: the search entries' GIN index takes each write into its tree at once
# (fastupdate off) instead of a pending list that every search reads through until a
# VACUUM merges it. The entries change with the catalogue, rarely; searches are constant.
# A pending list of a few hundred pages also makes the planner price the index above a
# scan of the whole table, about 25 ms at 50,000 products against 1-3 ms through the index.
# What is pending now is merged here. PostgreSQL only, as in 0003.

from django.db import migrations


def merge_pending_entries(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER INDEX catalog_productsearch_vector SET (fastupdate = off)")
    schema_editor.execute("SELECT gin_clean_pending_list('catalog_productsearch_vector'::regclass)")


def keep_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER INDEX catalog_productsearch_vector RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_product_images_complements")]

    operations = [migrations.RunPython(merge_pending_entries, keep_pending_list, elidable=False)]
