"""Workflows that touch several models and have side effects (ingest, extraction).

One write path shared by views, tasks and management commands. Functions take keyword
arguments and say in their docstring what they enqueue or send.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import Activity, Article, Claim, User, Workspace, text_fingerprint


class DuplicateArticle(Exception):
    """The workspace already has this article; `existing` is it."""

    def __init__(self, existing: Article, reason: str):
        super().__init__(reason)
        self.existing = existing
        self.reason = reason


def find_duplicate(workspace: Workspace, *, body: str = "", source_url: str = "") -> Article | None:
    """An existing article of the workspace with the same URL or the same text, if any."""
    if source_url:
        found = workspace.articles.filter(source_url=source_url).first()
        if found:
            return found
    if body.strip():
        return workspace.articles.filter(fingerprint=text_fingerprint(body)).first()
    return None


def submit_article(
    *,
    workspace: Workspace,
    submitted_by: User | None,
    origin: str,
    body: str = "",
    title: str = "",
    source_url: str = "",
    outlet: str = "",
    author: str = "",
    published_date: datetime.date | None = None,
    original_filename: str = "",
) -> Article:
    """Save a new article and enqueue its claim extraction once the transaction commits.

    Raises DuplicateArticle when the workspace already holds the same URL or the same text,
    so the caller can point the user at it instead of silently creating a second copy.
    """
    existing = find_duplicate(workspace, body=body, source_url=source_url)
    if existing:
        reason = "same address" if source_url and existing.source_url == source_url else "same text"
        raise DuplicateArticle(existing, reason)
    try:
        with transaction.atomic():
            article = Article.objects.create(
                workspace=workspace,
                submitted_by=submitted_by,
                origin=origin,
                body=body,
                title=title,
                source_url=source_url,
                outlet=outlet,
                author=author,
                published_date=published_date,
                original_filename=original_filename,
            )
            Activity.objects.create(
                workspace=workspace,
                actor=submitted_by,
                verb=Activity.Verb.ARTICLE_SUBMITTED,
                article=article,
                detail={"origin": origin},
            )
    except IntegrityError:
        # Lost a race with someone submitting the same URL a moment earlier.
        existing = find_duplicate(workspace, source_url=source_url)
        if existing is None:
            raise
        raise DuplicateArticle(existing, "same address") from None
    enqueue_extraction(article)
    return article


def enqueue_extraction(article: Article) -> None:
    """Queue the article's extraction after the current transaction commits (if any)."""
    from claims.tasks import extract_article

    # robust: if the broker is down the article stays "queued" and the periodic sweep
    # re-enqueues it; the submission itself must not fail.
    transaction.on_commit(lambda: extract_article.delay(article.pk), robust=True)


def extract_claims(article: Article) -> int:
    """Split the article into claims and store them; returns how many new claims were made.

    Safe to run any number of times: extraction is deterministic and a claim's span is unique
    per article, so a rerun (a retry, a redelivery after a killed worker) adds nothing.
    """
    from claims.extraction import MODEL_VERSION, extract_candidates

    candidates = extract_candidates(article.body)
    claims = [
        Claim(
            workspace_id=article.workspace_id,
            article=article,
            text=c.text,
            start=c.start,
            end=c.end,
            score=round(c.score, 6),
            origin=Claim.Origin.EXTRACTED,
        )
        for c in candidates
    ]
    with transaction.atomic():
        before = article.claims.count()
        Claim.objects.bulk_create(claims, ignore_conflicts=True, batch_size=500)
        created = article.claims.count() - before
        article.extraction_status = Article.Status.DONE
        article.extraction_error = ""
        article.extracted_at = timezone.now()
        article.model_version = MODEL_VERSION
        article.save(
            update_fields=[
                "extraction_status",
                "extraction_error",
                "extracted_at",
                "model_version",
                "updated_at",
            ]
        )
        Activity.objects.create(
            workspace_id=article.workspace_id,
            verb=Activity.Verb.EXTRACTION_FINISHED,
            article=article,
            detail={"claims": len(claims), "new": created},
        )
    return created


def fail_extraction(article: Article, reason: str) -> None:
    """Mark the article failed with a reason a fact-checker can read; they can retry it."""
    with transaction.atomic():
        article.extraction_status = Article.Status.FAILED
        article.extraction_error = reason
        article.save(update_fields=["extraction_status", "extraction_error", "updated_at"])
        Activity.objects.create(
            workspace_id=article.workspace_id,
            verb=Activity.Verb.EXTRACTION_FAILED,
            article=article,
            detail={"reason": reason},
        )
