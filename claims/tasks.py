"""Celery tasks: thin wrappers that fetch by id and call the services.

Tasks receive ids only, are enqueued after commit, and are safe to run twice.
"""

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from claims import services
from claims.ingest.fetch import TransientFetchError
from claims.ingest.text import IngestError

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 10
RETRY_MAX_SECONDS = 600


def retry_delay(retries: int) -> float:
    """Exponential backoff with jitter, so a flapping site is not hammered in lock-step."""
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries) * random.uniform(0.75, 1.25)  # noqa: S311


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def extract_article(self, article_id: int) -> None:
    """Fetch (for URL articles) and split one article into claims.

    Redelivered if the worker dies mid-task (acks_late + reject_on_worker_lost); the unique
    span constraint makes a second run add nothing, and a finished article is skipped.
    Network hiccups (timeouts, refused connections, 5xx) are retried with backoff; anything
    else marks the article failed with a reason the user can read, and a retry button.
    """
    article = services.start_extraction(article_id)
    if article is None:
        return
    try:
        if not article.body:
            services.fetch_article_text(article)
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
