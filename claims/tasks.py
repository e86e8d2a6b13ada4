"""Celery tasks: thin wrappers that fetch by id and call the services.

Tasks receive ids only, are enqueued after commit, and are safe to run twice.
"""

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from claims import services
from claims.ingest.fetch import TransientFetchError
from claims.ingest.text import IngestError
from claims.models import Article
from claims.ratelimit import Slot, take_slot

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 10
RETRY_MAX_SECONDS = 600
# How long a URL article waits before asking again for one of its workspace's fetch places.
FETCH_WAIT_SECONDS = 5


def retry_delay(retries: int) -> float:
    """Exponential backoff with jitter, so a flapping site is not hammered in lock-step."""
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries) * random.uniform(0.75, 1.25)  # noqa: S311


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def extract_article(self, article_id: int) -> None:
    """Read (uploads: parse the file; URL articles: fetch the page) and split one article
    into claims.

    Redelivered if the worker dies mid-task (acks_late + reject_on_worker_lost); the unique
    span constraint makes a second run add nothing, and a finished article is skipped.
    Network hiccups (timeouts, refused connections, 5xx) are retried with backoff; anything
    else marks the article failed with a reason the user can read, and a retry button.
    """
    article = services.start_extraction(article_id)
    if article is None:
        return
    try:
        if not article.body and article.origin == Article.Origin.UPLOAD:
            services.read_upload(article)
        elif not article.body:
            slot = _fetch_slot(self, article)
            if slot is None:
                return  # sent again in a few seconds
            try:
                services.fetch_article_text(article)
            finally:
                slot.release()
        elif article.origin != Article.Origin.PASTED:
            # Retried after the worker stored the file's or page's text: still not a copy.
            services.refuse_stored_duplicate(article)
        services.extract_claims(article)
    except TransientFetchError as exc:
        if self.request.is_eager:
            # In-process (no broker): a delayed retry would hold up the request, so hand the
            # decision to the person, who has a Retry button.
            services.fail_extraction(article, f"{exc} Use Retry to try again.")
            return
        if self.request.retries >= self.max_retries:
            services.fail_extraction(article, f"{exc} We gave up after several tries.")
            return
        services.requeue_extraction(article, f"{exc} Trying again shortly.")
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from None
    except IngestError as exc:
        services.fail_extraction(article, str(exc))
    except SoftTimeLimitExceeded:
        services.fail_extraction(article, "Extraction took too long and was stopped.")
    except Exception:
        logger.exception("Extraction of article %s failed", article_id)
        services.fail_extraction(article, "Extraction failed unexpectedly. Try again.")
        raise


def _fetch_slot(task, article) -> Slot | None:
    """A place among the workspace's concurrent page fetches (FETCH_CONCURRENCY_PER_WORKSPACE).

    When all are taken, the article goes back to "queued" with a note and this task is sent
    again with a countdown, None is returned, and the worker moves on: one workspace's slow
    pages can hold at most that many workers, never all of them. In-process (no broker) there
    is one fetch per request anyway.
    """
    if task.request.is_eager:
        return Slot(None, "")
    slot = take_slot(
        f"fetch:{article.workspace_id}",
        limit=settings.FETCH_CONCURRENCY_PER_WORKSPACE,
        # Longer than a fetch can last; frees the place of a worker killed mid-fetch.
        hold_seconds=settings.FETCH_CONNECT_TIMEOUT + settings.FETCH_TOTAL_TIMEOUT + 30,
    )
    if slot is None:
        services.requeue_extraction(
            article, "Waiting: other pages of this workspace are being fetched."
        )
        countdown = FETCH_WAIT_SECONDS * random.uniform(0.75, 1.25)  # noqa: S311
        extract_article.apply_async((article.pk,), countdown=countdown)
    return slot


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_report_pdf(article_id: int) -> None:
    """Build the PDF of an article's verdict report that a member asked for.

    Redelivered if the worker dies; a PDF already built (or no longer asked for) is skipped,
    so a second run costs nothing. A failure is shown on the report page with a retry button.
    """
    from claims import reports

    try:
        reports.build_pdf(article_id)
    except SoftTimeLimitExceeded:
        reports.fail_pdf(article_id, "Building the PDF took too long and was stopped.")
    except Exception:
        logger.exception("PDF report of article %s failed", article_id)
        reports.fail_pdf(article_id, "Building the PDF failed unexpectedly. Try again.")
        raise


@shared_task(ignore_result=True)
def list_article_sentences(article_id: int) -> None:
    """Store the sentence list of an article extracted before sentences were kept.

    Asked for by its sentences page; does nothing when they are there already (or the
    article is gone), so running it twice is harmless.
    """
    article = Article.objects.filter(pk=article_id).first()
    if article is not None:
        services.list_sentences(article)


@shared_task(ignore_result=True)
def sweep_stuck_articles() -> int:
    """Re-send extraction for articles that waited too long; returns how many.

    Catches what the queue cannot: an article saved while Redis was down (never sent), and
    one whose worker died so long ago that no redelivery is coming. Re-sending is harmless:
    the task skips finished articles and the unique span constraint prevents duplicates.
    """
    articles = services.stuck_articles()
    for article_id in articles:
        extract_article.delay(article_id)
    if articles:
        logger.info("Re-sent extraction for %d stuck articles", len(articles))
    return len(articles)


@shared_task(ignore_result=True)
def deliver_invitation(invitation_id: int) -> None:
    """Send one invitation's e-mail (and in-app notice). In the worker, so the inviter's
    request does the same work whether or not an account answers to what they typed.

    Running it twice sends a second e-mail with a fresh link (the first stops working); an
    invitation accepted, withdrawn, declined or expired meanwhile is not sent.
    """
    from claims import members

    members.deliver_invitation(invitation_id)
