"""An article's details (title, outlet, author, address, date) are corrected by editors after
intake, and the article page shows who changed what, from what to what, and when."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import curation
from claims.models import Activity, Article
from tests.conftest import client_for
from tests.factories import ArticleFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def article(workspace):
    return ArticleFactory(
        workspace=workspace,
        title="Budget pases | The Example Post",
        outlet="The Daily Example",
        author="",
    )


def edit_url(article):
    return reverse("article_edit", args=[article.workspace.slug, article.pk])


def details(article, **overrides):
    return {
        "title": article.title,
        "source_url": article.source_url,
        "outlet": article.outlet,
        "author": article.author,
        "published_date": article.published_date.isoformat() if article.published_date else "",
        **overrides,
    }


def history_section(page: str) -> str:
    start = page.index('<section class="details-history"')
    return page[start : page.index("</section>", start)]


def test_every_detail_is_editable_and_the_article_page_shows_the_history(
    editor_client, editor, article, reviewer_client
):
    response = editor_client.post(
        edit_url(article),
        details(
            article,
            title="Budget passes",
            source_url="https://news.example.org/budget",
            outlet="",
            author="Sam Reporter",
            published_date="2026-11-30",
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "Article details corrected." in page
    history = history_section(page)
    assert "Details history" in history
    assert editor.display_name in history
    assert "changed title from “Budget pases | The Example Post” to “Budget passes”" in history
    assert "set original address to “https://news.example.org/budget”" in history
    assert "cleared outlet (was “The Daily Example”)" in history
    assert "set author to “Sam Reporter”" in history
    assert "set published date to “2026-11-30”" in history
    assert "<time datetime=" in history
    article.refresh_from_db()
    assert (article.title, article.outlet, article.author) == ("Budget passes", "", "Sam Reporter")
    assert article.published_date == datetime.date(2026, 11, 30)
    # Reviewers read the history too (they cannot edit: tests/test_article_edit.py).
    assert "changed title from" in history_section(
        reviewer_client.get(article.get_absolute_url()).content.decode()
    )


def test_corrections_in_sequence_are_listed_newest_first(editor_client, admin_member, article):
    editor_client.post(edit_url(article), details(article, title="First fix"))
    article.refresh_from_db()
    client_for(admin_member).post(edit_url(article), details(article, title="Second fix"))
    history = history_section(editor_client.get(article.get_absolute_url()).content.decode())
    newest = history.index("from “First fix” to “Second fix”")
    oldest = history.index("to “First fix”")
    assert newest < oldest
    assert admin_member.display_name in history[:oldest]
    # The edit page lists the same history.
    edit_page = editor_client.get(edit_url(article)).content.decode()
    assert history_section(edit_page).count("<li>") == 2
    entries = curation.details_history(article)
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [
        ("Title", "First fix", "Second fix")
    ]


def test_an_article_never_corrected_shows_no_history(reviewer_client, article):
    page = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert "Details history" not in page


def test_markup_in_details_is_shown_as_text(editor_client, article):
    editor_client.post(edit_url(article), details(article, title="<img src=x onerror=alert(1)>"))
    page = editor_client.get(article.get_absolute_url()).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in history_section(page)


def test_a_refused_edit_leaves_no_history(reviewer_client, outsider_client, article):
    assert reviewer_client.post(edit_url(article), details(article, title="x")).status_code == 403
    assert outsider_client.post(edit_url(article), details(article, title="x")).status_code == 404
    assert outsider_client.get(article.get_absolute_url()).status_code == 404
    assert not Activity.objects.filter(verb=Activity.Verb.ARTICLE_CORRECTED).exists()
    assert Article.objects.get(pk=article.pk).title == "Budget pases | The Example Post"


def test_the_polled_text_region_does_not_read_the_history(reviewer_client, article):
    headers = {**HTMX, "HX-Target": "article-body"}
    with CaptureQueriesContext(connection) as queries:
        page = reviewer_client.get(article.get_absolute_url(), headers=headers).content.decode()
    assert "Details history" not in page
    assert not any("claims_activity" in q["sql"] for q in queries.captured_queries)


def test_the_history_costs_one_query_for_1_or_25_corrections(
    editor_client, reviewer_client, article, django_assert_num_queries
):
    editor_client.post(edit_url(article), details(article, title="Fix 0"))
    reviewer_client.get(article.get_absolute_url())
    # The article page's pin (tests/test_article_detail.py): the history is one of them.
    with django_assert_num_queries(8):
        reviewer_client.get(article.get_absolute_url())
    for i in range(1, 25):
        article.refresh_from_db()
        editor_client.post(edit_url(article), details(article, title=f"Fix {i}"))
    with django_assert_num_queries(8):
        page = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert history_section(page).count("<li>") == 20  # the latest twenty
    with django_assert_num_queries(1):
        assert len(curation.details_history(article)) == 20


def test_an_article_without_text_yet_cannot_be_corrected(editor_client, workspace):
    pending = ArticleFactory(
        workspace=workspace,
        origin="url",
        body="",
        source_url="https://news.example.org/pending",
        extraction_status="queued",
    )
    response = editor_client.post(edit_url(pending), details(pending, title="Too early"))
    assert response.status_code == 403
    assert "no text yet" in response.content.decode()
    assert not Activity.objects.filter(verb=Activity.Verb.ARTICLE_CORRECTED).exists()
