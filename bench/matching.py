"""Matching latency on one core: top-10 similar claims among 100,000 of a workspace.

    .venv/bin/python bench/matching.py                   # in-process index (no services)
    .venv/bin/python bench/matching.py --claims 1000000  # how it grows
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/matching.py --database

In-process: the index as claims/matching.py holds it (float16 bytes from the database decoded
to a float32 matrix), queried with unit vectors; also the real encoder embedding one query
sentence. --database: a scratch database `factcheck_bench_matching` on the PostgreSQL server
named by DATABASE_URL gets one workspace of N claims; timed are the freshness stamp (the query
every lookup makes), loading the index cold, and `matching.similar()` end to end, text in,
(claim_id, score) out. Each figure is given as wall time and as CPU time of the one
thread: on a busy machine the second is the fairer "one core" figure. Prints its figures;
asserts nothing.
"""

import os

# Before numpy is imported: one thread, so the figures are per core.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

import numpy as np  # noqa: E402

# bench/queue.py shadows the standard library's `queue`: keep bench/ off the import path.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

DIMENSIONS = 384
QUERIES = 200
BENCH_DB = "factcheck_bench_matching"


def unit_rows(count: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def report(label: str, samples: list[tuple[float, float]]) -> None:
    """samples: (wall seconds, CPU seconds) per call."""
    wall = sorted(w * 1000 for w, _ in samples)
    cpu = sorted(c * 1000 for _, c in samples)
    p95 = int(len(wall) * 0.95) - 1
    print(
        f"  {label:<44} wall median {statistics.median(wall):6.1f} ms, p95 {wall[p95]:6.1f}"
        f" | CPU median {statistics.median(cpu):6.1f} ms, p95 {cpu[p95]:6.1f}"
    )


def timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.thread_time()
    work()
    return time.perf_counter() - wall, time.thread_time() - cpu


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()


def scratch_database() -> bool:
    """Point DATABASE_URL at a fresh scratch database (before Django reads its settings)."""
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("Matching in PostgreSQL: skipped (set DATABASE_URL to PostgreSQL).")
        return False
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(base_url)._replace(path=f"/{BENCH_DB}"))
    return True


def in_process(count: int) -> None:
    from claims import matching

    stored = unit_rows(count, seed=1).astype(matching.STORAGE_DTYPE)
    started = time.perf_counter()
    matrix = np.frombuffer(stored.tobytes(), dtype=matching.STORAGE_DTYPE)
    matrix = matrix.reshape(count, DIMENSIONS).astype(np.float32)
    decoded = time.perf_counter() - started
    index = matching._Index("bench", (count, count), np.arange(1, count + 1), matrix, 0.0)
    print(
        f"\nMatching, in-process index of {count:,} claims ({matrix.nbytes / 1e6:.0f} MB float32,"
    )
    print(f"{stored.nbytes / 1e6:.0f} MB as stored); decoding it took {decoded * 1000:.0f} ms.")
    queries = unit_rows(QUERIES, seed=2)
    times = [timed(lambda q=q: index.top(q[None, :], 10, set())) for q in queries]
    report("top-10 (matrix-vector product + partition)", times)
    try:
        matching.embed(["warm up the encoder"])
    except matching.MatchingUnavailable as exc:
        print(f"  (no encoder: {exc})")
        return
    sentences = [
        f"The city spent {n} million on the new bridge, officials said." for n in range(50)
    ]
    times = [timed(lambda s=s: index.top(matching.embed([s]), 10, set())) for s in sentences]
    report("embed one sentence + top-10", times)


def in_database(count: int) -> None:
    """Run after scratch_database() and setup_django(): Django is on the scratch database."""
    from django.core.management import call_command
    from django.db import connection

    from claims import matching
    from claims.models import Article, Claim, Workspace

    if connection.settings_dict["NAME"] != BENCH_DB:  # never write into a real database
        raise SystemExit(f"Refusing to run on {connection.settings_dict['NAME']}.")
    call_command("migrate", verbosity=0)
    version = matching.encoder_version()
    workspace = Workspace.objects.create(name="Bench", slug="bench")
    article = Article.objects.create(workspace=workspace, body="x" * 200, title="Bench")
    started = time.perf_counter()
    vectors = unit_rows(count, seed=3)
    batch = 5000
    for offset in range(0, count, batch):
        Claim.objects.bulk_create(
            Claim(
                workspace=workspace,
                article=article,
                text=f"c{n:07d}",
                start=n,
                end=n + 8,
                embedding=matching.encode(vectors[n - offset]),
                embedding_model=version,
            )
            for n in range(offset, min(offset + batch, count))
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE claims_claim")
    loaded = time.perf_counter() - started
    print(f"\nMatching in PostgreSQL, {count:,} claims ({loaded:.0f} s to insert):")
    times = [timed(lambda: matching._stamp(workspace.pk, version)) for _ in range(50)]
    report("freshness stamp (every lookup)", times)
    started = time.perf_counter()
    matching._index_for(workspace.pk)
    print(
        f"  {'loading the index cold (once per process)':<44} {time.perf_counter() - started:.2f} s"
    )
    sentences = [
        f"The city spent {n} million on the new bridge, officials said." for n in range(50)
    ]
    times = [timed(lambda s=s: matching.similar(s, workspace, k=10)) for s in sentences]
    report("similar(text, workspace, k=10), end to end", times)


def main() -> None:
    parser = argparse.ArgumentParser(description="Matching latency on one core.")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--database", action="store_true", help="Also measure in PostgreSQL.")
    args = parser.parse_args()
    database = args.database and scratch_database()
    setup_django()
    in_process(args.claims)
    if database:
        in_database(args.claims)


if __name__ == "__main__":
    main()
