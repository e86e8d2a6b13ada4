"""The article page: progress while extracting, then the text with its claims highlighted."""

import itertools

import pytest
from django.urls import reverse

from claims import services
from claims.models import Article, Claim
from tests.factories import ArticleFactory, UserFactory

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
        f'<article class="article-text" id="article-text" data-offset="0"><mark class="claim-mark" '
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


def test_query_count_is_constant(reviewer_client, workspace, django_assert_num_queries):
    article = ArticleFactory(workspace=workspace, body=BODY * 30)
    article.add_claim(start=0, end=46, assignee=UserFactory(), status="assigned")
    reviewer_client.get(url(article))
    # With the details history (tests/test_article_history.py).
    with django_assert_num_queries(8):
        reviewer_client.get(url(article))
    for i in range(1, 50):
        start = i * len(BODY) % (len(BODY) * 30)
        article.add_claim(start=start, end=start + 46 - i // 30, assignee=UserFactory())
    with django_assert_num_queries(8):
        reviewer_client.get(url(article))


# --- Long articles: a part at a time ----------------------------------------------------------

LINE = "The council said the budget rose 12 percent in 2023 compared with last year.\n"


@pytest.fixture
def long_article(workspace):
    """A million characters, one claim per line: 12,987 claims."""
    body = (LINE * 13_000)[:1_000_000].strip()
    article = ArticleFactory(workspace=workspace, body=body, title="Long read")
    Claim.objects.bulk_create(
        Claim(
            workspace=workspace,
            article=article,
            start=i * len(LINE),
            end=i * len(LINE) + len(LINE) - 1,
            text=LINE[:-1],
            score=0.7,
        )
        for i in range(len(body) // len(LINE))
    )
    return article


def test_long_article_is_shown_a_part_at_a_time(reviewer_client, long_article):
    first = reviewer_client.get(url(long_article)).content.decode()
    assert long_article.part_count == 20
    assert "Part 1 of 20" in first and "Claims (12987)" in first
    assert '?part=2"' in first and "?part=0" not in first
    # A part's worth of text and claims, not the article's: 50,000 of its 1,000,000 characters.
    assert 50_000 < len(first) < 50_000 + 650 * 1_000
    last_claim = long_article.claims.order_by("-start").first()
    assert f'id="claim-{last_claim.pk}"' not in first
    last = reviewer_client.get(url(long_article) + "?part=20").content.decode()
    assert f'id="claim-{last_claim.pk}"' in last and "Part 20 of 20" in last
    assert "?part=21" not in last
    # Nonsense or out-of-range part numbers show the nearest part.
    assert "Part 20 of 20" in reviewer_client.get(url(long_article) + "?part=999").content.decode()
    assert "Part 1 of 20" in reviewer_client.get(url(long_article) + "?part=x").content.decode()


def test_parts_cover_the_text_exactly_once_cut_at_line_breaks(long_article):
    bounds = [long_article.part_bounds(n) for n in range(1, long_article.part_count + 1)]
    assert bounds[0][0] == 0 and bounds[-1][1] == len(long_article.body)
    for (_, end), (start, _) in itertools.pairwise(bounds):
        assert end == start and long_article.body[start - 1] == "\n"


def test_long_article_query_count_is_the_same_for_every_part(
    reviewer_client, long_article, django_assert_num_queries
):
    reviewer_client.get(url(long_article))
    for part in (1, 7, 20):
        # One more than a short article: counting every claim, not only this part's.
        with django_assert_num_queries(9):
            reviewer_client.get(url(long_article) + f"?part={part}")


def test_htmx_part_switch_returns_the_region(reviewer_client, long_article):
    headers = {"HX-Request": "true", "HX-Target": "article-body"}
    page = reviewer_client.get(url(long_article) + "?part=2", headers=headers).content.decode()
    assert page.lstrip().startswith('<div id="article-body"')
    assert "Part 2 of 20" in page and "<html" not in page
    assert 'hx-get="?part=3" hx-target="#article-body"' in page


def test_a_selection_in_a_later_part_claims_the_right_words(reviewer_client, workspace):
    body = "😀 " * 30_000 + "\n" + "Rates rose 4 percent in May. " * 2_000
    article = ArticleFactory(workspace=workspace, body=body.strip())
    start, _ = article.part_bounds(2)
    page = reviewer_client.get(url(article) + "?part=2").content.decode()
    # The browser counts UTF-16 units from the part's start; the page says where that is.
    offset = len(article.body[:start].encode("utf-16-le")) // 2
    assert f'data-offset="{offset}"' in page
    local = article.body[start:].index("Rates rose")
    text = "Rates rose 4 percent in May."
    make_claim(
        reviewer_client,
        article,
        start=offset + local,
        end=offset + local + len(text),
        unit="utf16",
        text=text,
    )
    claim = Claim.objects.get()
    assert (claim.start, claim.text) == (start + local, text)


def test_a_claim_across_the_cut_is_marked_in_both_parts(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, body=(LINE * 1_000).strip())
    _, cut = article.part_bounds(1)
    crossing = article.add_claim(start=cut - 20, end=cut + 20, origin="manual")
    marks = []
    for part in (1, 2):
        page = reviewer_client.get(url(article) + f"?part={part}").content.decode()
        marks.append(page.split(f'id="claim-{crossing.pk}"')[1].split("</mark>")[0])
    assert marks[0].endswith(article.body[cut - 20 : cut] + "</a>")
    assert marks[1].endswith(article.body[cut : cut + 20] + "</a>")


# --- Claims by hand ---------------------------------------------------------------------


def make_claim(client, article, **data):
    return client.post(reverse("claim_create", args=[article.workspace.slug, article.pk]), data)


def test_any_sentence_can_become_a_claim(reviewer_client, reviewer, workspace):
    article = ArticleFactory(workspace=workspace, body=BODY)
    services.list_sentences(article)  # as the extraction task does
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


def test_a_selection_longer_than_a_claim_is_refused(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, body=(LINE * 100).strip())
    response = make_claim(reviewer_client, article, start=0, end=2_001, unit="char")
    assert response["Location"] == article.get_absolute_url()
    assert not Claim.objects.exists()
    page = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert "A claim can be at most 2,000 characters." in page
    make_claim(reviewer_client, article, start=0, end=2_000, unit="char")
    assert Claim.objects.get().end - Claim.objects.get().start <= 2_000
