"""Probes for the load balancer: ``/healthz`` (the process answers) and ``/readyz`` (it can
serve: database reachable, Redis reachable, every migration applied). Neither needs a
session nor a sign-in; ``/readyz`` names what failed in a JSON 503."""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
_migrated = False  # once every migration is applied, it stays so for this code


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    if not settings.REDIS_URL:
        return
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    try:
        client.ping()
    finally:
        client.close()


def _migrations() -> None:
    global _migrated
    if _migrated:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migrations not applied")
    _migrated = True


@never_cache
@require_GET
def readyz(request):
    checks = {}
    for name, check in (("database", _database), ("redis", _redis), ("migrations", _migrations)):
        if name == "migrations" and checks["database"] != "ok":
            checks[name] = "unknown"
            continue
        try:
            check()
        except Exception as error:
            logger.warning("Not ready: %s: %s", name, error)
            checks[name] = f"failed: {type(error).__name__}"
        else:
            checks[name] = "ok"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"ready": ready, **checks}, status=200 if ready else 503)
