"""Each workspace gets a share of the workers for fetching pages (FETCH_CONCURRENCY_PER_WORKSPACE).

The task is called as a worker runs it (not eagerly). When the workspace's places are all
taken, the article waits in the queue and the task is sent again later; the worker is free at
once. tests/faults/test_fetch_share_workers.py shows the same with real workers.
"""

import time

import pytest
from django.core.cache import cache

from claims import services, tasks
from claims.ingest.text import IngestError
from claims.ratelimit import take_slot
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PAGE = "The port handled 4.1 million containers last year, a record.\nMore text follows here."


def url_article(workspace):
    return ArticleFactory(
        workspace=workspace,
        origin="url",
        source_url=f"https://news.example.org/{workspace.slug}/{time.monotonic_ns()}",
        body="",
        title="",
        extraction_status="queued",
    )


@pytest.fixture(autouse=True)
def share(settings, workspace, other_workspace):
    settings.FETCH_CONCURRENCY_PER_WORKSPACE = 2
    yield
    # Never cache.clear(): with REDIS_URL that would empty the broker's database too.
    cache.delete_many(
        [f"slot:fetch:{w.pk}:{place}" for w in (workspace, other_workspace) for place in (0, 1)]
    )


@pytest.fixture
def fetches(monkeypatch):
    """Pages fetched, by article id; the fetch itself is replaced by a fixed page."""
    fetched = []

    def fake_fetch(article):
        fetched.append(article.pk)
        article.body = PAGE
        article.save(update_fields=["body"])

    monkeypatch.setattr(services, "fetch_article_text", fake_fetch)
    return fetched


@pytest.fixture
def resent(monkeypatch):
    """Tasks sent again: (article id, countdown)."""
    sent = []
    monkeypatch.setattr(
        tasks.extract_article,
        "apply_async",
        lambda args, countdown: sent.append((args[0], countdown)),
    )
    return sent


def run_as_worker(article):
    """As a worker runs the task: request.is_eager is False."""
    tasks.extract_article(article.pk)
    article.refresh_from_db()
    return article


def occupy(workspace, places=2):
    held = [take_slot(f"fetch:{workspace.pk}", limit=2, hold_seconds=60) for _ in range(places)]
    assert all(held)
    return held


def test_a_workspace_with_places_free_fetches_at_once(workspace, fetches, resent):
    article = run_as_worker(url_article(workspace))
    assert (article.extraction_status, fetches, resent) == ("done", [article.pk], [])
    # Its place is given back: two more fetches may start.
    assert occupy(workspace)


def test_when_the_workspace_share_is_taken_the_article_waits_and_the_worker_moves_on(
    workspace, fetches, resent
):
    occupy(workspace)
    article = url_article(workspace)
    started = time.monotonic()
    article = run_as_worker(article)
    assert time.monotonic() - started < 1  # no worker sits waiting
    assert fetches == []
    assert article.extraction_status == "queued"
    assert "other pages of this workspace are being fetched" in article.extraction_error
    [(article_id, countdown)] = resent
    assert article_id == article.pk and 3 <= countdown <= 7


def test_another_workspace_is_not_held_up(workspace, other_workspace, fetches, resent):
    occupy(workspace)
    theirs = run_as_worker(url_article(other_workspace))
    assert theirs.extraction_status == "done"
    assert fetches == [theirs.pk] and resent == []


def test_once_a_place_frees_up_the_waiting_article_is_fetched(workspace, fetches, resent):
    first, _ = occupy(workspace)
    article = run_as_worker(url_article(workspace))
    assert article.extraction_status == "queued"
    first.release()
    article = run_as_worker(article)  # the task sent again
    assert article.extraction_status == "done" and fetches == [article.pk]
    assert len(resent) == 1


def test_a_failed_fetch_gives_its_place_back(workspace, resent, monkeypatch):
    def failing_fetch(article):
        raise IngestError("The page wasn't found (HTTP 404). Check the address.")

    monkeypatch.setattr(services, "fetch_article_text", failing_fetch)
    for _ in range(3):
        assert run_as_worker(url_article(workspace)).extraction_status == "failed"
    assert resent == []
    assert occupy(workspace)


def test_a_place_held_by_a_killed_worker_expires(workspace):
    take_slot(f"fetch:{workspace.pk}", limit=2, hold_seconds=60)
    take_slot(f"fetch:{workspace.pk}", limit=2, hold_seconds=1)  # its holder died
    assert take_slot(f"fetch:{workspace.pk}", limit=2, hold_seconds=60) is None
    time.sleep(1.1)
    assert take_slot(f"fetch:{workspace.pk}", limit=2, hold_seconds=60) is not None


def test_pasted_articles_need_no_place(workspace, fetches, resent):
    occupy(workspace)
    article = ArticleFactory(workspace=workspace, extraction_status="queued")
    assert run_as_worker(article).extraction_status == "done"
    assert fetches == [] and resent == []


def test_in_process_without_a_broker_there_is_no_waiting(workspace, fetches, resent):
    """Embedded mode: the fetch runs inside the request that submitted it, one at a time."""
    occupy(workspace)
    article = url_article(workspace)
    tasks.extract_article.apply(args=[article.pk])  # eager, as without REDIS_URL
    article.refresh_from_db()
    assert article.extraction_status == "done" and fetches == [article.pk]
