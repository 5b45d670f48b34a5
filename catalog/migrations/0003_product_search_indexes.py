# Hand-written: PostgreSQL search indexes.
#
# Documents and words are folded (lower case, no accents) in Python when they are written, so
# no unaccent() (which is not IMMUTABLE) is needed in an index: the full-text vector is stored
# and GIN-indexed, and a trigram index finds the known words nearest to a mistyped one.
# SQLite (the embedded demo) has neither and searches the same documents with LIKE.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "catalog_productsearch_vector": "catalog_productsearch USING gin (vector)",
    "catalog_searchword_word_trgm": "catalog_searchword USING gin (word gin_trgm_ops)",
}


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {definition}"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_product_search")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
