"""/healthz tells a load balancer or docker-compose whether this instance can serve.

It is public, so it must stay cheap whoever calls it: the plain probe never waits for Celery,
the worker probe pings at most once per interval, and one address can only ask so often.
"""

import ipaddress
import random
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from claims import health

pytestmark = pytest.mark.django_db


def fresh_address() -> str:
    """An address no other test (nor a run a minute ago, with Redis) has counted requests for."""
    return str(ipaddress.IPv4Address("198.18.0.0") + random.randrange(2**17))


@pytest.fixture
def client():
    """Each test probes from its own address, so no test spends another's rate limit."""
    return Client(REMOTE_ADDR=fresh_address())


@pytest.fixture(autouse=True)
def fresh_health_cache():
    cache.delete_many([health.WORKERS_KEY, health.PINGING_KEY])
    yield
    cache.delete_many([health.WORKERS_KEY, health.PINGING_KEY])


@pytest.fixture
def with_redis(settings, monkeypatch):
    """A deployment with a broker; Redis itself answers (the ping is what is measured)."""
    settings.REDIS_URL = "redis://broker.invalid:6379/0"
    monkeypatch.setattr(health, "_redis_ok", lambda: True)
    pings = []

    def ping():
        pings.append(time.monotonic())
        return 2

    monkeypatch.setattr(health, "_ping_workers", ping)
    return pings


def probe(client, query="", **extra):
    return client.get(reverse("healthz") + query, **extra)


def test_healthy_without_login(client):
    response = probe(client)
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_database_down_is_503(client, monkeypatch):
    monkeypatch.setattr(health, "_database_ok", lambda: False)
    response = probe(client)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_redis_down_is_503_when_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = probe(client)
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] is False


def test_post_is_refused(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_the_public_probe_never_waits_for_celery(client, with_redis):
    for _ in range(20):
        response = probe(client)
        assert response.status_code == 200
    assert with_redis == []  # not one ping
    assert response.json()["checks"]["workers"] is None  # nobody has checked yet


def test_the_worker_probe_pings_once_per_interval(client, with_redis, settings):
    settings.HEALTH_WORKER_CHECK_SECONDS = 10
    for _ in range(5):
        response = probe(client, "?worker=1")
        assert response.status_code == 200
        assert response.json()["checks"]["workers"] == 2
    assert len(with_redis) == 1
    # The plain probe shows that result, still without pinging.
    assert probe(client).json()["checks"]["workers"] == 2
    assert len(with_redis) == 1
    # Once the result is older than the interval, the next worker probe pings again.
    cache.set(health.WORKERS_KEY, {"alive": 2, "at": time.time() - 11})
    probe(client, "?worker=1")
    assert len(with_redis) == 2


def test_while_another_process_pings_the_last_result_is_served(client, with_redis):
    cache.set(health.PINGING_KEY, 1)
    cache.set(health.WORKERS_KEY, {"alive": 3, "at": time.time() - 60})
    response = probe(client, "?worker=1")
    assert (response.status_code, response.json()["checks"]["workers"]) == (200, 3)
    # Nothing known yet and someone else pinging: not known to be alive.
    cache.delete(health.WORKERS_KEY)
    response = probe(client, "?worker=1")
    assert (response.status_code, response.json()["checks"]["workers"]) == (503, None)
    assert with_redis == []


def test_no_worker_fails_only_the_worker_probe(client, with_redis, monkeypatch):
    monkeypatch.setattr(health, "_ping_workers", lambda: 0)
    assert probe(client, "?worker=1").status_code == 503
    response = probe(client)
    assert response.status_code == 200
    assert response.json()["checks"]["workers"] == 0


def test_one_address_is_rate_limited(client, settings):
    settings.HEALTHZ_RATE_PER_MINUTE = 5
    address = fresh_address()
    for _ in range(5):
        assert probe(client, REMOTE_ADDR=address).status_code == 200
    limited = probe(client, REMOTE_ADDR=address)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert probe(client, REMOTE_ADDR=fresh_address()).status_code == 200  # someone else


def test_a_forged_forwarded_for_does_not_dodge_the_limit(client, settings):
    """Behind one proxy, the address is the entry the proxy wrote, not what the client sent."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.HEALTHZ_RATE_PER_MINUTE = 3
    client_ip = fresh_address()
    codes = [
        probe(
            client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, {client_ip}"
        ).status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


def test_an_ipv6_client_counts_by_its_64(client, settings):
    settings.HEALTHZ_RATE_PER_MINUTE = 3
    prefix = f"2001:db8:{random.randrange(2**16):x}:{random.randrange(2**16):x}"
    codes = [probe(client, REMOTE_ADDR=f"{prefix}::{i:x}").status_code for i in range(1, 6)]
    assert codes == [200, 200, 200, 429, 429]


def test_a_broken_cache_never_takes_the_probe_down(client, with_redis, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    for name in ("add", "get", "incr", "set"):
        monkeypatch.setattr(cache, name, broken)
    assert probe(client).status_code == 200
    assert probe(client, "?worker=1").status_code == 503  # not known to be alive


def test_refusals_do_not_flood_the_log(client, settings, caplog):
    settings.HEALTHZ_RATE_PER_MINUTE = 1
    with caplog.at_level("WARNING", logger="django.request"):
        codes = [probe(client).status_code for _ in range(20)]
    assert codes == [200] + [429] * 19
    assert not [r for r in caplog.records if "Too Many Requests" in r.getMessage()]
