"""Writing generated rows: ``bulk_create`` for the demo, PostgreSQL ``COPY`` for benchmarks."""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

DEMO_APPS = (
    "catalog",
    "staff",
    "integrations",
    "inventory",
    "customers",
    "offers",
    "orders",
    "floor",
    "clientbook",
    "dashboard",
)


class Ids:
    """Primary keys handed out in Python, so rows can point at each other before they exist."""

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int = 1) -> int:
        """The first of ``count`` consecutive free ids of ``model``."""
        start = self._next.get(model)
        if start is None:
            start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self._next[model] = start + count
        return start

    def sequences_reset(self) -> None:
        """Move the database sequences past the ids we handed out (PostgreSQL needs it)."""
        sql = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


class OrmWriter:
    """``bulk_create``: any database, fine for the few thousand rows of the demo."""

    def write(self, model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=500)
        # bulk_create stamps auto_now_add fields with now: put back the generated past.
        stamped = [f for f in fields if getattr(model._meta.get_field(f), "auto_now_add", False)]
        if stamped:
            for obj, row in zip(objs, rows, strict=True):
                for name in stamped:
                    setattr(obj, name, row[fields.index(name)])
            model.objects.bulk_update(objs, stamped, batch_size=500)


class CopyWriter:
    """PostgreSQL ``COPY … FROM STDIN`` through psycopg 3: millions of rows a minute."""

    def write(self, model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
        opts, quote = model._meta, connection.ops.quote_name
        columns = [opts.get_field(name) for name in fields]
        as_json = [i for i, field in enumerate(columns) if isinstance(field, models.JSONField)]
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(opts.db_table), ", ".join(quote(field.column) for field in columns)
        )
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if as_json:
                    row = [json.dumps(v) if i in as_json else v for i, v in enumerate(row)]
                copy.write_row(row)


@contextmanager
def bulk_load(tables: Sequence[str]) -> Iterator[None]:
    """PostgreSQL's recipe for populating a database: drop the foreign keys and plain
    indexes of ``tables``, load, then rebuild each in one pass and ANALYZE.

    Run it inside a transaction: if the load fails, the dropped constraints come back
    with the rollback.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks during DDL
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [list(tables)],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("ANALYZE " + ", ".join(quote(table) for table in tables))


def demo_tables_flush() -> None:
    """Empty every table of the four apps (and, on PostgreSQL, what references them)."""
    tables = [
        model._meta.db_table
        for label in DEMO_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    sql = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:  # TRUNCATE refuses tables with deferred checks still pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(sql)
        if postgresql:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
