"""Published verdicts and their surroundings, built the way the desk would leave them: a
published verdict has its public record frozen (claims/publication.py), as publishing does."""

import datetime
import itertools

from django.utils import timezone

from claims import publication
from claims.models import Article, Rating
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, UserFactory, VerdictFactory

PUBLISHED_AT = datetime.datetime(2025, 3, 14, 23, 30, tzinfo=datetime.UTC)
_numbers = itertools.count(1)


def rating(workspace, label: str) -> Rating:
    return workspace.ratings.get(label=label)


def article(workspace, **fields) -> Article:
    n = next(_numbers)
    defaults = {
        "title": f"Bridge costs doubled, says council ({n})",
        "source_url": f"https://news.example.org/2025/03/bridge-{n}",
        "author": "Jane Reporter",
        "published_date": datetime.date(2025, 3, 10),
    }
    return ArticleFactory(workspace=workspace, **(defaults | fields))


def verdict(workspace, *, status="published", rating_label="Mostly true", claim=None, **fields):
    """A verdict on a new claim; published ones carry an approver and dates, as the DB demands."""
    claim = claim or ClaimFactory(article=article(workspace), assignee=UserFactory())
    fields.setdefault("author", UserFactory())
    if status == "published":
        fields.setdefault("approved_by", UserFactory())
        fields.setdefault("approved_at", PUBLISHED_AT)
        fields.setdefault("published_at", PUBLISHED_AT)
    if "rating" not in fields:
        fields["rating"] = rating(workspace, rating_label) if rating_label else None
    made = VerdictFactory(claim=claim, status=status, **fields)
    if status == "published":
        publication.freeze(made)
    return made


def with_sources(verdict, count=2):
    """Sources for the verdict's claim; a published verdict's record is frozen again with them,
    as if they had been there at publication."""
    for stance in ["supports", "refutes", "context"][:count]:
        SourceFactory(claim=verdict.claim, stance=stance)
    if verdict.status == "published":
        publication.freeze(verdict)
    return verdict


def now():
    return timezone.now()
