"""What the in-process benchmarks share (Django's whole stack through its test client, no
network): production settings, the statements one request sends, a transaction to roll
back, planner statistics for a database never analysed. Import it once Django is set up."""

from django.conf import settings
from django.db import connection
from django.test import override_settings


class Rollback(Exception):
    """Raised at the end of a benchmark's transaction, so that it is rolled back."""


def production_settings():
    """``DEBUG`` off (no query log), static files served without a manifest (no
    ``collectstatic`` needed)."""
    plain_static = "django.contrib.staticfiles.storage.StaticFilesStorage"
    return override_settings(
        DEBUG=False, STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": plain_static}}
    )


def queries_of(client, url: str) -> list[str]:
    """The SQL statements one request sends."""
    sent = []
    with connection.execute_wrapper(lambda run, sql, *a: sent.append(sql) or run(sql, *a)):
        client.get(url)
    return sent


def analyze_if_never_analyzed() -> None:
    """A database never analysed (autovacuum off, no ANALYZE since it was seeded) has its
    planner guessing row counts: gather the statistics a maintained database has, inside
    the transaction (rolled back with the rest)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 1000"
            " AND last_analyze IS NULL AND last_autoanalyze IS NULL"
        )
        stale = [row[0] for row in cursor.fetchall()]
        for table in stale:
            cursor.execute(f'ANALYZE "{table}"')
    if stale:
        print(f"analyzed {len(stale)} never-analyzed tables (rolled back at the end)")
