"""The public fact-check page: anyone may read a published verdict, and nothing else."""

import json
import re

import pytest
from django.urls import reverse

from claims.claimreview import build_claimreview
from claims.models import Correction, Source
from tests.exports import builders
from tests.factories import ArticleFactory, ClaimFactory

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def url(verdict, slug=None):
    return reverse("public_verdict", args=[slug or verdict.claim.workspace.slug, verdict.pk])


def test_published_verdict_is_public(client, workspace):
    verdict = builders.with_sources(builders.verdict(workspace, summary="Close enough."))
    Correction.objects.create(verdict=verdict, reason="We misnamed the ministry.")
    response = client.get(url(verdict))
    assert response.status_code == 200
    page = response.content.decode()
    claim = verdict.claim
    assert claim.text in page
    assert "Mostly true" in page and "Close enough." in page
    assert "The ministry reported 3.9 percent." in page
    assert f'href="{claim.article.source_url}"' in page
    for source in claim.sources.all():
        assert f'href="{source.url}"' in page
    assert "We misnamed the ministry." in page
    assert "Daily Example Fact Check" in page


def test_page_embeds_exactly_the_claimreview_markup(client, workspace, settings):
    settings.SITE_URL = "https://checks.example.org"
    verdict = builders.verdict(workspace)
    page = client.get(url(verdict)).content.decode()
    [block] = LD_JSON.findall(page)
    assert json.loads(block) == build_claimreview(verdict)
    assert f'<link rel="canonical" href="https://checks.example.org{url(verdict)}">' in page


def test_no_inline_executable_script(client, workspace):
    page = client.get(url(builders.verdict(workspace))).content.decode()
    for tag in SCRIPT_TAG.findall(page):
        assert " src=" in tag or 'type="application/ld+json"' in tag, tag


def test_published_verdict_without_valid_markup_is_shown_without_it(client, workspace):
    workspace.organisation_name = ""
    workspace.save()
    response = client.get(url(builders.verdict(workspace)))
    assert response.status_code == 200
    assert LD_JSON.findall(response.content.decode()) == []


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_unpublished_verdicts_are_not_found(client, editor_client, workspace, status):
    verdict = builders.verdict(workspace, status=status)
    assert client.get(url(verdict)).status_code == 404
    # Not even for members: this page is the published record only.
    assert editor_client.get(url(verdict)).status_code == 404


def test_other_workspace_slug_is_not_found(client, workspace, other_workspace):
    verdict = builders.verdict(workspace)
    assert client.get(url(verdict, slug=other_workspace.slug)).status_code == 404
    assert client.get(url(verdict, slug="no-such-desk")).status_code == 404


def test_post_is_not_allowed(client, workspace):
    verdict = builders.verdict(workspace)
    assert client.post(url(verdict)).status_code == 405
    assert client.head(url(verdict)).status_code == 200


def test_query_count_does_not_grow_with_sources(client, workspace, django_assert_num_queries):
    verdict = builders.with_sources(builders.verdict(workspace), count=1)
    with django_assert_num_queries(4) as few:
        client.get(url(verdict))
    for _ in range(10):
        builders.with_sources(verdict, count=3)
        Correction.objects.create(verdict=verdict, reason="Again.")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url(verdict))


def test_user_text_is_escaped_everywhere(client, workspace):
    body = f"{XSS} is what the mayor said.\nMore text."
    article = ArticleFactory(
        workspace=workspace,
        body=body,
        title=XSS,
        outlet=XSS,
        author=XSS,
        source_url="https://news.example.org/a?x=</script>",
    )
    claim = ClaimFactory(article=article, end=body.index("\n"))
    verdict = builders.verdict(workspace, claim=claim, summary=XSS, explanation=XSS)
    Source.objects.create(
        claim=claim, url="javascript:alert(1)", title=XSS, publisher=XSS, excerpt=XSS
    )
    Correction.objects.create(verdict=verdict, reason=XSS)
    page = client.get(url(verdict)).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # A javascript: address is shown as text, never as a link.
    assert 'href="javascript:' not in page
    # Exactly one JSON-LD block, which the user's "</script>" did not end early.
    [block] = LD_JSON.findall(page)
    markup = json.loads(block)
    assert markup["claimReviewed"].startswith(XSS)
    assert markup["reviewBody"] == XSS
    assert "</script>" not in block and "<" not in block
    assert page.count("<script") == page.count("</script>")
