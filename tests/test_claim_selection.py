"""Which sentences become claims, and what a reviewer is told about each.

The workspace threshold (set by admins in workspace settings) decides; extraction stores why
each claim was picked (cues) and whether it needs the sentence before it (needs_context); the
claim page shows that sentence, and the claim and article pages show the cues.
"""

import pytest
from django.urls import reverse

from claims import services
from claims.extraction.candidates import SURE_SCORE
from claims.models import Workspace
from tests.conftest import client_for
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SCORES = {
    "Exports fell 12 percent in 2023.": 0.75,
    "Imports rose 8 percent in 2023.": 0.65,
    "Prices rose 3 percent in 2023.": 0.55,
    "Wages fell 2 percent in 2023.": 0.45,
    "Rents rose 9 percent in 2023.": 0.35,
    "Jobs fell 1 percent in 2023.": 0.25,
}
BODY = "\n".join(SCORES)


@pytest.fixture
def scores(monkeypatch, fake_encoder):
    """Model scores from SCORES (a sure score, kept beyond the cap, for any other sentence)."""
    monkeypatch.setattr(
        "claims.extraction.candidates.score_sentences",
        lambda sentences: [SCORES.get(sentence, SURE_SCORE) for sentence in sentences],
    )


@pytest.fixture
def admin_client_(admin_member):
    return client_for(admin_member)


def settings_url(workspace):
    return reverse("claim_selection_save", args=[workspace.slug])


def extract(workspace, body=BODY):
    article = ArticleFactory(workspace=workspace, body=body, extraction_status="running")
    services.extract_claims(article)
    return article


def claim_texts(article):
    return set(article.claims.values_list("text", flat=True))


# --- the threshold, a workspace setting ----------------------------------------------------


def test_the_settings_page_shows_the_threshold(admin_client_, workspace):
    page = admin_client_.get(reverse("workspace_settings", args=[workspace.slug])).content
    assert b'id="claim-selection"' in page
    assert b'name="claim_threshold"' in page and b'value="0.5"' in page


def test_admin_changes_the_threshold_and_later_extractions_follow_it(
    admin_client_, workspace, scores
):
    # Default 0.5: three sentences pass it, and the cap keeps the best two of six.
    assert claim_texts(extract(workspace)) == {
        "Exports fell 12 percent in 2023.",
        "Imports rose 8 percent in 2023.",
    }
    response = admin_client_.post(settings_url(workspace), {"claim_threshold": "0.7"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("workspace_settings", args=[workspace.slug])
    assert "Claim threshold set to 0.7." in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.claim_threshold == 0.7
    assert claim_texts(extract(workspace, BODY + "\nArticle two.")) == {
        "Exports fell 12 percent in 2023."
    }


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "inf", "half", ""])
def test_a_bad_threshold_is_refused_with_a_message(admin_client_, workspace, value):
    response = admin_client_.post(settings_url(workspace), {"claim_threshold": value})
    assert response.status_code == 400
    assert b'class="error"' in response.content
    workspace.refresh_from_db()
    assert workspace.claim_threshold == 0.5


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_only_admins_set_the_threshold(workspace, reviewer, editor, role):
    user = {"reviewer": reviewer, "editor": editor}[role]
    response = client_for(user).post(settings_url(workspace), {"claim_threshold": "0.9"})
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.claim_threshold == 0.5


def test_an_outsider_cannot_set_another_workspace_threshold(outsider, workspace):
    response = client_for(outsider).post(settings_url(workspace), {"claim_threshold": "0.9"})
    assert response.status_code == 404
    assert Workspace.objects.get(pk=workspace.pk).claim_threshold == 0.5


def test_the_threshold_is_set_by_post_only(admin_client_, workspace):
    assert admin_client_.get(settings_url(workspace)).status_code == 405


# --- cues and needs_context, stored and shown ----------------------------------------------

CONTEXT_BODY = (
    "Perhaps surprisingly, total emissions fell 2 percent last year, the Rhodium Group said.\n"
    "The U.S. is burning less coal than it did in 2009.\n"
    "That\u2019s been driving down emissions from electricity generation."
)


@pytest.fixture
def context_article(workspace, scores):
    return extract(workspace, CONTEXT_BODY)


def test_extraction_stores_cues_and_needs_context(context_article):
    stored = {c.text[:20]: (c.cues, c.needs_context) for c in context_article.claims.all()}
    assert stored == {
        "Perhaps surprisingly": (["number", "date", "source", "comparison"], False),
        "The U.S. is burning ": (["date", "comparison"], False),
        "That\u2019s been driving ": (["cause"], True),
    }


def test_a_claim_by_hand_gets_cues_too(workspace, reviewer, fake_encoder):
    article = ArticleFactory(workspace=workspace, body=CONTEXT_BODY)
    start = CONTEXT_BODY.index("That")
    claim, created = services.add_manual_claim(
        article=article, user=reviewer, start=start, end=len(CONTEXT_BODY)
    )
    assert created and claim.cues == ["cause"] and claim.needs_context


def test_claim_page_shows_the_preceding_sentence_when_the_claim_needs_it(
    reviewer_client, context_article
):
    claim = context_article.claims.get(needs_context=True)
    page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert 'id="needs-context"' in page
    assert (
        '<blockquote class="context preceding" id="preceding-sentence">'
        "The U.S. is burning less coal than it did in 2009.</blockquote>" in page
    )
    assert "Picked for a causal claim" in page


def test_claim_page_of_a_claim_that_stands_alone_shows_no_preceding_sentence(
    reviewer_client, context_article
):
    claim = context_article.claims.get(text__startswith="The U.S.")
    page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert 'id="needs-context"' not in page and 'id="preceding-sentence"' not in page
    assert "Picked for a date, a comparison" in page


def test_the_preceding_sentence_costs_no_query(
    reviewer_client, context_article, django_assert_max_num_queries, django_assert_num_queries
):
    claim = context_article.claims.get(needs_context=True)
    reviewer_client.get(claim.get_absolute_url())  # warm the session and caches
    with django_assert_max_num_queries(40) as shown:
        page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert 'id="preceding-sentence"' in page
    claim.needs_context = False
    claim.save(update_fields=["needs_context"])
    with django_assert_num_queries(len(shown.captured_queries)):
        page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert 'id="preceding-sentence"' not in page


def test_article_page_shows_each_claims_cues_and_context_flag(reviewer_client, context_article):
    page = reviewer_client.get(context_article.get_absolute_url()).content.decode()
    assert '<span class="cues">a number, a date, a named source, a comparison</span>' in page
    assert '<span class="cues">a causal claim</span>' in page
    assert page.count('class="badge needs-context"') == 1
