"""Celery tasks: thin wrappers that fetch by id and call the services.

Tasks receive ids only, are enqueued after commit, and are safe to run twice.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction

from claims import services
from claims.models import Article

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def extract_article(self, article_id: int) -> None:
    """Extract the claims of one article.

    Redelivered if the worker dies mid-task (acks_late + reject_on_worker_lost); the unique
    span constraint makes the second run add nothing. A deleted article is not an error.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update(skip_locked=True).filter(pk=article_id).first()
        if article is None or article.extraction_status == Article.Status.DONE:
            return
        article.extraction_status = Article.Status.RUNNING
        article.extraction_attempts += 1
        article.save(update_fields=["extraction_status", "extraction_attempts", "updated_at"])
    try:
        services.extract_claims(article)
    except SoftTimeLimitExceeded:
        services.fail_extraction(article, "Extraction took too long and was stopped.")
    except Exception:
        logger.exception("Extraction of article %s failed", article_id)
        services.fail_extraction(article, "Extraction failed unexpectedly. Try again.")
        raise
