"""ClaimReview markup: the structure Google's fact-check rules ask for, read from the frozen
public record; the refusals and warnings, and the preview the verdict form shows."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import publication
from claims.claimreview import (
    CLAIMREVIEW_SELECT_RELATED,
    ClaimReviewError,
    build_claimreview,
    claimreview_warnings,
    json_ld,
    json_ld_script,
    publication_problems,
    validate_claimreview,
)
from claims.models import Correction, Verdict
from tests.exports import builders
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

CLAIMANT = {"claimant": "Mayor Ann Lee", "restatement": "Unemployment fell to 3.9% in March"}


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://checks.example.org"


def loaded(verdict):
    """The verdict as a view or export loads it: everything markup reads, in one query."""
    return Verdict.objects.select_related(*CLAIMREVIEW_SELECT_RELATED).get(pk=verdict.pk)


def attributed(workspace, article=None, **fields):
    """A claim with a confirmed claimant and a restatement, as a reviewer leaves it."""
    article = article or builders.article(workspace)
    return ClaimFactory(article=article, **(CLAIMANT | fields))


def test_numeric_rating_has_the_full_structure(workspace):
    claim = attributed(workspace, claim_date=datetime.date(2025, 3, 8))
    verdict = builders.verdict(
        workspace, claim=claim, rating_label="Mostly false", summary="Off by half."
    )
    article = claim.article
    assert build_claimreview(loaded(verdict)) == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checks.example.org"
        + reverse("public_verdict", args=[workspace.slug, verdict.pk]),
        "claimReviewed": "Unemployment fell to 3.9% in March",
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
            # Who made the claim, never the journalist who reported it.
            "author": {"@type": "Person", "name": "Mayor Ann Lee"},
            "datePublished": "2025-03-08",
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


def test_an_organisation_claimant_is_an_organization(workspace):
    claim = attributed(workspace, claimant="Labour Ministry", claimant_kind="organization")
    markup = build_claimreview(loaded(builders.verdict(workspace, claim=claim)))
    assert markup["itemReviewed"]["author"] == {"@type": "Organization", "name": "Labour Ministry"}


def test_without_a_confirmed_claimant_the_author_is_left_out_with_a_warning(workspace):
    claim = ClaimFactory(
        article=builders.article(workspace), suggested_claimant="Labour ministry", restatement="x"
    )
    verdict = loaded(builders.verdict(workspace, claim=claim))
    markup = build_claimreview(verdict)
    assert "author" not in markup["itemReviewed"]
    # The journalist only ever appears as the appearance's author, never as the claimant.
    assert markup["itemReviewed"]["appearance"][0]["author"]["name"] == "Jane Reporter"
    assert "No confirmed claimant" in " ".join(claimreview_warnings(verdict))


def test_claim_reviewed_is_the_whole_sentence_without_a_restatement(workspace):
    verdict = loaded(builders.verdict(workspace))
    sentence = verdict.claim.text
    assert len(sentence) > 75
    assert build_claimreview(verdict)["claimReviewed"] == sentence
    warnings = " ".join(claimreview_warnings(verdict))
    assert f"The claim is {len(sentence)} characters long and has no restatement" in warnings


def test_a_long_restatement_only_warns(workspace):
    claim = attributed(workspace, restatement="r" * 120)
    verdict = loaded(builders.verdict(workspace, claim=claim))
    assert validate_claimreview(verdict) == []
    assert "The restatement is 120 characters long" in " ".join(claimreview_warnings(verdict))


def test_an_appearance_elsewhere_does_not_borrow_the_article_details(workspace):
    claim = attributed(workspace, appearance_url="https://social.example/post/1")
    markup = build_claimreview(loaded(builders.verdict(workspace, claim=claim)))
    assert markup["itemReviewed"]["appearance"] == [
        {"@type": "CreativeWork", "url": "https://social.example/post/1"}
    ]
    # The claim's date still defaults to the article's.
    assert markup["itemReviewed"]["datePublished"] == "2025-03-10"


@pytest.mark.parametrize("label", ["Misleading", "Unverifiable"])
def test_rating_outside_the_scale_carries_its_label_only(workspace, label):
    markup = build_claimreview(loaded(builders.verdict(workspace, rating_label=label)))
    assert markup["reviewRating"] == {"@type": "Rating", "alternateName": label}


def test_bounds_follow_the_workspace_scale_at_publication(workspace):
    workspace.ratings.filter(label="False").update(value=2)
    workspace.ratings.filter(label="True").update(value=9)
    verdict = builders.verdict(workspace)
    workspace.ratings.filter(label="True").update(value=50)  # after publication: no effect
    rating = build_claimreview(loaded(verdict))["reviewRating"]
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
    warnings = " ".join(claimreview_warnings(loaded(verdict)))
    assert "when the claim was made" in warnings


def test_date_published_is_the_desk_local_date(workspace, settings):
    verdict = builders.verdict(workspace)
    settings.TIME_ZONE = "Europe/Berlin"  # 23:30 UTC is already the next day there
    markup = build_claimreview(loaded(verdict))
    assert markup["datePublished"] == "2025-03-15"


def test_claim_text_line_breaks_become_spaces(workspace):
    body = "Crime fell\n12 percent\t in 2023.\nMore."
    article = ArticleFactory(workspace=workspace, body=body, source_url="https://n.example/a")
    claim = ClaimFactory(article=article, end=body.index(" in 2023.") + 9)
    markup = build_claimreview(loaded(builders.verdict(workspace, claim=claim)))
    assert markup["claimReviewed"] == "Crime fell 12 percent in 2023."


def test_building_needs_no_query_once_loaded(workspace, django_assert_num_queries):
    verdict = loaded(builders.verdict(workspace))
    with django_assert_num_queries(0):
        build_claimreview(verdict, corrections=[])
        validate_claimreview(verdict)
    # Without them, the approved corrections are read: one query.
    with django_assert_num_queries(1):
        build_claimreview(verdict)


# --- The frozen record ------------------------------------------------------------------------


def test_published_markup_ignores_later_edits_to_the_live_rows(workspace):
    claim = attributed(workspace)
    verdict = builders.with_sources(builders.verdict(workspace, claim=claim))
    before = build_claimreview(loaded(verdict))
    article = claim.article
    article.title, article.source_url, article.author = "Rewritten", "https://other.example/", ""
    article.save()
    claim.claimant, claim.restatement = "Somebody else", "Another claim"
    claim.save()
    workspace.ratings.filter(label="Mostly true").update(label="Largely accurate")
    workspace.organisation_name, workspace.organisation_url = "Renamed", "https://renamed.example/"
    workspace.save()
    Verdict.objects.filter(pk=verdict.pk).update(summary="Changed behind readers' backs.")
    assert build_claimreview(loaded(verdict)) == before


def approve(verdict, *, reason, when, rating_label=None, summary=None):
    """An approved correction as the desk leaves it: live rows changed, record frozen anew
    with what changed, the verdict's modified_at set (desk.approve_correction does this)."""
    verdict = loaded(verdict)
    old = publication.current_record(verdict)
    if rating_label:
        verdict.rating = builders.rating(verdict.claim.workspace, rating_label)
    if summary is not None:
        verdict.summary = summary
    verdict.modified_at = when
    verdict.save()
    new = publication.freeze(verdict)
    proposer, editor = UserFactory(), UserFactory()
    return Correction.objects.create(
        verdict=verdict,
        status=Correction.Status.APPROVED,
        reason=reason,
        changes=publication.record_changes(old, new),
        created_by=proposer,
        created_at=when,
        decided_by=editor,
        decided_at=when,
    )


def test_an_approved_correction_gives_date_modified_and_a_correction_comment(workspace):
    verdict = builders.verdict(workspace, summary="Close.")
    when = datetime.datetime(2025, 4, 2, 9, 0, tzinfo=datetime.UTC)
    approve(verdict, reason="A newer release.", when=when, rating_label="False", summary="Wrong.")
    # Proposed and rejected corrections never reach readers.
    Correction.objects.create(verdict=verdict, reason="Still proposed.")
    Correction.objects.create(verdict=verdict, reason="Turned down.", status="rejected")
    markup = build_claimreview(loaded(verdict))
    assert markup["reviewRating"]["alternateName"] == "False"
    assert markup["reviewBody"] == "Wrong."
    assert markup["datePublished"] == "2025-03-14"
    assert markup["dateModified"] == timezone.localtime(when).isoformat(timespec="seconds")
    assert markup["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Rating: “Mostly true” → “False”; Summary: “Close.” → “Wrong.”. "
            "A newer release.",
            "datePublished": "2025-04-02",
        }
    ]


def test_a_verdict_without_corrections_has_no_date_modified(workspace):
    markup = build_claimreview(loaded(builders.verdict(workspace)))
    assert "dateModified" not in markup and "correction" not in markup


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
    verdict.public_record["published_at"] = None
    assert "no publication date" in reasons_for(verdict)


@pytest.mark.parametrize(
    "url, reason",
    [
        ("", "The article has no URL"),
        ("javascript:alert(1)", "not an http(s) address"),
        ("ftp://files.example.org/a", "not an http(s) address"),
    ],
)
def test_where_the_claim_appeared_must_be_a_web_address(workspace, url, reason):
    article = builders.article(workspace, source_url=url)
    verdict = loaded(builders.verdict(workspace, claim=ClaimFactory(article=article)))
    assert reason in reasons_for(verdict)


def test_the_claims_own_appearance_address_is_enough(workspace):
    article = builders.article(workspace, source_url="")
    claim = ClaimFactory(article=article, appearance_url="https://video.example/clip")
    assert validate_claimreview(loaded(builders.verdict(workspace, claim=claim))) == []


def test_over_long_claim_and_summary_are_refused(workspace):
    verdict = loaded(builders.verdict(workspace))
    verdict.public_record["claim"]["text"] = "word " * 101
    verdict.public_record["summary"] = "s" * 281
    reasons = reasons_for(verdict)
    assert "The claim is 505 characters long" in reasons
    assert "The summary is 281 characters long" in reasons


def test_claim_just_under_the_limit_only_warns(workspace):
    verdict = loaded(builders.verdict(workspace, claim=attributed(workspace, restatement="")))
    verdict.public_record["claim"]["text"] = "x" * 500
    assert validate_claimreview(verdict) == []
    assert "search results show claims under 75" in " ".join(claimreview_warnings(verdict))
    verdict.public_record["claim"]["text"] = "x" * 75
    assert claimreview_warnings(verdict) == []


def test_workspace_without_organisation_url_is_refused(workspace):
    workspace.organisation_url = ""
    workspace.save()
    assert "no organisation URL" in reasons_for(loaded(builders.verdict(workspace)))


def test_without_an_organisation_name_the_workspace_name_is_published(workspace):
    workspace.organisation_name = ""
    workspace.save()
    verdict = builders.verdict(workspace, status="draft")
    check = publication_problems(loaded(verdict))
    assert check.errors == []
    [warning] = [w for w in check.warnings if w.fix == "organisation"]
    assert "names “Daily Example” as the fact-checker" in warning.message
    publish_as_is(verdict)
    markup = build_claimreview(loaded(verdict))
    assert markup["author"]["name"] == "Daily Example"


def publish_as_is(verdict):
    Verdict.objects.filter(pk=verdict.pk).update(
        status="published",
        approved_by=UserFactory(),
        published_at=builders.PUBLISHED_AT,
        approved_at=builders.PUBLISHED_AT,
    )
    publication.freeze(loaded(verdict))


def test_numeric_rating_on_a_scale_without_numbers_is_refused(workspace):
    verdict = loaded(builders.verdict(workspace))
    verdict.public_record["bounds"] = None
    assert "scale has no numeric values" in reasons_for(verdict)
    # A preview takes the bounds it is given.
    draft = loaded(builders.verdict(workspace, status="draft"))
    assert "scale has no numeric values" in reasons_for(draft, bounds=None)


def test_scale_with_a_single_number_is_refused(workspace):
    workspace.ratings.exclude(label="Mostly true").update(value=None)
    reasons = reasons_for(loaded(builders.verdict(workspace)))
    assert "needs at least two numeric values" in reasons


def test_value_outside_the_scale_is_refused(workspace):
    verdict = loaded(builders.verdict(workspace))
    verdict.public_record["bounds"] = [1, 3]
    assert "outside the scale" in reasons_for(verdict)


def test_rating_from_another_workspace_is_refused_before_publishing(workspace, other_workspace):
    verdict = loaded(builders.verdict(workspace, status="draft"))
    verdict.rating = builders.rating(other_workspace, "True")
    assert "another workspace" in reasons_for(verdict)


def test_unrated_label_only_rating_is_fine_on_any_scale(workspace):
    workspace.ratings.update(value=None)
    verdict = loaded(builders.verdict(workspace, rating_label="Unverifiable"))
    assert validate_claimreview(verdict) == []


# --- The preview on the verdict form --------------------------------------------------------


def test_preview_of_a_draft_lists_what_to_fix_with_links(workspace):
    workspace.organisation_url = ""
    workspace.save()
    article = builders.article(workspace, source_url="")
    verdict = builders.verdict(workspace, claim=ClaimFactory(article=article), status="draft")
    check = publication_problems(loaded(verdict))
    claim_page = reverse("claim_detail", args=[workspace.slug, verdict.claim_id])
    assert not check.published and check.preview == ""
    assert {(p.fix, p.fix_url) for p in check.errors} == {
        ("organisation", reverse("workspace_settings", args=[workspace.slug])),
        ("article", reverse("article_edit", args=[workspace.slug, article.pk])),
    }
    assert not any("not published" in p.message for p in check.errors)
    assert ("attribution", claim_page + "#attribution") in {
        (p.fix, p.fix_url) for p in check.warnings
    }
    assert check.public_url.endswith(f"/fact-checks/daily-example/{verdict.pk}/")


def test_preview_of_a_ready_draft_shows_the_markup_it_would_get(workspace):
    verdict = builders.verdict(workspace, claim=attributed(workspace), status="submitted")
    check = publication_problems(loaded(verdict))
    assert check.errors == [] and check.warnings == []
    markup = json.loads(check.preview)
    assert markup["claimReviewed"] == CLAIMANT["restatement"]
    assert markup["itemReviewed"]["author"]["name"] == CLAIMANT["claimant"]


def test_preview_reads_the_scale_only_for_a_numeric_rating(workspace, django_assert_num_queries):
    numeric = loaded(builders.verdict(workspace, status="draft"))
    with django_assert_num_queries(1):
        publication_problems(numeric)
    label_only = loaded(builders.verdict(workspace, status="draft", rating_label="Misleading"))
    with django_assert_num_queries(0):
        publication_problems(label_only)


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
