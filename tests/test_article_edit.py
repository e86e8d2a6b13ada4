"""Editors and admins correct an article's details in the app; the text stays as ingested."""

import datetime

import pytest
from django.urls import reverse

from claims.models import Activity, Article
from tests.conftest import client_for
from tests.factories import ArticleFactory, ClaimFactory

HTMX = {"HX-Request": "true"}


def url(article, name="article_edit"):
    return reverse(name, args=[article.workspace.slug, article.pk])


def details(**overrides):
    return {
        "title": "Budget passes after all-night session",
        "source_url": "https://news.example.org/budget",
        "outlet": "The Example Post",
        "author": "Sam Reporter",
        "published_date": "2026-11-30",
        **overrides,
    }


def stored(article):
    """Everything the edit could touch (or must not), read back from the database."""
    row = Article.objects.get(pk=article.pk)
    return (
        row.title,
        row.source_url,
        row.outlet,
        row.author,
        row.published_date,
        row.body,
        row.fingerprint,
        list(row.claims.values_list("start", "end", "text")),
    )


@pytest.fixture
def article(workspace):
    claim = ClaimFactory(article__workspace=workspace, article__title="Budget pases")
    return claim.article


@pytest.fixture
def admin_client_(admin_member):
    return client_for(admin_member)


@pytest.mark.parametrize("who", ["editor_client", "admin_client_"])
def test_editors_and_admins_correct_the_details(request, who, article):
    client = request.getfixturevalue(who)
    body, claims = article.body, list(article.claims.values_list("start", "end", "text"))
    response = client.post(url(article), details(), follow=True)
    assert response.redirect_chain == [(url(article, "article_detail"), 302)]
    page = response.content.decode()
    assert "Article details corrected." in page
    assert "Budget passes after all-night session" in page
    article.refresh_from_db()
    assert article.title == "Budget passes after all-night session"
    assert article.source_url == "https://news.example.org/budget"
    assert (article.outlet, article.author) == ("The Example Post", "Sam Reporter")
    assert article.published_date == datetime.date(2026, 11, 30)
    # The text and the claims pointing into it are exactly as they were.
    assert article.body == body
    assert list(article.claims.values_list("start", "end", "text")) == claims
    event = Activity.objects.get(verb=Activity.Verb.ARTICLE_CORRECTED)
    assert event.article_id == article.pk and event.actor.pk == response.wsgi_request.user.pk
    assert event.detail["changes"]["title"] == ["Budget pases", article.title]
    assert event.detail["changes"]["published_date"] == ["", "2026-11-30"]


def test_corrections_in_sequence_are_each_logged_and_listed(editor_client, article):
    editor_client.post(url(article), details(title="First fix"))
    editor_client.post(url(article), details(title="Second fix"))
    changes = [
        event.detail["changes"]
        for event in Activity.objects.filter(verb=Activity.Verb.ARTICLE_CORRECTED).order_by("pk")
    ]
    assert changes[0]["title"] == ["Budget pases", "First fix"]
    # The second correction changed only the title: the rest was already as typed.
    assert changes[1] == {"title": ["First fix", "Second fix"]}
    page = editor_client.get(url(article)).content.decode()
    assert "title from “First fix” to “Second fix”" in page
    assert "title from “Budget pases” to “First fix”" in page
    assert 'value="Second fix"' in page


def test_saving_unchanged_details_logs_nothing(editor_client, article):
    same = {
        "title": article.title,
        "source_url": "",
        "outlet": article.outlet,
        "author": "",
        "published_date": "",
    }
    response = editor_client.post(url(article), same, follow=True)
    assert "Nothing to change." in response.content.decode()
    assert not Activity.objects.filter(verb=Activity.Verb.ARTICLE_CORRECTED).exists()


def test_reviewers_are_refused(reviewer_client, article):
    before = stored(article)
    assert reviewer_client.get(url(article)).status_code == 403
    assert reviewer_client.post(url(article), details()).status_code == 403
    assert reviewer_client.post(url(article), details(), headers=HTMX).status_code == 403
    assert stored(article) == before
    assert not Activity.objects.filter(verb=Activity.Verb.ARTICLE_CORRECTED).exists()


def test_outsiders_find_nothing_and_change_nothing(outsider_client, article, outsider):
    before = stored(article)
    assert outsider_client.get(url(article)).status_code == 404
    assert outsider_client.post(url(article), details()).status_code == 404
    # Their own workspace's URL with our article's number: not found either.
    theirs = reverse("article_edit", args=["rival-desk", article.pk])
    assert outsider_client.post(theirs, details()).status_code == 404
    assert stored(article) == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_wrong_method(editor_client, article, method):
    before = stored(article)
    assert getattr(editor_client, method)(url(article)).status_code == 405
    assert stored(article) == before


@pytest.mark.parametrize(
    "address, message",
    [
        ("ftp://files.example.org/budget.txt", "Only http and https addresses are accepted."),
        ("javascript:alert(1)", "Enter a valid URL."),
    ],
)
def test_only_web_addresses(editor_client, article, address, message):
    before = stored(article)
    response = editor_client.post(url(article), details(source_url=address))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    # What the editor typed in the other fields is still in the form.
    assert 'value="Budget passes after all-night session"' in page
    assert 'value="The Example Post"' in page
    assert stored(article) == before


def test_over_long_title_is_refused_and_keeps_the_rest(editor_client, article):
    before = stored(article)
    response = editor_client.post(url(article), details(title="x" * 501))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 500 characters (it has 501)." in page
    assert 'value="Sam Reporter"' in page
    assert stored(article) == before


def test_address_of_another_article_is_refused_with_a_link(editor_client, article, workspace):
    other = ArticleFactory(
        workspace=workspace, title="The original", source_url=details()["source_url"]
    )
    before = stored(article)
    response = editor_client.post(url(article), details())
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another article of this workspace has this address" in page
    assert f'href="{other.get_absolute_url()}"' in page
    assert stored(article) == before


def test_same_address_in_another_workspace_is_fine(editor_client, article, other_workspace):
    ArticleFactory(workspace=other_workspace, source_url=details()["source_url"])
    assert editor_client.post(url(article), details()).status_code == 302
    article.refresh_from_db()
    assert article.source_url == details()["source_url"]


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_an_article_without_text_waits_for_it(editor_client, workspace, status):
    """The worker fills in the details it finds while it fetches the page: no race with it."""
    article = ArticleFactory(
        workspace=workspace,
        origin=Article.Origin.URL,
        body="",
        source_url="https://news.example.org/pending",
        title="",
        extraction_status=status,
    )
    before = stored(article)
    page = editor_client.get(url(article)).content.decode()
    assert "This article has no text yet" in page
    assert "<form" not in page.split('id="article-form"')[1].split("</section>")[0]
    response = editor_client.post(url(article), details())
    assert response.status_code == 403
    assert "This article has no text yet" in response.content.decode()
    assert stored(article) == before


def test_a_fetched_article_keeps_its_address(editor_client, workspace):
    article = ArticleFactory(
        workspace=workspace, origin=Article.Origin.URL, source_url="https://news.example.org/a"
    )
    before = stored(article)
    response = editor_client.post(url(article), details(source_url=""))
    assert response.status_code == 403
    assert "the address must stay" in response.content.decode()
    assert stored(article) == before
    # A different address is a correction like any other.
    assert editor_client.post(url(article), details()).status_code == 302
    article.refresh_from_db()
    assert article.source_url == "https://news.example.org/budget"


# --- htmx -----------------------------------------------------------------------------------


def test_htmx_form_in_place_then_redirect(editor_client, article):
    form = editor_client.get(url(article), headers=HTMX)
    html = form.content.decode()
    assert form.status_code == 200
    assert html.lstrip().startswith('<section id="article-form"')
    assert "<html" not in html
    assert 'value="Budget pases"' in html
    bad = editor_client.post(url(article), details(source_url="ftp://x.example.org/"), headers=HTMX)
    assert bad.status_code == 400
    assert bad.content.decode().lstrip().startswith('<section id="article-form"')
    assert "Only http and https addresses are accepted." in bad.content.decode()
    done = editor_client.post(url(article), details(), headers=HTMX)
    assert done.status_code == 200
    assert done["HX-Redirect"] == url(article, "article_detail")
    article.refresh_from_db()
    assert article.title == "Budget passes after all-night session"
    # The message waits for the page the browser now loads.
    assert "Article details corrected." in editor_client.get(done["HX-Redirect"]).content.decode()


# --- Links and query counts -----------------------------------------------------------------


def test_article_page_links_by_role(reviewer_client, editor_client, admin_client_, article):
    edit, delete = url(article), url(article, "article_delete")
    pages = {
        who: client.get(url(article, "article_detail")).content.decode()
        for who, client in [
            ("reviewer", reviewer_client),
            ("editor", editor_client),
            ("admin", admin_client_),
        ]
    }
    assert edit not in pages["reviewer"] and delete not in pages["reviewer"]
    assert f'href="{edit}" hx-get="{edit}"' in pages["editor"] and delete not in pages["editor"]
    assert edit in pages["admin"] and f'href="{delete}"' in pages["admin"]


def test_edit_page_queries_do_not_grow_with_corrections(
    editor_client, article, django_assert_num_queries
):
    editor_client.get(url(article))
    with django_assert_num_queries(7):
        editor_client.get(url(article))
    for n in range(30):
        editor_client.post(url(article), details(title=f"Fix {n}"))
    with django_assert_num_queries(7):
        page = editor_client.get(url(article)).content.decode()
    assert page.count("title from") == 20
