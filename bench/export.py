"""Export benchmark: rows/s and peak memory of each verdict export format over 100,000 rows.

    .venv/bin/python bench/export.py                       # SQLite file in the temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/export.py
    .venv/bin/python bench/export.py --verdicts 20000 --formats csv xlsx --reseed

Seeds a scratch database once (PostgreSQL `factcheck_bench_export` on the server named by
DATABASE_URL, or a SQLite file without it; reused while it holds the asked number of verdicts)
with bulk_create, then measures each format in a fresh process, so one format's memory never
hides another's. Each export goes through `export_response`, as a download would, and is
written to /dev/null. Memory is the process's resident size once warmed up and its peak
during the export (VmHWM, reset first) and, with --traced, Python's peak allocation while
exporting (tracemalloc, in a second run since it slows Python down). Flat memory means the
same peak for a tenth of the rows as for all of them. Seeding takes a minute and a half, the
measurements about six minutes on two idle cores (three times as long with --traced). Prints
its figures; asserts nothing.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the path, and its other benchmarks (queue.py…)
# would shadow standard modules: the project root takes its place.
sys.path[0] = str(ROOT)
BENCH_DB = "factcheck_bench_export"
SQLITE_FILE = Path(tempfile.gettempdir()) / f"{BENCH_DB}.sqlite3"
FORMATS = ["csv", "xlsx", "json", "jsonl", "claimreview"]
CLAIMS_PER_ARTICLE = 10
BATCH = 5000


# --- Database -------------------------------------------------------------------------------


def bench_environment(reseed_postgres: bool) -> dict:
    """Environment pointing Django at the scratch database (created when asked)."""
    base_url = os.environ.get("DATABASE_URL", "")
    env = {**os.environ, "DEBUG": "1"}
    if base_url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(base_url)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
        _ensure_postgres_database(base_url, recreate=reseed_postgres)
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(SQLITE_FILE)
    return env


def _ensure_postgres_database(base_url: str, *, recreate: bool) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if exists and not recreate:
            return
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def setup_django(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()


def seed(count: int) -> None:
    """`count` verdicts: 70% published, 20% submitted, 10% drafts; two sources each."""
    from django.utils import timezone

    from claims.models import Article, Claim, Correction, Source, User, Verdict, Workspace

    workspace = Workspace.objects.filter(slug="bench").first()
    if workspace and Verdict.objects.filter(claim__workspace=workspace).count() == count:
        print(f"Reusing the seeded database ({count:,} verdicts).")
        return
    if workspace:
        # Verdicts protect their ratings, so they go first; the rest cascades.
        Verdict.objects.filter(claim__workspace=workspace).delete()
        workspace.delete()
        User.objects.filter(username__startswith="bench-").delete()
    started = time.perf_counter()
    workspace = Workspace.objects.create(
        name="Bench Desk",
        slug="bench",
        organisation_name="Bench Fact Check",
        organisation_url="https://bench.example.org/",
    )
    workspace.install_default_ratings()
    ratings = list(workspace.ratings.all())
    users = User.objects.bulk_create(
        User(username=f"bench-{workspace.pk}-{i}", first_name=f"Checker {i}") for i in range(50)
    )
    sentences = [
        f"Sentence {i}: the council said the bridge cost ${i * 3 + 7} million, "
        f'«twice» the budget — وقال الوزير 中文 🧐, with a "quote", a comma; and =SUM(A{i}).'
        for i in range(CLAIMS_PER_ARTICLE)
    ]
    body = "\n".join(sentences)
    offsets, start = [], 0
    for sentence in sentences:
        offsets.append((start, start + len(sentence)))
        start += len(sentence) + 1
    now = timezone.now()
    article_count = -(-count // CLAIMS_PER_ARTICLE)
    for first in range(0, article_count, BATCH // CLAIMS_PER_ARTICLE):
        last = min(article_count, first + BATCH // CLAIMS_PER_ARTICLE)
        articles = Article.objects.bulk_create(
            Article(
                workspace=workspace,
                title=f"Bench article {n}",
                body=body,
                source_url=f"https://news.example.org/bench/{n}",
                outlet="The Bench Times",
                author="Jane Reporter",
                published_date=datetime.date(2025, 3, 10),
                extraction_status="done",
            )
            for n in range(first, last)
        )
        claims = Claim.objects.bulk_create(
            Claim(
                workspace=workspace,
                article=article,
                start=s,
                end=e,
                text=body[s:e],
                status="in_review",
                assignee=users[(article.pk + s) % len(users)],
            )
            for article in articles
            for s, e in offsets
        )[: count - first * CLAIMS_PER_ARTICLE]
        verdicts = Verdict.objects.bulk_create(
            _verdict(i + first * CLAIMS_PER_ARTICLE, claim, ratings, users, now)
            for i, claim in enumerate(claims)
        )
        Source.objects.bulk_create(
            Source(
                claim=claim,
                url=f"https://stats.example.org/{claim.pk}/{k}",
                title="Official statistics, table 4",
                publisher="Statistics Office",
                excerpt="The figure was 3.9 percent.",
                stance=stance,
            )
            for claim in claims
            for k, stance in enumerate(["supports", "refutes"])
        )
        Correction.objects.bulk_create(
            Correction(verdict=v, reason="A second source.", created_at=now)
            for v in verdicts
            if v.pk % 10 == 0
        )
        if sys.stdout.isatty():
            print(f"  seeded {min(count, last * CLAIMS_PER_ARTICLE):,} verdicts", end="\r")
    print(f"Seeded {count:,} verdicts in {time.perf_counter() - started:.1f} s.")


def _verdict(i, claim, ratings, users, now):
    from claims.models import Verdict

    author, approver = users[i % len(users)], users[(i + 1) % len(users)]
    status = ["published"] * 7 + ["submitted"] * 2 + ["draft"]
    status = status[i % 10]
    published = status == "published"
    return Verdict(
        claim=claim,
        rating=ratings[i % len(ratings)] if status != "draft" else None,
        summary=f"Verdict {i}: close to the official figure, but +2 points off.",
        explanation="The ministry reported 3.9 percent.\n" * 20,
        status=status,
        author=author,
        approved_by=approver if published else None,
        approved_at=now if published else None,
        published_at=now if published else None,
    )


# --- Measuring ------------------------------------------------------------------------------


def measure(fmt: str, rows: int, traced: bool) -> dict:
    """Export `rows` verdicts to /dev/null through export_response; time and memory."""
    from claims.exports import export_response, workspace_verdicts
    from claims.models import Workspace

    workspace = Workspace.objects.get(slug="bench")

    def run(limit):
        queryset = workspace_verdicts(workspace).order_by("pk")[:limit]
        response = export_response(queryset, fmt, "bench")
        written = 0
        with open(os.devnull, "wb") as sink:
            for piece in response:
                sink.write(piece)
                written += len(piece)
        response.close()
        return written

    run(50)  # imports, connection, first queries: not what we measure
    baseline = _reset_peak_rss()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    written = run(rows)
    seconds = time.perf_counter() - started
    result = {
        "format": fmt,
        "rows": rows,
        "seconds": seconds,
        "bytes": written,
        "baseline_rss_kib": baseline,
        "peak_rss_kib": _memory_status()["VmHWM"],
    }
    if traced:
        result["traced_peak_kib"] = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.stop()
    return result


def _memory_status() -> dict:
    """Resident memory now (VmRSS) and at its highest (VmHWM), in KiB, from /proc."""
    with open("/proc/self/status") as status:
        lines = [line.split() for line in status if line.startswith(("VmRSS:", "VmHWM:"))]
    return {name.rstrip(":"): int(kib) for name, kib, _ in lines}


def _reset_peak_rss() -> int:
    """Start the peak afresh at the current RSS (ru_maxrss cannot: it even survives exec)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _memory_status()["VmRSS"]


def measure_in_child(env: dict, fmt: str, rows: int, traced: bool) -> dict:
    args = [sys.executable, __file__, "--child", fmt, "--rows", str(rows)]
    if traced:
        args.append("--traced")
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"Measuring {fmt} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=int, default=100_000)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=FORMATS)
    parser.add_argument("--reseed", action="store_true", help="Drop and seed the data again.")
    parser.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--traced",
        action="store_true",
        help="Also measure Python's peak allocation with tracemalloc (a second, slower run).",
    )
    args = parser.parse_args()

    if args.child:
        setup_django({})
        print(json.dumps(measure(args.child, args.rows, args.traced)))
        return

    env = bench_environment(reseed_postgres=args.reseed)
    if args.reseed and "SQLITE_PATH" in env:
        SQLITE_FILE.unlink(missing_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    setup_django(env)
    from django.db import connection

    seed(args.verdicts)
    connection.close()
    engine = "PostgreSQL" if "DATABASE_URL" in env else "SQLite"
    small = max(1, args.verdicts // 10)
    print(f"\nExport to /dev/null on {engine} via export_response. RSS is the process's")
    print("resident memory before the export and its peak during it: flat memory shows as the")
    print(f"same peak for {small:,} rows as for {args.verdicts:,}.")
    header = (
        f"{'format':<12}{'rows':>9}{'seconds':>9}{'rows/s':>9}{'MiB out':>9}"
        f"{'RSS MiB before':>16}{'peak':>7}"
    )
    print(header + (f"{'traced peak MiB':>17}" if args.traced else ""))
    for fmt in args.formats:
        for rows in (small, args.verdicts):
            timed = measure_in_child(env, fmt, rows, traced=False)
            line = (
                f"{fmt:<12}{rows:>9,}{timed['seconds']:>9.1f}"
                f"{rows / timed['seconds']:>9,.0f}{timed['bytes'] / 2**20:>9.1f}"
                f"{timed['baseline_rss_kib'] / 1024:>16.0f}{timed['peak_rss_kib'] / 1024:>7.0f}"
            )
            if args.traced:
                traced = measure_in_child(env, fmt, rows, traced=True)
                line += f"{traced['traced_peak_kib'] / 1024:>17.1f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
