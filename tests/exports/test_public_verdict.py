"""The public fact-check page: anyone may read a published verdict, and nothing else; what
readers see is the frozen public record, changed only by an approved correction."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from claims import publication
from claims.claimreview import build_claimreview
from claims.models import Correction, Source, Verdict
from tests.exports import builders
from tests.exports.test_claimreview import CLAIMANT, approve, attributed, loaded
from tests.factories import ArticleFactory, ClaimFactory

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
# The CSRF token base.html puts in hx-headers is masked afresh on every response.
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"')
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def url(verdict, slug=None):
    return reverse("public_verdict", args=[slug or verdict.claim.workspace.slug, verdict.pk])


def page_of(client, verdict) -> str:
    response = client.get(url(verdict))
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def test_published_verdict_is_public(client, workspace):
    claim = attributed(workspace, claim_date=datetime.date(2025, 3, 8))
    verdict = builders.with_sources(builders.verdict(workspace, claim=claim, summary="Close."))
    page = page_of(client, verdict)
    assert CLAIMANT["restatement"] in page  # the claim as reviewed
    assert f"“{claim.text}”" in page  # and the sentence it restates
    assert "Mayor Ann Lee" in page and "8 March 2025" in page
    assert "Mostly true" in page and "Close." in page
    assert "The ministry reported 3.9 percent." in page
    assert f'href="{claim.article.source_url}"' in page
    for source in claim.sources.all():
        assert f'href="{source.url}"' in page
    assert "Daily Example Fact Check" in page
    assert reverse("public_methodology", args=[workspace.slug]) in page
    assert reverse("public_corrections", args=[workspace.slug]) in page
    assert "No corrections." in page


def test_only_approved_corrections_are_shown_with_what_changed_and_why(client, workspace):
    verdict = builders.verdict(workspace, summary="Close.")
    when = datetime.datetime(2025, 4, 2, 9, 0, tzinfo=datetime.UTC)
    approve(verdict, reason="A newer release.", when=when, rating_label="False")
    Correction.objects.create(verdict=verdict, reason="Proposed, not decided.")
    Correction.objects.create(verdict=verdict, reason="Turned down.", status="rejected")
    page = page_of(client, verdict)
    assert "2 April 2025" in page
    assert "Rating: “Mostly true” → “False”" in page
    assert "A newer release." in page
    assert "Proposed, not decided." not in page and "Turned down." not in page
    assert "<strong>False</strong>" in page  # the corrected rating is what readers see


def test_a_legacy_correction_shows_the_rating_it_changed(client, workspace):
    verdict = builders.verdict(workspace)
    Correction.objects.create(
        verdict=verdict,
        status="approved",
        old_rating=builders.rating(workspace, "True"),
        new_rating=builders.rating(workspace, "Mostly true"),
        reason="We misnamed the ministry.",
        decided_at=builders.PUBLISHED_AT,
    )
    page = page_of(client, verdict)
    assert "Rating: “True” → “Mostly true”" in page
    assert "We misnamed the ministry." in page


def test_page_embeds_exactly_the_claimreview_markup(client, workspace, settings):
    settings.SITE_URL = "https://checks.example.org"
    verdict = builders.verdict(workspace)
    approve(verdict, reason="Typo.", when=builders.PUBLISHED_AT, summary="Fixed.")
    page = client.get(url(verdict)).content.decode()
    [block] = LD_JSON.findall(page)
    assert json.loads(block) == build_claimreview(loaded(verdict))
    assert json.loads(block)["correction"][0]["text"].endswith("Typo.")
    assert f'<link rel="canonical" href="https://checks.example.org{url(verdict)}">' in page


def test_no_inline_executable_script(client, workspace):
    page = client.get(url(builders.verdict(workspace))).content.decode()
    for tag in SCRIPT_TAG.findall(page):
        assert " src=" in tag or 'type="application/ld+json"' in tag, tag


def test_published_verdict_without_valid_markup_is_shown_without_it(client, workspace):
    workspace.organisation_url = ""
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


def test_query_count_is_fixed(client, workspace, django_assert_num_queries):
    verdict = builders.with_sources(builders.verdict(workspace), count=1)
    # The verdict with its frozen record, and its approved corrections.
    with django_assert_num_queries(2):
        client.get(url(verdict))
    for i in range(10):
        builders.with_sources(verdict, count=3)
        approve(verdict, reason="Again.", when=builders.PUBLISHED_AT, summary=f"Take {i}.")
    with django_assert_num_queries(2):
        page = page_of(client, verdict)
    assert page.count("Why:</span> Again.") == 10


# --- Frozen: live edits change nothing public; an approved correction does -------------------


def test_live_edits_after_publishing_leave_the_page_byte_identical(client, workspace):
    claim = attributed(workspace)
    verdict = builders.with_sources(builders.verdict(workspace, claim=claim))
    before = page_of(client, verdict)
    article = claim.article
    article.title = "A new headline"
    article.save()
    workspace.ratings.filter(label="Mostly true").update(
        label="Largely accurate", description="Renamed"
    )
    workspace.organisation_name = "Renamed Fact Check"
    workspace.organisation_url = "https://renamed.example/"
    workspace.save()
    claim.claimant = "Someone else"
    claim.save()
    claim.sources.update(title="Retitled source")
    Verdict.objects.filter(pk=verdict.pk).update(explanation="Edited behind readers' backs.")
    assert page_of(client, verdict) == before


def test_an_approved_correction_changes_the_page_and_says_so(client, workspace):
    verdict = builders.with_sources(builders.verdict(workspace, summary="Close."))
    before = page_of(client, verdict)
    when = datetime.datetime(2025, 5, 1, 12, 0, tzinfo=datetime.UTC)
    approve(verdict, reason="The ministry revised it.", when=when, summary="Not close.")
    after = page_of(client, verdict)
    assert after != before
    assert "Not close." in after and "Close.</p>" not in after
    assert "updated <time" in after and "1 May 2025" in after
    assert "Summary: “Close.” → “Not close.”" in after


def test_a_verdict_published_without_a_record_is_shown_from_its_rows(client, workspace):
    verdict = builders.verdict(workspace, summary="Never frozen.")
    Verdict.objects.filter(pk=verdict.pk).update(public_record={})
    page = page_of(client, verdict)
    assert "Never frozen." in page
    assert publication.current_record(loaded(verdict))["summary"] == "Never frozen."


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
    claim = ClaimFactory(article=article, end=body.index("\n"), claimant=XSS, restatement=XSS)
    verdict = builders.verdict(workspace, claim=claim, summary=XSS, explanation=XSS)
    Source.objects.create(
        claim=claim, url="javascript:alert(1)", title=XSS, publisher=XSS, excerpt=XSS
    )
    publication.freeze(loaded(verdict))
    approve(verdict, reason=XSS, when=builders.PUBLISHED_AT, summary=XSS + "!")
    page = client.get(url(verdict)).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # A javascript: address is shown as text, never as a link.
    assert 'href="javascript:' not in page
    # Exactly one JSON-LD block, which the user's "</script>" did not end early.
    [block] = LD_JSON.findall(page)
    markup = json.loads(block)
    assert markup["claimReviewed"] == XSS
    assert markup["itemReviewed"]["author"]["name"] == XSS
    assert markup["reviewBody"] == XSS + "!"
    assert "</script>" not in block and "<" not in block
    assert page.count("<script") == page.count("</script>")
