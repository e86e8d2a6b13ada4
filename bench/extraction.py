"""Extraction benchmark: throughput on one core, and end-to-end latency with a real worker.

    .venv/bin/python bench/extraction.py                  # throughput only (no services needed)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/extraction.py --articles 20   # plus end-to-end

Per sentence: load time and scoring time of the detector, its components, the TF-IDF baseline
and the sentence encoder, on one core (bench/extraction_model.py). Throughput: segmentation +
scoring of real and synthetic articles in this process, pinned to one thread
(bench/extraction_core.py). End-to-end: a scratch database `factcheck_bench` is
created on the PostgreSQL server named by DATABASE_URL, a Celery worker is started on it, and
each article is timed from submit (the web's commit) to its claims being visible in the
database. Prints its figures; asserts nothing.
"""

import sys
from pathlib import Path

# bench/queue.py shadows the standard library's `queue` (which psycopg imports): keep bench/
# off the import path, and put the project on it.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

SAMPLE = ROOT / "claims/demo/venezuela-deportations.txt"
BENCH_DB = "factcheck_bench"


def throughput() -> None:
    subprocess.run([sys.executable, str(ROOT / "bench/extraction_model.py")], check=True)
    subprocess.run([sys.executable, str(ROOT / "bench/extraction_core.py")], check=True)


def end_to_end(article_count: int) -> None:
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        print("\nEnd-to-end: skipped (set DATABASE_URL to PostgreSQL and REDIS_URL).")
        return
    parts = urlsplit(base_url)
    bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    _recreate_database(base_url)
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "DATABASE_URL": bench_url, "CELERY_QUEUE": queue, "DEBUG": "1"}
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _measure(article_count, worker)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _recreate_database(base_url: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def _measure(article_count: int, worker) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    django.setup()
    from claims import services
    from claims.models import Article, Workspace
    from factcheck.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or worker.poll() is not None:
            raise SystemExit("The worker did not start.")
    workspace = Workspace.objects.create(name="Bench", slug="bench")
    body = SAMPLE.read_text(encoding="utf-8")
    latencies = []
    started = time.perf_counter()
    for i in range(article_count):
        submitted = time.perf_counter()
        article = services.submit_article(
            workspace=workspace, submitted_by=None, origin="pasted", body=f"{body}\n\nEdition {i}."
        )
        while True:
            status = Article.objects.filter(pk=article.pk).values_list(
                "extraction_status", flat=True
            )[0]
            if status in ("done", "failed"):
                break
            time.sleep(0.01)
        if status != "done":
            raise SystemExit(f"Article {article.pk} failed.")
        latencies.append(time.perf_counter() - submitted)
    total = time.perf_counter() - started
    claims = workspace.claims.count()
    print(f"\nEnd-to-end with a real worker (PostgreSQL + Redis), {article_count} articles:")
    print(
        f"  submit -> claims visible: median {statistics.median(latencies):.3f} s, "
        f"p95 {_p95(latencies):.3f} s, max {max(latencies):.3f} s"
    )
    print(f"  {article_count / total:.1f} articles/s sequentially; {claims} claims stored")


def _p95(values):
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def match_latency() -> None:
    """Top-10 similar claims among 100,000 of a workspace (bench/matching.py has options)."""
    subprocess.run([sys.executable, str(ROOT / "bench/matching.py")], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    args = parser.parse_args()
    throughput()
    match_latency()
    end_to_end(args.articles)


if __name__ == "__main__":
    main()
