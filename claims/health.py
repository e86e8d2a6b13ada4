"""/healthz: is this instance able to serve? Used by docker-compose and load balancers."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def _workers_alive() -> int:
    """How many Celery workers answered a ping within a second."""
    from factcheck.celery import app

    try:
        return len(app.control.ping(timeout=1.0) or [])
    except Exception:
        return 0


@never_cache
@require_GET
def healthz(request):
    """Report each dependency; 503 when the web process cannot do its work.

    A missing worker does not make the web unhealthy (articles wait in the queue and are
    swept up later), so it is reported but only fails the check with ?worker=1, which the
    worker's own health check uses.
    """
    checks = {"database": _database_ok()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_ok()
        workers = _workers_alive() if checks["redis"] else 0
        checks["workers"] = workers
    else:
        checks["workers"] = "in-process"
    healthy = checks["database"] and checks.get("redis", True)
    if request.GET.get("worker") == "1" and settings.REDIS_URL:
        healthy = healthy and checks["workers"] > 0
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
