"""Shared fixtures: a workspace with one member of each role, and logged-in clients."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from claims.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~100 ms a login; tests check behaviour, not the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in this process, as the embedded default does, even when REDIS_URL
    points at a real broker: for tests of what a task does rather than of the queue."""
    from factcheck.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Daily Example", slug="daily-example")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Rival Desk", slug="rival-desk")


def _member(workspace, username, role):
    user = UserFactory(username=username)
    MembershipFactory(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def reviewer(workspace):
    return _member(workspace, "rita", Role.REVIEWER)


@pytest.fixture
def editor(workspace):
    return _member(workspace, "eddie", Role.EDITOR)


@pytest.fixture
def admin_member(workspace):
    return _member(workspace, "ada", Role.ADMIN)


@pytest.fixture
def outsider(other_workspace):
    """A member of another workspace only."""
    return _member(other_workspace, "olga", Role.EDITOR)


def approval_seen(correction) -> str:
    """What the claim page's approve form sends back: the fingerprint of the changes it shows."""
    from claims import publication
    from claims.models import Verdict
    from claims.views.claim_page import pending_changes

    verdict = Verdict.objects.select_related("claim__article", "claim__workspace", "rating").get(
        pk=correction.verdict_id
    )
    return publication.fingerprint(pending_changes(verdict, correction))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    return client_for(reviewer)


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


def _require(condition: bool, reason: str):
    """Skip on a developer's machine without the service; fail in CI, where it must exist."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def worker_database_url() -> str:
    """DATABASE_URL of the test database, for processes the tests start."""
    db = connection.settings_dict
    return "postgres://{user}:{password}@{host}:{port}/{name}".format(
        user=quote(db["USER"] or ""),
        password=quote(db["PASSWORD"] or ""),
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        name=db["NAME"],
    )


def require_services():
    _require(bool(settings.REDIS_URL), "REDIS_URL is not set: no real worker to run")
    _require(settings.USING_POSTGRES, "DATABASE_URL is not PostgreSQL")


class Worker:
    """A Celery worker process on the test database; stop() or kill() it."""

    def __init__(self, log: Path, *, redis_url: str | None = None, beat: bool = False, **env):
        self.name = f"test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        self.log = log
        self.redis_url = redis_url or settings.REDIS_URL
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "-n",
            self.name,
        ]
        if beat:
            command += ["--beat", "--schedule", str(log.with_suffix(".beat"))]
        full_env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": self.redis_url,
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            **env,
        }
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout=60):
        from celery import Celery

        app = Celery(broker=self.redis_url, set_as_current=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Celery worker exited early:\n{self.log.read_text()[-3000:]}")
            try:
                if app.control.ping(destination=[self.name], timeout=0.5):
                    return self
            except Exception:  # the broker may not be up yet
                time.sleep(0.2)
        pytest.fail(f"Celery worker did not answer in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def kill(self):
        """SIGKILL the whole worker: no shutdown, no acknowledgement, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def purge_queue(redis_url=None):
    from celery import Celery

    app = Celery(broker=redis_url or settings.REDIS_URL, set_as_current=False)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker process on the test database, consuming from Redis.

    Tests using it need `transactional_db` so the worker can see their committed rows.
    """
    require_services()
    purge_queue()
    worker = Worker(tmp_path_factory.mktemp("worker") / "worker.log")
    try:
        yield worker.wait_ready()
    finally:
        worker.stop()


def wait_until(predicate, *, timeout=30.0, interval=0.2, message="condition"):
    """Poll until predicate() is truthy; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout}s waiting for {message}")


def _fake_embed(texts):
    """Bag of words: each word a fixed random direction, so shared words mean similarity."""
    import zlib

    import numpy as np

    rows = []
    for text in texts:
        vector = np.zeros(384, dtype=np.float32)
        for word in text.lower().replace(".", " ").replace(",", " ").split():
            seed = zlib.crc32(word.encode())
            vector += np.random.default_rng(seed).standard_normal(384).astype(np.float32)
        rows.append(vector / (np.linalg.norm(vector) or 1.0))
    return np.stack(rows) if rows else np.zeros((0, 384), dtype=np.float32)


@pytest.fixture
def fake_encoder(monkeypatch):
    """A deterministic stand-in for claims.extraction.encoder (no ONNX model needed)."""
    from types import SimpleNamespace

    from claims import matching

    encoder = SimpleNamespace(ENCODER_VERSION="fake-bow-1", embed=_fake_embed)
    monkeypatch.setattr(matching, "_encoder", lambda: encoder)
    matching.clear_cache()
    yield encoder
    matching.clear_cache()
