"""Seed the load test's scratch database: a busy workspace, bulk-created in about a minute.

Run by bench/load.py in its own process, with DJANGO_SETTINGS_MODULE and the scratch
DATABASE_URL in the environment (migrations already applied):

    .venv/bin/python bench/load_seed.py --plan PLAN.json --members 20

One workspace, `members` people (an admin, three editors, the rest reviewers; one password),
2,000 articles of 50 sentences, 100,000 claims. 20,000 claims carry a verdict: 60% drafts
(claim researching), 20% submitted (claim in review), 20% published (approved by an editor who
is not the author). 8,000 more are assigned without a verdict, 2,000 are dismissed, the rest are
new. Claims with a verdict have one to three sources; there are comments, an activity log and
notifications (60% read). Ends with VACUUM ANALYZE, as autovacuum would do soon after a bulk
load.

Writes PLAN.json: what the simulated reviewers work on (each one's own claims, with the
verdict version each draft is at), the rating ids, the search words and the export URLs the
app offers, if any.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on the path and bench/queue.py would shadow the
# standard `queue` that psycopg imports: the project root takes its place.
sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

SLUG = "bench-load"
PASSWORD = "bench-load-password-0451"
EDITORS = 4  # member 0 is the admin, members 1-3 editors
BATCH = 5000

WORDS = (
    "the council said budget rose fell percent million billion report data ministry year "
    "police crime rate unemployment inflation exports bridge school hospital tax wages rent "
    "election votes survey migrants border study health vaccine energy price oil climate"
).split()
# A rarer word per article (a place, a name), so some searches are selective.
SYLLABLES = ["ka", "lo", "mi", "re", "zu", "ta", "vo", "ne", "shi", "ra"]
TOPICS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES][:400]
STANCES = ["supports", "refutes", "context"]


def sentence(rng: random.Random, n: int, topic: str) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), topic)
    return f"{' '.join(words).capitalize()} {rng.randint(2, 99)} percent in {1990 + n % 35}."


class Laps:
    """Prints how long each step of the seeding took."""

    def __init__(self):
        self.last = time.perf_counter()

    def __call__(self, what: str) -> None:
        now = time.perf_counter()
        print(f"  {what}: {now - self.last:.1f} s", flush=True)
        self.last = now


def seed(*, members: int, articles: int, claims: int, verdicts: int) -> dict:
    """Fill the database; returns the plan for the simulated reviewers."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from claims.models import (
        Activity,
        Article,
        Claim,
        Comment,
        Membership,
        Notification,
        Source,
        User,
        Verdict,
        Workspace,
    )

    rng = random.Random(451)
    lap = Laps()
    now = timezone.now()
    today = timezone.localdate()
    workspace = Workspace.objects.create(
        name="Bench Load Desk",
        slug=SLUG,
        organisation_name="Bench Load Fact Check",
        organisation_url="https://bench-load.example.org/",
    )
    workspace.install_default_ratings()
    ratings = list(workspace.ratings.all())
    # One hash for everyone: PBKDF2 costs about half a second per password.
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=f"member{i:02d}",
            first_name=f"Checker {i}",
            email=f"member{i:02d}@bench-load.example.org",
            password=password,
        )
        for i in range(members)
    )
    roles = ["admin"] + ["editor"] * (EDITORS - 1) + ["reviewer"] * members
    Membership.objects.bulk_create(
        Membership(user=user, workspace=workspace, role=roles[i]) for i, user in enumerate(users)
    )
    editors = users[:EDITORS]

    per_article = claims // articles
    article_rows, spans = [], []
    for a in range(articles):
        topic = TOPICS[a % len(TOPICS)]
        body, offsets = "", []
        for s in range(per_article):
            text = sentence(rng, a + s, topic)
            offsets.append((len(body), len(body) + len(text), text))
            body += text + (" " if s % 5 else "\n")
        article_rows.append(
            Article(
                workspace=workspace,
                title=f"{topic.capitalize()}: article {a}",
                body=body.strip(),
                source_url=f"https://news.example.org/{a}",
                outlet="The Bench Times",
                fingerprint=f"{a:064d}",
                extraction_status="done",
                extracted_at=now,
            )
        )
        spans.append(offsets)
    Article.objects.bulk_create(article_rows, batch_size=500)
    lap("articles")

    # Which claims are in which state: drawn once, without overlap.
    total = per_article * articles
    order = list(range(total))
    rng.shuffle(order)
    drafts, submitted = int(verdicts * 0.6), int(verdicts * 0.2)
    published = verdicts - drafts - submitted
    fate = {}
    cursor = 0
    for state, count in [
        ("draft", drafts),
        ("submitted", submitted),
        ("published", published),
        ("assigned", 8 * verdicts // 20),
        ("dismissed", verdicts // 10),
    ]:
        for index in order[cursor : cursor + count]:
            fate[index] = state
        cursor += count
    claim_status = {
        "draft": "researching",
        "submitted": "in_review",
        "published": "published",
        "assigned": "assigned",
        "dismissed": "dismissed",
    }

    claim_rows = []
    index = 0
    for article, offsets in zip(article_rows, spans, strict=True):
        for start, end, text in offsets:
            state = fate.get(index, "new")
            assignee = rng.choice(users) if state not in ("new", "dismissed") else None
            claim_rows.append(
                Claim(
                    workspace=workspace,
                    article=article,
                    text=text,
                    start=start,
                    end=end,
                    score=round(rng.random(), 4),
                    priority=rng.choices([1, 2, 3, 4], weights=[2, 5, 2, 1])[0],
                    status=claim_status.get(state, "new"),
                    assignee=assignee,
                    due_date=today + datetime.timedelta(days=rng.randint(-5, 20))
                    if assignee
                    else None,
                    dismissed_reason="Opinion, not a checkable claim."
                    if state == "dismissed"
                    else "",
                )
            )
            index += 1
    Claim.objects.bulk_create(claim_rows, batch_size=BATCH)
    lap("claims")

    verdict_rows = []
    for index, claim in enumerate(claim_rows):
        state = fate.get(index)
        if state not in ("draft", "submitted", "published"):
            continue
        author = claim.assignee
        approver = None
        if state == "published":
            approver = rng.choice([e for e in editors if e.pk != author.pk])
        when = now - datetime.timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 1440))
        verdict_rows.append(
            Verdict(
                claim=claim,
                rating=rng.choice(ratings) if state != "draft" or rng.random() < 0.7 else None,
                summary=f"{rng.choice(['Close', 'Not so', 'Partly right'])}: "
                f"the figure was {rng.randint(2, 99)} percent.",
                explanation="The ministry's own table gives a different figure.\n" * 5,
                status=state,
                author=author,
                approved_by=approver,
                approved_at=when if approver else None,
                published_at=when if approver else None,
                version=rng.randint(1, 6) + (2 if approver else 0),
            )
        )
    Verdict.objects.bulk_create(verdict_rows, batch_size=BATCH)
    lap("verdicts")

    source_rows, comment_rows, activity_rows = [], [], []
    for verdict in verdict_rows:
        claim = verdict.claim
        for k in range(rng.randint(1, 3)):
            source_rows.append(
                Source(
                    claim=claim,
                    url=f"https://stats.example.org/{claim.pk}/{k}",
                    title="Official statistics, table 4",
                    publisher="Statistics Office",
                    excerpt="The figure was 3.9 percent.",
                    stance=rng.choice(STANCES),
                    added_by=claim.assignee,
                )
            )
        if rng.random() < 0.25:
            comment_rows.append(
                Comment(claim=claim, author=rng.choice(editors), body="Check the 2019 table too.")
            )
        for verb in ["claim_assigned", "source_added", "verdict_saved"]:
            activity_rows.append(
                Activity(
                    workspace=workspace,
                    actor=claim.assignee,
                    verb=verb,
                    article_id=claim.article_id,
                    claim=claim,
                    verdict=verdict if verb == "verdict_saved" else None,
                )
            )
    Source.objects.bulk_create(source_rows, batch_size=BATCH)
    Comment.objects.bulk_create(comment_rows, batch_size=BATCH)
    Activity.objects.bulk_create(activity_rows, batch_size=BATCH)
    lap("sources, comments, activity")

    # Per member: the claims they work on, and the draft verdicts they may save (a reviewer
    # cannot edit a submitted or published verdict). Assigned claims without a verdict start
    # at version 0: their first save creates the verdict.
    versions = {v.claim_id: v.version for v in verdict_rows if v.status == "draft"}
    plan_users = {u.pk: {"username": u.username, "working": [], "drafts": []} for u in users}
    for index, claim in enumerate(claim_rows):
        state = fate.get(index)
        if state in ("draft", "assigned"):
            mine = plan_users[claim.assignee_id]
            mine["working"].append(claim.pk)
            mine["drafts"].append([claim.pk, versions.get(claim.pk, 0)])
        elif state == "submitted":
            plan_users[claim.assignee_id]["working"].append(claim.pk)

    notification_rows = []
    for user in users:
        working = plan_users[user.pk]["working"]
        for pk in rng.sample(working, min(50, len(working))):
            notification_rows.append(
                Notification(
                    recipient=user,
                    workspace=workspace,
                    claim_id=pk,
                    message=f"{rng.choice(editors).first_name} assigned you a claim",
                    read_at=now if rng.random() < 0.6 else None,
                )
            )
    Notification.objects.bulk_create(notification_rows, batch_size=BATCH)
    lap("notifications")

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        lap("VACUUM ANALYZE")
    pks = [c.pk for c in claim_rows]
    return {
        "slug": SLUG,
        "password": PASSWORD,
        "users": list(plan_users.values()),
        "claim_pks": [min(pks), max(pks)],
        "pages": -(-total // 50),  # of the queue with status=all
        "ratings": [r.pk for r in ratings],
        "words": WORDS,
        "rare_words": TOPICS,
        "counts": {
            "members": len(users),
            "articles": len(article_rows),
            "claims": len(claim_rows),
            "verdicts": len(verdict_rows),
            "sources": len(source_rows),
            "comments": len(comment_rows),
            "activity": len(activity_rows),
            "notifications": len(notification_rows),
        },
    }


def export_urls(slug: str) -> list[dict]:
    """The app's export URLs for one workspace, if it has any (URL names containing 'export').

    Tried with the arguments an export URL plausibly takes; the load test probes each one and
    keeps the first that answers with CSV.
    """
    from django.urls import NoReverseMatch, get_resolver, reverse

    names = sorted(
        {name for name in get_resolver().reverse_dict if isinstance(name, str)},
    )
    found = []
    for name in names:
        if "export" not in name:
            continue
        for kwargs in (
            {"slug": slug, "fmt": "csv"},
            {"slug": slug, "format": "csv"},
            {"slug": slug, "extension": "csv"},
            {"slug": slug},
        ):
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            found.append({"name": name, "url": url, "format_in_path": len(kwargs) > 1})
            break
        else:
            found.append({"name": name, "url": None, "format_in_path": False})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", required=True, type=Path, help="where to write the plan")
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--verdicts", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    started = time.perf_counter()
    plan = seed(
        members=args.members, articles=args.articles, claims=args.claims, verdicts=args.verdicts
    )
    plan["exports"] = export_urls(plan["slug"])
    plan["seed_seconds"] = round(time.perf_counter() - started, 1)
    args.plan.write_text(json.dumps(plan))


if __name__ == "__main__":
    main()
