"""The article page: progress while extracting, then the text with its claims highlighted."""

import pytest
from django.urls import reverse

from claims.models import Article, Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

BODY = "Crime fell 12 percent in 2023, the mayor said.\nWe love this city."


def url(article):
    return reverse("article_detail", args=[article.workspace.slug, article.pk])


def test_pending_article_polls_and_says_so(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, extraction_status=Article.Status.QUEUED)
    page = reviewer_client.get(url(article)).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "Waiting for a worker" in page
    assert '<meta http-equiv="refresh" content="5">' in page  # no-JS fallback


def test_poll_returns_only_the_region_and_stops_when_done(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY, extraction_status="running")
    poll = {"HX-Request": "true", "HX-Target": "article-body"}
    page = reviewer_client.get(url(article), headers=poll).content.decode()
    assert page.lstrip().startswith('<div id="article-body"')
    assert "Extracting claims" in page and 'hx-trigger="every 2s"' in page
    article.add_claim(start=0, end=46, score=0.91)
    Article.objects.filter(pk=article.pk).update(extraction_status="done")
    page = reviewer_client.get(url(article), headers=poll).content.decode()
    assert "hx-trigger" not in page
    assert '<mark class="claim-mark"' in page
    assert 'data-score="0.91"' in page


def test_claims_are_highlighted_in_place(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY)
    claim = article.add_claim(start=0, end=46, score=0.87)
    page = reviewer_client.get(url(article)).content.decode()
    link = reverse("claim_detail", args=[workspace.slug, claim.pk])
    expected = (
        f'<article class="article-text" id="article-text"><mark class="claim-mark" '
        f'id="claim-{claim.pk}" data-score="0.87"><a href="{link}">'
        "Crime fell 12 percent in 2023, the mayor said.</a></mark>\nWe love this city.</article>"
    )
    assert expected in page


def test_failed_article_shows_reason_and_retry(reviewer_client, workspace):
    article = ArticleFactory(
        workspace=workspace,
        body="",
        origin="url",
        source_url="https://news.example.org/x",
        extraction_status=Article.Status.FAILED,
        extraction_error="The page answered 404: it does not exist.",
    )
    page = reviewer_client.get(url(article)).content.decode()
    assert "The page answered 404" in page
    assert reverse("article_retry", args=[workspace.slug, article.pk]) in page
    assert "hx-trigger" not in page


def test_retry_requeues_a_failed_article(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    article = ArticleFactory(workspace=workspace, extraction_status="failed", extraction_error="x")
    retry = reverse("article_retry", args=[workspace.slug, article.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = reviewer_client.post(retry)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.extraction_status, article.extraction_error) == ("queued", "")
    assert len(callbacks) == 1
    # A second press while it is queued does nothing more.
    with django_capture_on_commit_callbacks() as callbacks:
        reviewer_client.post(retry)
    assert callbacks == []


def test_retry_refuses_get_and_outsiders(reviewer_client, outsider_client, workspace):
    article = ArticleFactory(workspace=workspace, extraction_status="failed")
    retry = reverse("article_retry", args=[workspace.slug, article.pk])
    assert reviewer_client.get(retry).status_code == 405
    assert outsider_client.post(retry).status_code == 404
    article.refresh_from_db()
    assert article.extraction_status == "failed"


def test_failed_duplicate_links_to_the_existing_article(reviewer_client, workspace):
    first = ArticleFactory(workspace=workspace, body=BODY, title="Original")
    copy = ArticleFactory(
        workspace=workspace,
        body=BODY,
        origin="url",
        source_url="https://mirror.example.org/x",
        extraction_status="failed",
        extraction_error="Same text.",
    )
    page = reviewer_client.get(url(copy)).content.decode()
    assert f'<a href="{first.get_absolute_url()}">Original</a>' in page


def test_query_count_is_constant(reviewer_client, workspace, django_assert_max_num_queries):
    article = ArticleFactory(workspace=workspace, body=BODY * 30)
    reviewer_client.get(url(article))
    with django_assert_max_num_queries(7) as few:
        reviewer_client.get(url(article))
    for i in range(20):
        start = i * len(BODY)
        article.add_claim(start=start, end=start + 46, assignee=UserFactory(), status="assigned")
    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer_client.get(url(article))


# --- Claims by hand ---------------------------------------------------------------------


def make_claim(client, article, **data):
    return client.post(reverse("claim_create", args=[article.workspace.slug, article.pk]), data)


def test_any_sentence_can_become_a_claim(reviewer_client, reviewer, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY)
    page = reviewer_client.get(
        reverse("article_sentences", args=[workspace.slug, article.pk])
    ).content.decode()
    assert "We love this city." in page
    response = make_claim(reviewer_client, article, start=47, end=65, unit="char")
    claim = Claim.objects.get()
    assert response["Location"] == claim.get_absolute_url()
    assert (claim.text, claim.origin, claim.created_by) == (
        "We love this city.",
        "manual",
        reviewer,
    )
    assert 0 <= claim.score <= 1


def test_selection_in_utf16_units_is_converted(reviewer_client, workspace):
    body = "Emoji 😀 first. The port handled 4.1 million tonnes in 2022."
    article = ArticleFactory(workspace=workspace, body=body)
    # In the browser the emoji counts as two units, so "The" starts one later than in Python.
    start_py = body.index("The port")
    text = "The port handled 4.1 million tonnes"
    make_claim(
        reviewer_client,
        article,
        start=start_py + 1,
        end=start_py + 1 + len(text),
        unit="utf16",
        text=text,
    )
    assert Claim.objects.get().text == text


def test_selection_edges_are_trimmed(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY)
    make_claim(reviewer_client, article, start=5, end=18, unit="char", text=" fell 12 perc")
    assert Claim.objects.get().text == "fell 12 perc"


@pytest.mark.parametrize(
    "data",
    [
        {"start": 0, "end": 500, "unit": "char"},
        {"start": 10, "end": 5, "unit": "char"},
        {"start": 0, "end": 12, "unit": "char", "text": "not the same"},
        {"start": "x", "end": 3},
        {"start": 0, "end": 2, "unit": "char"},
        {"start": 0, "end": 10, "unit": "furlongs"},
    ],
)
def test_bad_selections_are_refused(reviewer_client, workspace, data):
    article = ArticleFactory(workspace=workspace, body=BODY)
    response = make_claim(reviewer_client, article, **data)
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert not Claim.objects.exists()


def test_same_span_twice_is_one_claim(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY)
    make_claim(reviewer_client, article, start=47, end=65, unit="char")
    make_claim(reviewer_client, article, start=47, end=65, unit="char")
    assert Claim.objects.count() == 1


def test_outsider_cannot_add_claims(outsider_client, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY)
    assert make_claim(outsider_client, article, start=47, end=65).status_code == 404
    url_ = reverse("article_sentences", args=[workspace.slug, article.pk])
    assert outsider_client.get(url_).status_code == 404
    assert not Claim.objects.exists()


def test_claim_create_refuses_get(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY)
    url_ = reverse("claim_create", args=[workspace.slug, article.pk])
    assert reviewer_client.get(url_).status_code == 405


def test_existing_claim_marked_in_sentence_list(reviewer_client, workspace):
    claim = ClaimFactory(article__workspace=workspace, article__body=BODY, end=46)
    page = reviewer_client.get(
        reverse("article_sentences", args=[workspace.slug, claim.article.pk])
    ).content.decode()
    assert page.count('class="is-claim"') == 1
