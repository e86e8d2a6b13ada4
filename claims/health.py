"""/healthz: is this instance able to serve? Used by docker-compose, the proxy and load balancers.

Two probes on one URL, both open to anyone and rate-limited per client address:

- `/healthz` checks the database and Redis (a round trip of about a millisecond each) and
  never waits for Celery. It reports the workers from the last worker check, if one is recent.
- `/healthz?worker=1` also needs a live worker. Pinging Celery means waiting for answers (one
  second), so the result is kept in the cache for HEALTH_WORKER_CHECK_SECONDS and one process
  pings at a time; the others answer from the last result meanwhile. One request per interval,
  across all web processes, waits for the ping; no anonymous client can make more of them.
"""

import contextlib
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from claims.ratelimit import over_limit

PING_TIMEOUT = 1.0
WORKERS_KEY = "health:workers"  # {"alive": n, "at": unix time}
PINGING_KEY = "health:workers:pinging"
# The last result is kept (and served while someone refreshes it) this much longer than it
# counts as fresh.
STALE_FACTOR = 10

_redis = {}


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _redis_ok() -> bool:
    """PING over one connection pool per process (redis-py resets it after a fork)."""
    try:
        client = _redis.get(settings.REDIS_URL)
        if client is None:
            client = _redis[settings.REDIS_URL] = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
        return bool(client.ping())
    except redis.RedisError:
        return False


def _ping_workers() -> int:
    """How many Celery workers answered a ping within PING_TIMEOUT."""
    from factcheck.celery import app

    try:
        return len(app.control.ping(timeout=PING_TIMEOUT) or [])
    except Exception:
        return 0


def _last_check() -> dict | None:
    try:
        return cache.get(WORKERS_KEY)
    except Exception:
        return None


def _workers(*, refresh: bool) -> int | None:
    """Live workers as last seen (None: not known). With `refresh`, ping if that result is
    older than HEALTH_WORKER_CHECK_SECONDS and nobody else is pinging already.
    """
    interval = settings.HEALTH_WORKER_CHECK_SECONDS
    last = _last_check()
    fresh = last is not None and time.time() - last["at"] < interval
    if fresh or not refresh:
        return last["alive"] if fresh else None
    try:
        if not cache.add(PINGING_KEY, 1, timeout=int(PING_TIMEOUT) + 2):
            return last["alive"] if last else None
    except Exception:
        return None
    alive = _ping_workers()
    # If Redis went away meanwhile, the lock expires by itself.
    with contextlib.suppress(Exception):
        cache.set(WORKERS_KEY, {"alive": alive, "at": time.time()}, interval * STALE_FACTOR)
        cache.delete(PINGING_KEY)
    return alive


@never_cache
@require_safe  # monitors probe with HEAD too
def healthz(request):
    """Report each dependency; 503 when the web process cannot do its work.

    A missing worker does not make the web unhealthy (articles wait in the queue and are
    swept up later), so it only fails the check with ?worker=1.
    """
    if wait := over_limit(request, "healthz", limit=settings.HEALTHZ_RATE_PER_MINUTE):
        response = JsonResponse({"status": "rate-limited"}, status=429)
        response["Retry-After"] = str(wait)
        # Django would log a warning for each refusal: a flood of probes must not become a
        # flood of log lines. (The attribute is how Django marks a response already logged.)
        response._has_been_logged = True
        return response
    want_worker = request.GET.get("worker") == "1"
    checks = {"database": _database_ok()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_ok()
        checks["workers"] = _workers(refresh=want_worker) if checks["redis"] else 0
    else:
        checks["workers"] = "in-process"
    healthy = checks["database"] and checks.get("redis", True)
    if want_worker and settings.REDIS_URL:
        healthy = healthy and bool(checks["workers"])
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
