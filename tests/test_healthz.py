"""/healthz tells a load balancer or docker-compose whether this instance can serve."""

from django.urls import reverse

from claims import health


def test_healthy_without_login(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_database_down_is_503(client, db, monkeypatch):
    monkeypatch.setattr(health, "_database_ok", lambda: False)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_redis_down_is_503_when_configured(client, db, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] is False


def test_post_is_refused(client, db):
    assert client.post(reverse("healthz")).status_code == 405
