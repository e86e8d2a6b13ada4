"""Correcting the desk's data: an article's details, deleting an article or a comment.

What workspace admins used to do in the Django admin, now that it is for instance operators
only (claims/admin_site.py). One write path for views, commands and tests: each function checks
the actor's role (NotAllowed with a sentence to show them), changes the rows in one transaction
and records it in the activity log.

Rules:
- editors and admins correct an article's details; its text stays as it was ingested, since
  every claim is an offset into it;
- only admins delete an article, never one with a published verdict (published fact-checks
  stay: readers and ClaimReview consumers link to them);
- a comment is removed by its author or an admin; the log keeps who wrote it, not what.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from claims.desk import NotAllowed
from claims.models import Activity, Article, Comment, Membership, Verdict

# The details an editor may correct, in the order the form shows them.
DETAILS = ("title", "source_url", "outlet", "author", "published_date")


class DuplicateAddress(NotAllowed):
    """Another article of the workspace has this address; `existing` is it."""

    def __init__(self, existing: Article):
        super().__init__("Another article of this workspace has this address.")
        self.existing = existing


# How the history names each detail (the edit form's labels).
DETAIL_LABELS = {
    "title": "Title",
    "source_url": "Original address",
    "outlet": "Outlet",
    "author": "Author",
    "published_date": "Published date",
}


def details_of(article: Article) -> dict:
    return {name: getattr(article, name) for name in DETAILS}


@dataclass(frozen=True)
class DetailChange:
    label: str
    old: str
    new: str


def details_history(article: Article, *, limit: int = 20) -> list[Activity]:
    """The article's latest corrections (one query), newest first; each event's `changes`
    lists a DetailChange per field, in the form's order."""
    events = list(
        article.activity.filter(verb=Activity.Verb.ARTICLE_CORRECTED)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
    for event in events:
        logged = event.detail.get("changes", {})
        event.changes = [
            DetailChange(DETAIL_LABELS[name], *logged[name]) for name in DETAILS if name in logged
        ]
    return events


NO_TEXT_YET = "This article has no text yet: its details can be corrected once it has been read."


def correction_refusal(article: Article) -> str:
    """Why the article's details cannot be corrected now ("" when they can)."""
    # Without text, the worker is still to fetch or read it and fills in the details it finds.
    return "" if article.body else NO_TEXT_YET


def correct_article(
    *,
    membership: Membership,
    article: Article,
    title: str,
    source_url: str,
    outlet: str,
    author: str,
    published_date: datetime.date | None,
) -> dict:
    """An editor corrects the article's details; returns {field: (old, new)} of what changed.

    Raises NotAllowed (not an editor, no text yet, a fetched article losing its address) or
    DuplicateAddress. An article without text is refused because the worker that fetches or
    reads it writes the details it finds; once the text is in, nothing else writes them.
    """
    if not membership.is_editor:
        raise NotAllowed("Only an editor can correct an article's details.")
    if membership.workspace_id != article.workspace_id:
        raise NotAllowed("That article is not in this workspace.")
    if refusal := correction_refusal(article):
        raise NotAllowed(refusal)
    if article.origin == Article.Origin.URL and not source_url:
        raise NotAllowed("This article was fetched from its address: the address must stay.")
    new = {
        "title": title,
        "source_url": source_url,
        "outlet": outlet,
        "author": author,
        "published_date": published_date,
    }
    changes = {
        name: (_logged(getattr(article, name)), _logged(value))
        for name, value in new.items()
        if getattr(article, name) != value
    }
    if not changes:
        return {}
    if "source_url" in changes and source_url:
        _refuse_duplicate_address(article, source_url)
    try:
        with transaction.atomic():
            # Not updated_at: it dates the extraction state, which the stuck-article sweep reads.
            Article.objects.filter(pk=article.pk).update(**new)
            Activity.record(
                Activity.Verb.ARTICLE_CORRECTED,
                workspace_id=article.workspace_id,
                actor=membership.user,
                article=article,
                detail={"changes": changes},
            )
    except IntegrityError:
        # Someone gave another article this address a moment ago.
        _refuse_duplicate_address(article, source_url)
        raise
    for name, value in new.items():
        setattr(article, name, value)
    return changes


def _logged(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value or ""


def _refuse_duplicate_address(article: Article, source_url: str) -> None:
    existing = (
        Article.objects.filter(workspace_id=article.workspace_id, source_url=source_url)
        .exclude(pk=article.pk)
        .only("pk", "title", "source_url", "workspace__slug")
        .select_related("workspace")
        .first()
    )
    if existing:
        raise DuplicateAddress(existing)


# --- Deleting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeletionSummary:
    """What goes with an article when it is deleted."""

    claims: int
    verdicts: int
    published: int
    sources: int
    comments: int

    @property
    def refusal(self) -> str:
        """Why the article cannot be deleted ("" when it can)."""
        if not self.published:
            return ""
        some = (
            "a published verdict" if self.published == 1 else f"{self.published} published verdicts"
        )
        return (
            f"This article has {some}: published fact-checks stay, so it cannot be deleted. "
            "Correct the verdict instead if it is wrong."
        )


def deletion_summary(article: Article) -> DeletionSummary:
    """Counts of the claims, verdicts, sources and comments that go with the article (1 query)."""
    published = Q(verdict__status=Verdict.Status.PUBLISHED)
    counts = article.claims.aggregate(
        claims=Count("pk", distinct=True),
        verdicts=Count("verdict", distinct=True),
        published=Count("verdict", filter=published, distinct=True),
        sources=Count("sources", distinct=True),
        comments=Count("comments", distinct=True),
    )
    return DeletionSummary(**counts)


def delete_article(*, membership: Membership, article: Article) -> DeletionSummary:
    """A workspace admin deletes an article with its claims, verdicts, sources and comments.

    Refused (NotAllowed) while any of its verdicts is published. The verdicts are locked
    first (tests/faults/test_article_delete_race.py): an editor approving one at the same
    moment either commits first, and the deletion is refused, or waits and finds the verdict
    gone; a published verdict is never deleted. The article's own activity log goes with it;
    the deletion is logged on the workspace, naming the article.
    """
    if not membership.is_admin:
        raise NotAllowed("Only a workspace admin can delete an article.")
    if membership.workspace_id != article.workspace_id:
        raise NotAllowed("That article is not in this workspace.")
    with transaction.atomic():
        list(Verdict.objects.select_for_update().filter(claim__article=article).values("pk"))
        summary = deletion_summary(article)
        if summary.refusal:
            raise NotAllowed(summary.refusal)
        Activity.record(
            Activity.Verb.ARTICLE_DELETED,
            workspace_id=article.workspace_id,
            actor=membership.user,
            detail={
                "article": article.pk,
                "title": str(article)[:300],
                "claims": summary.claims,
                "verdicts": summary.verdicts,
            },
        )
        article.delete()
    return summary


def remove_comment(*, membership: Membership, comment: Comment) -> None:
    """The comment's author or a workspace admin removes it; the claim's history says so."""
    claim = comment.claim
    if membership.workspace_id != claim.workspace_id:
        raise NotAllowed("That comment is not in this workspace.")
    if not membership.can_remove_comment(comment):
        raise NotAllowed("Only the comment's author or a workspace admin can remove it.")
    with transaction.atomic():
        Activity.record(
            Activity.Verb.COMMENT_REMOVED,
            workspace_id=claim.workspace_id,
            actor=membership.user,
            claim=claim,
            # Who wrote it, not what: a comment is often removed for what it said.
            detail={"author": comment.author.username if comment.author else ""},
        )
        comment.delete()
