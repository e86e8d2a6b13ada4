"""The extraction task: claims exactly once, readable failures, retries for network trouble."""

import http.server
import threading
from pathlib import Path

import pytest
from django.db import transaction

from claims import services, tasks
from claims.ingest.fetch import TransientFetchError
from claims.ingest.text import IngestError
from claims.models import Activity, Article
from tests.factories import ArticleFactory

SAMPLE = Path(__file__).resolve().parent.parent / "claims/demo/venezuela-deportations.txt"

pytestmark = pytest.mark.django_db


def run(article):
    tasks.extract_article.apply(args=[article.pk])
    article.refresh_from_db()
    return article


def spans(article):
    return list(article.claims.order_by("start").values_list("start", "end", "text"))


@pytest.fixture
def sample_article(workspace):
    return ArticleFactory(
        workspace=workspace, body=SAMPLE.read_text(encoding="utf-8"), extraction_status="queued"
    )


def test_sample_article_yields_its_checkable_claims(sample_article):
    article = run(sample_article)
    assert article.extraction_status == Article.Status.DONE
    assert article.extracted_at is not None and article.model_version
    texts = [c.text for c in article.claims.all()]
    assert any("arrested more than 7,200 illegal migrants" in t for t in texts)
    assert any("30,000 migrants would be shipped" in t for t in texts)
    assert not any("With Post wires" in t for t in texts)
    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text
        assert 0 <= claim.score <= 1
    assert Activity.objects.filter(verb="extraction_finished", article=article).exists()


def test_claims_are_ranked_by_score(sample_article):
    article = run(sample_article)
    scores = list(article.claims.values_list("score", flat=True))  # default ordering: -score
    assert scores == sorted(scores, reverse=True)


def test_running_twice_creates_claims_once(sample_article):
    first = spans(run(sample_article))
    assert first
    Article.objects.filter(pk=sample_article.pk).update(extraction_status="queued")
    second = spans(run(sample_article))
    assert first == second


def test_a_crash_after_saving_claims_then_a_rerun_adds_nothing(sample_article):
    """A worker killed after the claims committed but before the task was acknowledged."""
    services.extract_claims(sample_article)
    saved = spans(sample_article)
    Article.objects.filter(pk=sample_article.pk).update(extraction_status="running")
    assert spans(run(sample_article)) == saved


def test_a_finished_article_is_skipped(sample_article):
    article = run(sample_article)
    attempts = article.extraction_attempts
    assert run(article).extraction_attempts == attempts


def test_a_deleted_article_is_not_an_error(sample_article):
    pk = sample_article.pk
    sample_article.delete()
    tasks.extract_article.apply(args=[pk]).get()


def test_enqueued_only_after_commit(workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.submit_article(
                    workspace=workspace, submitted_by=None, origin="pasted", body="Rolled back."
                )
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Article.objects.exists()


def url_article(workspace, url="https://news.example.org/story"):
    return ArticleFactory(
        workspace=workspace,
        origin="url",
        source_url=url,
        body="",
        title="",
        outlet="",
        extraction_status="queued",
    )


def test_url_article_fetched_then_extracted(workspace, monkeypatch):
    from claims.ingest.text import ExtractedArticle

    def fake_extract(url, **limits):
        assert limits["allow_private"] is False
        return ExtractedArticle(
            text="Inflation hit 9.1 percent in June, the highest since 1981.",
            title="Prices",
            outlet="Example News",
        )

    monkeypatch.setattr("claims.ingest.fetch.extract_url", fake_extract)
    article = run(url_article(workspace))
    assert article.extraction_status == "done"
    assert (article.title, article.outlet) == ("Prices", "Example News")
    assert article.claims.filter(text__contains="9.1 percent").exists()


def test_permanent_fetch_failure_is_explained(workspace, monkeypatch):
    def refuse(url, **limits):
        raise IngestError("The page answered 404: it does not exist.")

    monkeypatch.setattr("claims.ingest.fetch.extract_url", refuse)
    article = run(url_article(workspace))
    assert article.extraction_status == "failed"
    assert article.extraction_error == "The page answered 404: it does not exist."
    assert Activity.objects.filter(verb="extraction_failed", article=article).exists()


def test_transient_failure_in_process_asks_the_user_to_retry(workspace, monkeypatch):
    def flaky(url, **limits):
        raise TransientFetchError("The website took too long to respond.")

    monkeypatch.setattr("claims.ingest.fetch.extract_url", flaky)
    article = run(url_article(workspace))
    assert article.extraction_status == "failed"
    assert (
        article.extraction_error == "The website took too long to respond. Use Retry to try again."
    )


class Retried(Exception):
    pass


def run_in_worker(article, monkeypatch, *, retries):
    """Run the task body as a worker delivery would, capturing the retry it asks for."""
    asked = {}

    def fake_retry(exc=None, countdown=None, **kwargs):
        asked.update(exc=exc, countdown=countdown)
        return Retried()

    monkeypatch.setattr(tasks.extract_article, "retry", fake_retry)
    tasks.extract_article.push_request(retries=retries, is_eager=False)
    try:
        tasks.extract_article.run(article.pk)
    except Retried:
        pass
    finally:
        tasks.extract_article.pop_request()
    article.refresh_from_db()
    return asked


def test_transient_failures_are_retried_with_backoff_then_given_up(workspace, monkeypatch):
    monkeypatch.setattr(
        "claims.ingest.fetch.extract_url",
        lambda url, **limits: (_ for _ in ()).throw(TransientFetchError("The site timed out.")),
    )
    article = url_article(workspace)
    delays = []
    for attempt in range(tasks.extract_article.max_retries):
        asked = run_in_worker(article, monkeypatch, retries=attempt)
        assert article.extraction_status == "queued"
        assert article.extraction_error == "The site timed out. Trying again shortly."
        delays.append(asked["countdown"])
    assert delays == sorted(delays) and delays[0] >= 7 and delays[-1] <= 750
    asked = run_in_worker(article, monkeypatch, retries=tasks.extract_article.max_retries)
    assert asked == {}
    assert article.extraction_status == "failed"
    assert article.extraction_error == "The site timed out. We gave up after several tries."


def test_transient_failure_then_success(workspace, monkeypatch):
    from claims.ingest.text import ExtractedArticle

    answers = [TransientFetchError("Connection refused."), None]

    def once_flaky(url, **limits):
        answer = answers.pop(0)
        if answer:
            raise answer
        return ExtractedArticle(text="Exports grew 7 percent in 2024.")

    monkeypatch.setattr("claims.ingest.fetch.extract_url", once_flaky)
    article = url_article(workspace)
    run_in_worker(article, monkeypatch, retries=0)
    assert article.extraction_status == "queued"
    run_in_worker(article, monkeypatch, retries=1)
    assert article.extraction_status == "done"
    assert article.extraction_error == ""


def test_fetched_duplicate_text_points_to_the_existing_article(workspace, monkeypatch):
    from claims.ingest.text import ExtractedArticle

    original = ArticleFactory(workspace=workspace, title="Original story")
    monkeypatch.setattr(
        "claims.ingest.fetch.extract_url",
        lambda url, **limits: ExtractedArticle(text=original.body),
    )
    article = run(url_article(workspace))
    assert article.extraction_status == "failed"
    assert "Original story" in article.extraction_error
    assert list(article.duplicates()) == [original]
    assert not article.claims.exists()


def test_unexpected_errors_mark_the_article_failed(sample_article, monkeypatch):
    def explode(article):
        raise ZeroDivisionError

    monkeypatch.setattr(services, "extract_claims", explode)
    with pytest.raises(ZeroDivisionError):
        tasks.extract_article.apply(args=[sample_article.pk]).get()
    sample_article.refresh_from_db()
    assert sample_article.extraction_status == "failed"
    assert sample_article.extraction_error == "Extraction failed unexpectedly. Try again."


class ArticleHandler(http.server.BaseHTTPRequestHandler):
    PAGE = (
        b"<html><head><title>Harbour traffic</title>"
        b'<meta name="author" content="Dana Reporter"></head><body><article>'
        b"<h1>Harbour traffic</h1>"
        b"<p>The port handled 4.1 million containers in 2023, up 8 percent on 2022.</p>"
        b"<p>Officials said the new terminal cost $310 million.</p>"
        b"<p>Many residents enjoy the view from the pier on summer evenings.</p>"
        b"</article><script>alert('x')</script></body></html>"
    )

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.PAGE)))
        self.end_headers()
        self.wfile.write(self.PAGE)

    def log_message(self, *args):
        pass


def test_url_ingestion_against_a_local_server(workspace, settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ArticleHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True  # the test server is on loopback
    try:
        article = run(url_article(workspace, f"http://127.0.0.1:{server.server_port}/harbour"))
    finally:
        server.shutdown()
    assert article.extraction_status == "done", article.extraction_error
    assert "4.1 million containers" in article.body
    assert "alert" not in article.body
    assert article.claims.filter(text__contains="4.1 million containers").exists()


def test_local_addresses_are_refused_by_default(workspace):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ArticleHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        article = run(url_article(workspace, f"http://127.0.0.1:{server.server_port}/harbour"))
    finally:
        server.shutdown()
    assert article.extraction_status == "failed"
    assert article.body == ""
