"""The first page after login: the workspace's articles and claims."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory


def url(workspace):
    return reverse("dashboard", args=[workspace.slug])


def test_lists_the_workspace_articles_and_claims_by_score(reviewer_client, workspace):
    low = ClaimFactory(article__workspace=workspace, score=0.31)
    high = ClaimFactory(article__workspace=workspace, score=0.93, assignee=UserFactory())
    dismissed = ClaimFactory(
        article__workspace=workspace, score=0.99, status=Claim.Status.DISMISSED
    )
    response = reviewer_client.get(url(workspace))
    page = response.content.decode()
    assert response.status_code == 200
    assert low.article.title in page and high.article.title in page
    assert page.index("0.93") < page.index("0.31")
    assert reverse("claim_detail", args=[workspace.slug, high.pk]) in page
    assert reverse("claim_detail", args=[workspace.slug, dismissed.pk]) not in page


def test_empty_workspace_says_so(reviewer_client, workspace):
    page = reviewer_client.get(url(workspace)).content.decode()
    assert "No articles yet" in page
    assert "No claims yet" in page


def test_page_loads_htmx_from_static_with_csrf_header(reviewer_client, workspace):
    page = reviewer_client.get(url(workspace)).content.decode()
    assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in page
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]{64}\"\}'>", page)


def test_switcher_lists_only_my_workspaces(reviewer_client, workspace, other_workspace):
    page = reviewer_client.get(url(workspace)).content.decode()
    assert workspace.name in page
    assert other_workspace.name not in page


def test_query_count_does_not_grow_with_rows(
    reviewer_client, workspace, django_assert_max_num_queries
):
    ClaimFactory(article__workspace=workspace)
    reviewer_client.get(url(workspace))  # remembers the workspace in the session once
    with django_assert_max_num_queries(7) as one_row:
        reviewer_client.get(url(workspace))
    for _ in range(15):
        ClaimFactory(article__workspace=workspace, assignee=UserFactory())
    ArticleFactory.create_batch(10, workspace=workspace)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        reviewer_client.get(url(workspace))


def queue_message(client, text):
    """Put a Django message in the client's cookie, as a previous request would have."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value


@pytest.mark.parametrize("text", ["Article saved.", "<b>not bold</b>"])
def test_messages_show_on_full_pages(reviewer_client, workspace, text):
    queue_message(reviewer_client, text)
    page = reviewer_client.get(url(workspace)).content.decode()
    assert 'class="message message-success"' in page
    assert "Article saved." in page or "&lt;b&gt;not bold&lt;/b&gt;" in page
    assert "hx-swap-oob" not in page


def test_messages_reach_htmx_responses_out_of_band(reviewer_client, workspace):
    queue_message(reviewer_client, "Claim assigned to Alice.")
    response = reviewer_client.get(url(workspace), headers={"HX-Request": "true"})
    page = response.content.decode()
    # The region's content is replaced; the live region itself stays, so it is announced.
    assert '<div id="messages" hx-swap-oob="innerHTML">' in page
    assert "Claim assigned to Alice." in page
    # Shown once: the next request has nothing left to show.
    assert "Claim assigned to Alice." not in reviewer_client.get(url(workspace)).content.decode()


def test_article_bodies_stay_in_the_database(reviewer_client, workspace, django_assert_num_queries):
    """A million-character article once cost this page 15 s and 2 GB (grouped and joined on)."""
    article = ArticleFactory(workspace=workspace, body="The tax rose 4 percent. " * 40_000)
    for i in range(30):
        article.add_claim(start=i * 24, end=i * 24 + 23, score=0.5)
    reviewer_client.get(url(workspace))
    with django_assert_num_queries(7) as queries:
        page = reviewer_client.get(url(workspace)).content.decode()
    assert not any('"claims_article"."body"' in q["sql"] for q in queries.captured_queries)
    assert article.title in page and page.count("The tax rose 4 percent.") == 25
    assert len(page) < 50_000
