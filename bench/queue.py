"""Queue benchmark: server time of the queue and claim pages with 100,000 claims.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/queue.py

Creates a scratch database `factcheck_bench_queue` on that PostgreSQL server (SQLite file
when DATABASE_URL is unset), seeds one workspace with 20 members, 2,000 articles and
100,000 claims (a fifth assigned, some with verdicts and due dates), then times requests
through Django's full request stack in this process (no network): median and p95 over
repeated requests. Prints its figures; asserts nothing.
"""

import sys
from pathlib import Path

# This script shares its name with the standard library's `queue`, which psycopg imports:
# keep bench/ off the import path so `import queue` finds the real one.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

BENCH_DB = "factcheck_bench_queue"

WORDS = (
    "the council said budget rose fell percent million billion report data ministry year "
    "police crime rate unemployment inflation exports bridge school hospital tax wages rent "
    "election votes survey migrants border study health vaccine energy price oil climate"
).split()


def configure() -> None:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(base)._replace(path=f"/{BENCH_DB}"))
    else:
        path = ROOT / f"{BENCH_DB}.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    os.environ.pop("REDIS_URL", None)  # seeding must not enqueue extraction
    # Measure as production runs: DEBUG off (no template debug data, cached templates).
    os.environ.update(
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-bench-only-secret-key-bench-only-0000",
        ALLOWED_HOSTS="localhost",
        SECURE_SSL_REDIRECT="0",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


# A rarer word per article (like a place or a name), so a search can be selective.
SYLLABLES = ["ka", "lo", "mi", "re", "zu", "ta", "vo", "ne", "shi", "ra"]
TOPICS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES][:400]


def sentence(rng: random.Random, i: int, topic: str) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), topic)
    return f"{' '.join(words).capitalize()} {rng.randint(2, 99)} percent in {1990 + i % 35}."


def seed(claim_count: int, article_count: int, members: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from claims.models import Article, Claim, Membership, Rating, User, Verdict, Workspace

    rng = random.Random(42)
    workspace = Workspace.objects.create(name="Bench Desk", slug="bench")
    workspace.install_default_ratings()
    users = User.objects.bulk_create(
        User(username=f"member{i}", email=f"member{i}@example.org") for i in range(members)
    )
    Membership.objects.bulk_create(
        Membership(user=u, workspace=workspace, role="editor" if i < 3 else "reviewer")
        for i, u in enumerate(users)
    )
    per_article = claim_count // article_count
    articles, spans = [], []
    for a in range(article_count):
        topic = TOPICS[a % len(TOPICS)]
        sentences = [sentence(rng, a + s, topic) for s in range(per_article)]
        body, offsets = "", []
        for text in sentences:
            offsets.append((len(body), len(body) + len(text), text))
            body += text + " "
        articles.append(
            Article(
                workspace=workspace,
                title=f"Article {a}",
                body=body.strip(),
                fingerprint=f"{a:064d}",
                extraction_status="done",
            )
        )
        spans.append(offsets)
    Article.objects.bulk_create(articles, batch_size=500)
    today = timezone.localdate()
    claims = []
    for article, offsets in zip(articles, spans, strict=True):
        for start, end, text in offsets:
            assigned = rng.random() < 0.2
            claims.append(
                Claim(
                    workspace=workspace,
                    article=article,
                    text=text,
                    start=start,
                    end=end,
                    score=round(rng.random(), 4),
                    priority=rng.randint(1, 4),
                    assignee=rng.choice(users) if assigned else None,
                    status=rng.choice(["assigned", "researching"]) if assigned else "new",
                    due_date=today + timezone.timedelta(days=rng.randint(-5, 20))
                    if assigned
                    else None,
                )
            )
    Claim.objects.bulk_create(claims, batch_size=5000)
    rating = Rating.objects.get(workspace=workspace, label="False")
    working = Claim.objects.filter(workspace=workspace, assignee__isnull=False)
    Verdict.objects.bulk_create(
        Verdict(claim=c, rating=rating, summary="Not so.", author_id=c.assignee_id)
        for c in working[: claim_count // 10]
    )
    if connection.vendor == "postgresql":
        # What autovacuum does to a production database soon after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"workspace": workspace, "user": users[5], "claim": working.first()}


def timed(client, url, runs):
    client.get(url)  # warm caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    configure()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    data = seed(args.claims, args.articles, 20)
    print(
        f"Seeded {args.claims:,} claims in {args.articles:,} articles "
        f"on {connection.vendor} in {time.perf_counter() - started:.1f} s"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(data["user"])
    queue = reverse("claim_queue", args=["bench"])
    pages = {
        "queue, first page": queue,
        "queue, filtered (unassigned, high priority)": f"{queue}?assignee=unassigned&priority=4",
        f"queue, search a rare word ('{TOPICS[7]}')": f"{queue}?q={TOPICS[7]}",
        "queue, search common words ('unemployment inflation')": (
            f"{queue}?q=unemployment+inflation"
        ),
        "queue, deep page (page 1,500)": f"{queue}?status=all&page=1500",
        "my claims": reverse("my_claims", args=["bench"]),
        "claim page": data["claim"].get_absolute_url(),
    }
    print(f"\nServer time per request, {args.runs} runs each (ms):")
    print(f"  {'page':48} {'median':>8} {'p95':>8}")
    for name, url in pages.items():
        median, p95 = timed(client, url, args.runs)
        print(f"  {name:48} {median:8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
