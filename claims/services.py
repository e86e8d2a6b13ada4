"""Workflows that touch several models and have side effects (ingest, extraction).

One write path shared by views, tasks and management commands. Functions take keyword
arguments and say in their docstring what they enqueue or send.
"""

import datetime
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from claims import broker_status, matching
from claims.ingest.text import title_without_outlet
from claims.models import (
    Activity,
    Article,
    ArticleUpload,
    Claim,
    SentencePage,
    User,
    Workspace,
    text_fingerprint,
    web_url,
)

if TYPE_CHECKING:
    from claims.ingest.text import ExtractedArticle

logger = logging.getLogger(__name__)


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
    upload: ArticleUpload | None = None,
) -> Article:
    """Save a new article and enqueue its claim extraction once the transaction commits.

    Raises DuplicateArticle when the workspace already holds the same URL or the same text,
    so the caller can point the user at it instead of silently creating a second copy.
    `upload` (an unsaved ArticleUpload) is saved with the article, for the worker to parse.
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
            if upload is not None:
                upload.article = article
                upload.save()
            Activity.record(
                Activity.Verb.ARTICLE_SUBMITTED,
                workspace_id=workspace.pk,
                actor=submitted_by,
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
    """Queue the article's extraction after the current transaction commits (if any).

    If the broker is down the article simply stays "queued": the submission must not fail,
    and the periodic sweep (tasks.sweep_stuck_articles) sends it once the broker is back.
    """
    from claims.tasks import extract_article

    def send():
        try:
            extract_article.delay(article.pk)
        except OperationalError:
            logger.warning("Task queue unreachable; article %s waits for the sweep", article.pk)
            broker_status.mark_down()

    transaction.on_commit(send)


def stuck_articles() -> list[int]:
    """Ids of articles that nothing in the queue will process any more.

    - queued and never attempted for a while: the broker was down when they were saved;
    - queued after a transient failure for longer than the longest retry backoff: the retry
      was lost (Redis restarted without persistence);
    - running for longer than a task may run: the worker died and no redelivery came.
    """
    from django.conf import settings

    from claims.tasks import RETRY_MAX_SECONDS

    now = timezone.now()
    stuck = datetime.timedelta(seconds=settings.EXTRACTION_STUCK_AFTER_SECONDS)
    retry_lost = stuck + datetime.timedelta(seconds=RETRY_MAX_SECONDS * 1.25)
    ran_too_long = stuck + datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    queued = Article.Status.QUEUED
    return list(
        Article.objects.filter(
            Q(extraction_status=queued, extraction_attempts=0, updated_at__lt=now - stuck)
            | Q(extraction_status=queued, updated_at__lt=now - retry_lost)
            | Q(extraction_status=Article.Status.RUNNING, updated_at__lt=now - ran_too_long)
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:500]
    )


def extract_claims(article: Article) -> int:
    """Split the article into claims and store them; returns how many new claims were made.

    Safe to run any number of times: extraction is deterministic and a claim's span is unique
    per article, so a rerun (a retry, a redelivery after a killed worker) adds nothing.
    """
    from claims.attribution import suggestion_fields
    from claims.extraction import MODEL_VERSION, extract_candidates

    threshold = Workspace.objects.values_list("claim_threshold", flat=True).get(
        pk=article.workspace_id
    )
    sentences = extract_candidates(article.body, threshold=threshold, include_all=True)
    candidates = [c for c in sentences if c.checkworthy]
    # The sentence before each, for "..., he said" (who made a claim: claims/attribution.py).
    preceding = {c.start: sentences[i - 1].text for i, c in enumerate(sentences) if i}
    # Embeddings and each claim's best earlier match (claims/matching.py).
    matched = matching.claim_fields(article.workspace_id, [c.text for c in candidates])
    claims = [
        Claim(
            workspace_id=article.workspace_id,
            article=article,
            text=c.text,
            start=c.start,
            end=c.end,
            score=round(c.score, 6),
            origin=Claim.Origin.EXTRACTED,
            cues=list(c.cues),
            needs_context=c.needs_context,
            **suggestion_fields(c.text, preceding.get(c.start, "")),
            **fields,
        )
        for c, fields in zip(candidates, matched, strict=True)
    ]
    with transaction.atomic():
        before = article.claims.count()
        Claim.objects.bulk_create(claims, ignore_conflicts=True, batch_size=500)
        created = article.claims.count() - before
        store_sentences(article, sentences)
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
        Activity.record(
            Activity.Verb.EXTRACTION_FINISHED,
            workspace_id=article.workspace_id,
            actor=None,
            article=article,
            detail={"claims": len(claims), "new": created},
        )
    return created


def store_sentences(article: Article, sentences) -> None:
    """Keep every sentence's span and score for the sentences page, in SentencePage pages.

    `sentences` are extraction candidates (include_all). Replaces what was stored before.
    """
    spans = sorted([c.start, c.end, round(c.score, 4)] for c in sentences)
    size = SentencePage.SIZE
    pages = [
        SentencePage(article=article, number=index // size + 1, spans=spans[index : index + size])
        for index in range(0, len(spans), size)
    ]
    with transaction.atomic():
        SentencePage.objects.filter(article=article).delete()
        SentencePage.objects.bulk_create(pages, batch_size=100)


def request_sentences(article: Article) -> None:
    """Ask the worker to store the sentences of an article extracted before they were kept.

    Asked at most once every few minutes per article, however often its page is opened.
    """
    from django.core.cache import cache

    from claims.tasks import list_article_sentences

    if not cache.add(f"sentences-requested:{article.pk}", True, timeout=300):
        return
    try:
        list_article_sentences.delay(article.pk)
    except OperationalError:
        logger.warning("Task queue unreachable; sentences of article %s wait", article.pk)
        broker_status.mark_down()
        cache.delete(f"sentences-requested:{article.pk}")


def list_sentences(article: Article) -> None:
    """Store the sentences of an article extracted before they were kept (called by a task)."""
    from claims.extraction import extract_candidates

    if article.sentence_pages.exists() or not article.body:
        return
    store_sentences(article, extract_candidates(article.body, include_all=True))


def start_extraction(article_id: int) -> Article | None:
    """Claim the article for this run, or None when there is nothing to do.

    A row lock skips an article another worker is processing right now; an article that is
    done, failed (waiting for a person to retry) or deleted is left alone.
    """
    with transaction.atomic():
        article = (
            Article.objects.select_for_update(skip_locked=True)
            .filter(
                pk=article_id,
                extraction_status__in=[Article.Status.QUEUED, Article.Status.RUNNING],
            )
            .first()
        )
        if article is None:
            return None
        article.extraction_status = Article.Status.RUNNING
        article.extraction_attempts += 1
        article.save(update_fields=["extraction_status", "extraction_attempts", "updated_at"])
    return article


def requeue_extraction(article: Article, note: str) -> None:
    """Back to the queue after a transient failure; the note tells the user why it waits."""
    article.extraction_status = Article.Status.QUEUED
    article.extraction_error = note
    article.save(update_fields=["extraction_status", "extraction_error", "updated_at"])


def retry_extraction(article: Article) -> bool:
    """A person asks to try a failed article again. False if it was not failed."""
    updated = Article.objects.filter(pk=article.pk, extraction_status=Article.Status.FAILED).update(
        extraction_status=Article.Status.QUEUED, extraction_error=""
    )
    if updated:
        enqueue_extraction(article)
    return bool(updated)


def fail_extraction(article: Article, reason: str) -> None:
    """Mark the article failed with a reason a fact-checker can read; they can retry it."""
    with transaction.atomic():
        article.extraction_status = Article.Status.FAILED
        article.extraction_error = reason
        article.save(update_fields=["extraction_status", "extraction_error", "updated_at"])
        Activity.record(
            Activity.Verb.EXTRACTION_FAILED,
            workspace_id=article.workspace_id,
            actor=None,
            article=article,
            detail={"reason": reason},
        )


def submit_upload(*, workspace: Workspace, submitted_by: User | None, upload, details: dict):
    """Save an uploaded file with a new article; the worker parses it (read_upload).

    Only what costs nothing is checked here (size, type by name, not empty), so the request
    answers at once whatever the file holds. The details the user typed are shown on the
    article straight away and win over the file's own metadata later. Raises IngestError.
    """
    from django.conf import settings

    from claims.ingest.files import check_upload

    name = upload.name[:255]
    check_upload(name, upload.size, max_bytes=settings.UPLOAD_MAX_BYTES)
    typed = {key: details.get(key) or "" for key in ("title", "outlet", "author")}
    published = details.get("published_date")
    return submit_article(
        workspace=workspace,
        submitted_by=submitted_by,
        origin=Article.Origin.UPLOAD,
        **typed,
        published_date=published,
        original_filename=name,
        upload=ArticleUpload(
            data=upload.read(),
            filename=name,
            details={**typed, "published_date": published.isoformat() if published else ""},
        ),
    )


def read_upload(article: Article) -> None:
    """Parse an uploaded article's file in the sandbox and store its text (called by the task).

    The file is deleted once its text is stored. Raises IngestError when it can't be read
    (the file is kept, so Retry can try again) or has the text of another article.
    """
    from django.conf import settings

    from claims.ingest.sandbox import ParseLimits, extract_file_sandboxed
    from claims.ingest.text import IngestError

    upload = ArticleUpload.objects.filter(article=article).first()
    if upload is None:
        raise IngestError("The uploaded file is no longer here. Upload it again.")
    limits = ParseLimits(
        max_bytes=settings.UPLOAD_MAX_BYTES,
        memory_bytes=settings.UPLOAD_PARSE_MEMORY_BYTES,
        seconds=settings.UPLOAD_PARSE_SECONDS,
    )
    extracted = extract_file_sandboxed(bytes(upload.data), upload.filename, limits=limits)
    # What the user typed wins over what the file says about itself.
    typed = upload.details
    for field in ("title", "outlet", "author"):
        setattr(extracted, field, typed.get(field) or getattr(extracted, field))
    if typed.get("published_date"):
        extracted.published = datetime.date.fromisoformat(typed["published_date"])
    with transaction.atomic():
        duplicate = _store_text(article, extracted)
        upload.delete()
    if duplicate:
        raise IngestError(
            f"This file has the same text as “{duplicate}”, already in the workspace."
        )


def fetch_article_text(article: Article) -> None:
    """Fetch a URL article's page and store its text and metadata (called by the task).

    Raises TransientFetchError for failures worth retrying and IngestError for the rest.
    """
    from django.conf import settings

    from claims.ingest.fetch import extract_url
    from claims.ingest.text import IngestError

    extracted = extract_url(
        article.source_url,
        max_bytes=settings.FETCH_MAX_BYTES,
        connect_timeout=settings.FETCH_CONNECT_TIMEOUT,
        total_timeout=settings.FETCH_TOTAL_TIMEOUT,
        allow_private=settings.FETCH_ALLOW_PRIVATE_ADDRESSES,
    )
    duplicate = _store_text(article, extracted)
    if duplicate:
        raise IngestError(
            f"This page has the same text as “{duplicate}”, already in the workspace."
        )


def refuse_stored_duplicate(article: Article) -> None:
    """Raise IngestError while another article of the workspace has the text the worker
    stored for this one: Retry after "same text as ..." must not make a second copy (once
    the other article is deleted, Retry goes on to find the claims)."""
    from claims.ingest.text import IngestError

    duplicate = article.duplicates().first()
    if duplicate:
        raise IngestError(
            f"This article has the same text as “{duplicate}”, already in the workspace."
        )


def _store_text(article: Article, extracted: "ExtractedArticle") -> Article | None:
    """Save text the worker read, filling only the details the article lacks; returns another
    article of the workspace with the same text, if there is one."""
    article.body = extracted.text
    article.fingerprint = text_fingerprint(article.body)
    duplicate = (
        article.workspace.articles.filter(fingerprint=article.fingerprint)
        .exclude(pk=article.pk)
        .first()
    )
    article.outlet = article.outlet or extracted.outlet[:200]
    article.author = article.author or extracted.author[:300]
    article.published_date = article.published_date or extracted.published
    # An uploaded page's own address (its canonical link), unless another article has it.
    address = _page_address(article, extracted.url)
    article.source_url = article.source_url or address
    host = urlsplit(article.source_url).hostname or ""
    # The title as read, less the outlet's name the site appended (" | DW | 19.01.2020").
    read_title = title_without_outlet(extracted.title, article.outlet, extracted.outlet, host)
    article.title = article.title or read_title[:500]
    fields = ["body", "fingerprint", "title", "outlet", "author", "published_date"]
    try:
        with transaction.atomic():
            article.save(update_fields=[*fields, "source_url", "updated_at"])
    except IntegrityError:
        # Another article took the address a moment ago: keep the text, leave the address.
        article.source_url = ""
        article.save(update_fields=[*fields, "source_url", "updated_at"])
    return duplicate


def _page_address(article: Article, url: str) -> str:
    """`url` as the article's address: a valid http(s) URL no other article of the workspace
    has; else ""."""
    if article.source_url or not web_url(url) or len(url) > 2000:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    taken = article.workspace.articles.filter(source_url=url).exclude(pk=article.pk).exists()
    return "" if taken else url


def add_manual_claim(*, article: Article, user: User, start: int, end: int) -> tuple[Claim, bool]:
    """Make body[start:end] a claim by hand; returns (claim, created).

    The span is scored like extracted sentences so it sorts among them in the queue.
    """
    from claims.attribution import suggestion_fields
    from claims.extraction import score_sentences
    from claims.extraction.cues import cues, needs_context

    existing = article.claims.filter(start=start, end=end).first()
    if existing:
        return existing, False
    [score] = score_sentences([article.body[start:end]])
    [matched] = matching.claim_fields(article.workspace_id, [article.body[start:end]])
    try:
        with transaction.atomic():
            claim = article.add_claim(
                start=start,
                end=end,
                score=round(score, 6),
                origin=Claim.Origin.MANUAL,
                created_by=user,
                cues=cues(article.body[start:end]),
                needs_context=needs_context(article.body[start:end]),
                **suggestion_fields(
                    article.body[start:end], Claim(start=start).preceding_sentence(article.body)
                ),
                **matched,
            )
            Activity.record(
                Activity.Verb.CLAIM_CREATED,
                workspace_id=article.workspace_id,
                actor=user,
                claim=claim,
            )
    except IntegrityError:
        # Someone made the same claim a moment ago.
        return article.claims.get(start=start, end=end), False
    return claim, True
