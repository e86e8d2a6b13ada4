"""The sentences page: every sentence of an article, stored once by the worker, a page at a time."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from claims import services, tasks
from claims.extraction import Candidate
from claims.models import Article, Claim, SentencePage
from tests.factories import ArticleFactory, ClaimFactory

BODY = "Crime fell 12 percent in 2023, the mayor said.\nWe love this city."
ROW = 'title="Check-worthiness"'
SENTENCE = "The council said the budget rose 12 percent in 2023 compared with last year. "


def url(article, page=None):
    base = reverse("article_sentences", args=[article.workspace.slug, article.pk])
    return f"{base}?page={page}" if page else base


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """A private in-memory cache: never cache.clear() the shared one, which with REDIS_URL
    lives in the broker's Redis database."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sentences-tests",
        }
    }
    cache.clear()
    yield


def long_article(workspace, sentences=12_987):
    """A million characters and its sentences stored, as extraction leaves them."""
    body = (SENTENCE * 13_000)[:1_000_000].strip()
    article = ArticleFactory(workspace=workspace, body=body)
    step = len(SENTENCE)
    services.store_sentences(
        article,
        [
            Candidate(
                text="", start=i * step, end=i * step + step - 1, score=0.25, checkworthy=False
            )
            for i in range(sentences)
        ],
    )
    return article


def test_extraction_stores_every_sentence_with_its_score(workspace):
    article = ArticleFactory(workspace=workspace, body=BODY, extraction_status="queued")
    tasks.extract_article.apply(args=[article.pk])
    [page] = SentencePage.objects.filter(article=article)
    assert [(start, end) for start, end, _ in page.spans] == [(0, 46), (47, 65)]
    assert all(0 <= score <= 1 for *_, score in page.spans)
    # Run again (a redelivery): the same pages, not twice as many.
    Article.objects.filter(pk=article.pk).update(extraction_status="queued")
    tasks.extract_article.apply(args=[article.pk])
    assert SentencePage.objects.get(article=article).spans == page.spans


def test_sentences_of_a_long_article_come_a_page_at_a_time(reviewer_client, workspace):
    article = long_article(workspace)
    step = len(SENTENCE)
    claim = article.add_claim(start=200 * step, end=201 * step - 1)  # the first of page 2
    first = reviewer_client.get(url(article)).content.decode()
    assert first.count(ROW) == SentencePage.SIZE
    assert "Page 1 of 65" in first and '?page=2"' in first
    assert 'start="1"' in first and 'class="is-claim"' not in first
    # A page's worth: 200 sentences, not 12,987.
    assert len(first) < SentencePage.SIZE * 1_500
    second = reviewer_client.get(url(article, 2)).content.decode()
    assert 'start="201"' in second and second.count('class="is-claim"') == 1
    assert f'value="{claim.start}"' not in second  # a claim has no "Make claim" button
    last = reviewer_client.get(url(article, 65)).content.decode()
    assert last.count(ROW) == 12_987 - 64 * SentencePage.SIZE
    assert "Page 65 of 65" in reviewer_client.get(url(article, 500)).content.decode()


def test_query_count_is_the_same_for_any_page(
    reviewer_client, workspace, django_assert_num_queries
):
    short = ArticleFactory(workspace=workspace, body=BODY)
    services.list_sentences(short)
    reviewer_client.get(url(short))
    with django_assert_num_queries(9):
        reviewer_client.get(url(short))
    article = long_article(workspace)
    for page in (1, 30, 65):
        with django_assert_num_queries(9):
            reviewer_client.get(url(article, page))


def test_existing_claim_marked_in_sentence_list(reviewer_client, workspace):
    claim = ClaimFactory(article__workspace=workspace, article__body=BODY, end=46)
    services.list_sentences(claim.article)
    page = reviewer_client.get(url(claim.article)).content.decode()
    assert page.count('class="is-claim"') == 1
    assert "We love this city." in page


def test_an_older_article_gets_its_sentences_from_the_worker_once(
    reviewer_client, workspace, monkeypatch
):
    article = ArticleFactory(workspace=workspace, body=BODY)  # extracted before they were kept
    sent = []
    monkeypatch.setattr(tasks.list_article_sentences, "delay", sent.append)
    page = reviewer_client.get(url(article)).content.decode()
    assert "being prepared" in page
    reviewer_client.get(url(article))
    assert sent == [article.pk]  # asked once, however often the page is opened
    tasks.list_article_sentences.apply(args=[article.pk])
    page = reviewer_client.get(url(article)).content.decode()
    assert "We love this city." in page and "being prepared" not in page
    tasks.list_article_sentences.apply(args=[article.pk])  # twice is harmless
    assert SentencePage.objects.filter(article=article).count() == 1


def test_pending_article_has_no_sentences_yet(reviewer_client, workspace, monkeypatch):
    article = ArticleFactory(
        workspace=workspace,
        body="",
        origin="url",
        source_url="https://n.example/a",
        extraction_status="queued",
    )
    monkeypatch.setattr(tasks.list_article_sentences, "delay", pytest.fail)
    page = reviewer_client.get(url(article)).content.decode()
    assert "listed once the article" in page


def test_htmx_page_switch_returns_the_list(reviewer_client, workspace):
    article = long_article(workspace, sentences=450)
    page = reviewer_client.get(url(article, 2), headers={"HX-Request": "true"}).content.decode()
    assert page.lstrip().startswith('<div id="sentence-list"')
    assert "<html" not in page and "Page 2 of 3" in page


def test_outsider_and_wrong_method(reviewer_client, outsider_client, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY)
    services.list_sentences(article)
    assert outsider_client.get(url(article)).status_code == 404
    assert reviewer_client.post(url(article)).status_code == 405
    assert not Claim.objects.exists()
