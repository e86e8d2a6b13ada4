"""Redis goes away while articles are submitted: nothing is lost, pages keep working."""

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from claims.models import Article
from tests.conftest import ROOT, Worker, _require, require_services, wait_until, worker_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SENTENCES = [
    "The regional budget rose by 4.5 percent to $2.1 billion in 2024.",
    "Police recorded 1,240 burglaries last year, down from 1,610.",
    "The new rail line cost 3.2 billion euros, the ministry said.",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private Redis for this test, so stopping it disturbs nothing else."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, interval=0.05, message="Redis to start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def submit(redis, workspace, user, texts):
    """Submit as a separate web process would, with REDIS_URL pointing at our Redis."""
    env = {**os.environ, "DATABASE_URL": worker_database_url(), "REDIS_URL": redis.url}
    args = {"workspace": workspace.pk, "user": user.pk, "texts": texts}
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.actor", "submit", json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_submissions_survive_a_redis_outage(workspace, editor, tmp_path):
    require_services()
    _require(shutil.which("redis-server") is not None, "redis-server is not installed")
    redis = RedisServer(tmp_path)
    redis.start()
    worker = None
    try:
        before = submit(redis, workspace, editor, [SENTENCES[0]])
        assert before["status"] == 200 and not before["notice"]

        redis.stop()
        during = submit(redis, workspace, editor, SENTENCES[1:])
        assert during["status"] == 200
        assert during["notice"], "pages must say the queue is down"
        assert all(a["seconds"] < 10 for a in during["articles"]), during
        ids = [a["id"] for a in before["articles"] + during["articles"]]
        assert set(Article.objects.values_list("extraction_status", flat=True)) == {"queued"}

        # Redis comes back empty (no persistence): the sweep must resend everything.
        redis.start()
        worker = Worker(
            tmp_path / "worker.log",
            redis_url=redis.url,
            beat=True,
            EXTRACTION_SWEEP_SECONDS="1",
            EXTRACTION_STUCK_AFTER_SECONDS="1",
        ).wait_ready()

        def all_done():
            statuses = set(Article.objects.values_list("extraction_status", flat=True))
            return statuses == {"done"}

        wait_until(all_done, timeout=90, message="the sweep to get every article extracted")
    finally:
        if worker:
            worker.stop()
        redis.stop()
    for article in Article.objects.filter(pk__in=ids):
        texts = list(article.claims.values_list("text", flat=True))
        assert texts == [article.body], texts  # each one-sentence article: its claim, once
