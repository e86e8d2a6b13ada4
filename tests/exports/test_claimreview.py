"""ClaimReview markup: the structure Google's fact-check rules ask for, and the refusals."""

import json

import pytest
from django.urls import reverse

from claims.claimreview import (
    CLAIMREVIEW_SELECT_RELATED,
    ClaimReviewError,
    build_claimreview,
    claimreview_warnings,
    json_ld,
    json_ld_script,
    validate_claimreview,
)
from claims.models import Verdict
from tests.exports import builders
from tests.factories import ArticleFactory, ClaimFactory


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://checks.example.org"


def loaded(verdict):
    """The verdict as a view or export loads it: everything markup reads, in one query."""
    return Verdict.objects.select_related(*CLAIMREVIEW_SELECT_RELATED).get(pk=verdict.pk)


def test_numeric_rating_has_the_full_structure(workspace):
    verdict = builders.verdict(workspace, rating_label="Mostly false", summary="Off by half.")
    claim, article = verdict.claim, verdict.claim.article
    assert build_claimreview(loaded(verdict)) == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checks.example.org"
        + reverse("public_verdict", args=[workspace.slug, verdict.pk]),
        "claimReviewed": claim.text,
        "datePublished": "2025-03-14",
        "author": {
            "@type": "Organization",
            "name": "Daily Example Fact Check",
            "url": "https://factcheck.example.org/",
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 2,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Mostly false",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Jane Reporter"},
            "datePublished": "2025-03-10",
            "appearance": [
                {
                    "@type": "CreativeWork",
                    "url": article.source_url,
                    "headline": article.title,
                    "author": {"@type": "Person", "name": "Jane Reporter"},
                    "datePublished": "2025-03-10",
                }
            ],
        },
        "reviewBody": "Off by half.",
    }


@pytest.mark.parametrize("label", ["Misleading", "Unverifiable"])
def test_rating_outside_the_scale_carries_its_label_only(workspace, label):
    markup = build_claimreview(loaded(builders.verdict(workspace, rating_label=label)))
    assert markup["reviewRating"] == {"@type": "Rating", "alternateName": label}


def test_bounds_follow_the_workspace_scale(workspace):
    workspace.ratings.filter(label="False").update(value=2)
    workspace.ratings.filter(label="True").update(value=9)
    rating = build_claimreview(loaded(builders.verdict(workspace)))["reviewRating"]
    assert (rating["worstRating"], rating["ratingValue"], rating["bestRating"]) == (2, 4, 9)


def test_unknown_article_details_are_left_out_not_invented(workspace):
    article = builders.article(workspace, title="", author="", published_date=None)
    verdict = builders.verdict(workspace, claim=ClaimFactory(article=article), summary="")
    markup = build_claimreview(loaded(verdict))
    assert markup["itemReviewed"] == {
        "@type": "Claim",
        "appearance": [{"@type": "CreativeWork", "url": article.source_url}],
    }
    assert "reviewBody" not in markup


def test_date_published_is_the_desk_local_date(workspace, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # 23:30 UTC is already the next day there
    markup = build_claimreview(loaded(builders.verdict(workspace)))
    assert markup["datePublished"] == "2025-03-15"


def test_claim_text_line_breaks_become_spaces(workspace):
    verdict = loaded(builders.verdict(workspace))
    verdict.claim.text = "Crime fell\n12 percent\t in 2023."
    assert build_claimreview(verdict)["claimReviewed"] == "Crime fell 12 percent in 2023."


def test_building_needs_no_query_once_loaded(workspace, django_assert_num_queries):
    verdict = loaded(builders.verdict(workspace))
    with django_assert_num_queries(0):
        build_claimreview(verdict, bounds=(1, 5))
        validate_claimreview(verdict, bounds=(1, 5))
    # Without bounds the scale is read once; a label-only rating never needs it.
    with django_assert_num_queries(1):
        build_claimreview(verdict)
    unrated = loaded(builders.verdict(workspace, rating_label="Misleading"))
    with django_assert_num_queries(0):
        build_claimreview(unrated)


# --- Refusals -------------------------------------------------------------------------------


def reasons_for(verdict, **kwargs):
    return " | ".join(validate_claimreview(verdict, **kwargs))


def test_a_valid_verdict_has_no_reasons(workspace):
    assert validate_claimreview(loaded(builders.verdict(workspace))) == []


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_unpublished_verdicts_are_refused(workspace, status):
    verdict = loaded(builders.verdict(workspace, status=status))
    assert "not published" in reasons_for(verdict)
    with pytest.raises(ClaimReviewError) as error:
        build_claimreview(verdict)
    assert any("not published" in r for r in error.value.reasons)


def test_missing_rating_is_refused(workspace):
    verdict = loaded(builders.verdict(workspace, status="draft", rating_label=None))
    assert "no rating" in reasons_for(verdict)


def test_missing_publication_date_is_refused(workspace):
    verdict = loaded(builders.verdict(workspace))
    verdict.published_at = None
    assert "no publication date" in reasons_for(verdict)


@pytest.mark.parametrize(
    "url, reason",
    [
        ("", "article has no URL"),
        ("javascript:alert(1)", "not an http(s) address"),
        ("ftp://files.example.org/a", "not an http(s) address"),
    ],
)
def test_article_url_must_be_a_web_address(workspace, url, reason):
    verdict = loaded(builders.verdict(workspace))
    verdict.claim.article.source_url = url
    assert reason in reasons_for(verdict)


def test_over_long_claim_and_summary_are_refused(workspace):
    verdict = loaded(builders.verdict(workspace))
    verdict.claim.text = "word " * 101
    verdict.summary = "s" * 281
    reasons = reasons_for(verdict)
    assert "The claim is 504 characters long" in reasons
    assert "The summary is 281 characters long" in reasons


def test_claim_just_under_the_limit_only_warns(workspace):
    verdict = loaded(builders.verdict(workspace))
    verdict.claim.text = "x" * 500
    assert validate_claimreview(verdict) == []
    assert "search results show claims under 75" in " ".join(claimreview_warnings(verdict))
    verdict.claim.text = "x" * 75
    assert claimreview_warnings(verdict) == []


def test_workspace_without_organisation_is_refused(workspace):
    workspace.organisation_name = ""
    workspace.organisation_url = ""
    workspace.save()
    reasons = reasons_for(loaded(builders.verdict(workspace)))
    assert "no organisation name" in reasons
    assert "no organisation URL" in reasons


def test_numeric_rating_on_a_scale_without_numbers_is_refused(workspace):
    verdict = loaded(builders.verdict(workspace))
    assert "scale has no numeric values" in reasons_for(verdict, bounds=None)


def test_scale_with_a_single_number_is_refused(workspace):
    workspace.ratings.exclude(label="Mostly true").update(value=None)
    reasons = reasons_for(loaded(builders.verdict(workspace)))
    assert "needs at least two numeric values" in reasons


def test_value_outside_the_scale_is_refused(workspace):
    assert "outside the scale" in reasons_for(loaded(builders.verdict(workspace)), bounds=(1, 3))


def test_rating_from_another_workspace_is_refused(workspace, other_workspace):
    verdict = loaded(builders.verdict(workspace))
    verdict.rating = builders.rating(other_workspace, "True")
    assert "another workspace" in reasons_for(verdict)


def test_unrated_label_only_rating_is_fine_on_any_scale(workspace):
    verdict = loaded(builders.verdict(workspace, rating_label="Unverifiable"))
    assert validate_claimreview(verdict, bounds=None) == []


# --- Embedding ------------------------------------------------------------------------------


def test_json_ld_cannot_close_its_script_element(workspace):
    article = ArticleFactory(
        workspace=workspace,
        body="</script><script>alert(1)</script> & <!-- is a claim.\nMore.",
        source_url="https://news.example.org/x",
    )
    verdict = builders.verdict(workspace, claim=ClaimFactory(article=article))
    markup = build_claimreview(loaded(verdict))
    script = json_ld_script(markup)
    inner = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == markup
    assert json.loads(json_ld(markup))["claimReviewed"].startswith("</script><script>")
