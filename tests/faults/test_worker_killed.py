"""A worker SIGKILLed mid-extraction: the next worker finishes the article, claims once."""

from pathlib import Path

import pytest

from claims import services
from claims.extraction import extract_candidates
from claims.models import Article
from tests.conftest import Worker, purge_queue, require_services, wait_until

SAMPLE = Path(__file__).resolve().parents[2] / "claims/demo/venezuela-deportations.txt"

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def long_article_text() -> str:
    """About 400 KB of news prose: several seconds of extraction, time enough to kill."""
    sample = SAMPLE.read_text(encoding="utf-8")
    return "\n\n".join(f"Edition {i}.\n{sample}" for i in range(100))


def test_killed_worker_leaves_claims_exactly_once(workspace, tmp_path):
    require_services()
    purge_queue()
    # Short redelivery window so the test need not wait the production default.
    env = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_RESTORE_INTERVAL": "1"}
    first = Worker(tmp_path / "first.log", **env).wait_ready()
    body = long_article_text()
    try:
        article = services.submit_article(
            workspace=workspace, submitted_by=None, origin="pasted", body=body
        )

        def running():
            article.refresh_from_db()
            return article.extraction_status == Article.Status.RUNNING

        wait_until(running, timeout=30, interval=0.05, message="extraction to start")
        first.kill()
    finally:
        first.stop()
    article.refresh_from_db()
    assert article.extraction_status == Article.Status.RUNNING  # died mid-task
    assert article.claims.count() == 0  # claims are saved in one transaction at the end

    second = Worker(tmp_path / "second.log", **env).wait_ready()
    try:

        def finished():
            article.refresh_from_db()
            return article.extraction_status in (Article.Status.DONE, Article.Status.FAILED)

        wait_until(finished, timeout=120, message="the second worker to finish the article")
    finally:
        second.stop()
    assert article.extraction_status == Article.Status.DONE, article.extraction_error
    assert article.extraction_attempts == 2
    threshold = article.workspace.claim_threshold  # what the task extracts with
    expected = {(c.start, c.end) for c in extract_candidates(body, threshold=threshold)}
    stored = list(article.claims.values_list("start", "end"))
    assert len(stored) == len(set(stored)) == len(expected)
    assert set(stored) == expected
