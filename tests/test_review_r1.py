"""Review R1 of issue 11: after publishing, nothing readers see changes except through a
correction whose every change a second editor saw before approving it."""

import pytest
from django.urls import reverse

from claims import curation, desk
from claims.models import Article, Correction, Rating, Workspace
from tests import test_corrections as corrections
from tests.conftest import client_for
from tests.test_corrections import HTMX, fresh, propose, public_page, url

# The corrections tests' fixtures: a team (alice, bob reviewers; ed, cora editors), a claim
# and its verdict, written by alice and published by ed.
team, claim, published = corrections.team, corrections.claim, corrections.published

pytestmark = pytest.mark.django_db


def _pending_labels(client, claim) -> str:
    return client.get(url("claim_detail", claim)).content.decode()


def test_scale_and_organisation_edits_ride_a_correction_only_when_listed(team, published, client):
    """An admin rewords a rating's meaning and renames the organisation after publication:
    the public page keeps the old ones; a later correction of the summary alone must show the
    approver, and list for readers, everything it would also change."""
    workspace = Workspace.objects.get(pk=published.claim.workspace_id)
    Rating.objects.filter(workspace=workspace, label="Mostly true").update(
        description="Accurate but needs context (reworded)."
    )
    Workspace.objects.filter(pk=workspace.pk).update(organisation_name="Renamed Checkers")
    before = public_page(client, published)
    assert "reworded" not in before and "Renamed Checkers" not in before

    correction = propose(
        team,
        "ed",
        published,
        rating=workspace.ratings.get(label="Mostly true"),
        summary="Close to the revised police figure.",
        sources=[
            {
                "url": s.url,
                "excerpt": s.excerpt,
                "stance": s.stance,
                "title": s.title,
                "publisher": s.publisher,
            }
            for s in published.claim.sources.all()
        ],
    )
    page = _pending_labels(client_for(team["cora"].user), published.claim)
    # The approver is shown every change readers would see ...
    assert "reworded" in page and "Renamed Checkers" in page
    desk.approve_correction(membership=team["cora"], correction=correction)
    after = public_page(client, published)
    assert "reworded" in after and "Renamed Checkers" in after
    # ... and readers are told of them.
    changed = " ".join(str(c) for c in Correction.objects.get(pk=correction.pk).changes)
    assert "reworded" in changed and "Renamed Checkers" in changed


def test_approving_what_changed_after_the_approver_read_it_is_refused(team, published, client):
    """The proposer (an editor) edits the article's headline after the approver opened the
    claim page: the approval the approver sends must not publish a headline they never saw."""
    claim = published.claim
    correction = propose(team, "ed", published)
    cora = client_for(team["cora"].user)
    page = cora.get(url("claim_detail", claim)).content.decode()
    seen = page.split('name="seen" value="')[1].split('"')[0]
    article = Article.objects.get(pk=claim.article_id)
    curation.correct_article(
        membership=team["ed"],
        article=article,
        title="A headline nobody approved",
        source_url=article.source_url,
        outlet=article.outlet,
        author=article.author,
        published_date=article.published_date,
    )
    response = cora.post(
        url("correction_approve", claim, correction_pk=correction.pk), {"seen": seen}
    )
    assert response.status_code == 409
    assert Correction.objects.get(pk=correction.pk).status == Correction.Status.PROPOSED
    assert "A headline nobody approved" not in public_page(client, published)
    # Read again, it can be approved, and the headline is listed.
    page = cora.get(url("claim_detail", claim)).content.decode()
    assert "A headline nobody approved" in page
    seen = page.split('name="seen" value="')[1].split('"')[0]
    response = cora.post(
        url("correction_approve", claim, correction_pk=correction.pk), {"seen": seen}
    )
    assert response.status_code == 302
    assert "A headline nobody approved" in public_page(client, published)


def test_approval_as_seen_over_htmx_goes_through(team, published):
    claim = published.claim
    correction = propose(team, "ed", published)
    cora = client_for(team["cora"].user)
    page = cora.get(url("claim_detail", claim)).content.decode()
    seen = page.split('name="seen" value="')[1].split('"')[0]
    response = cora.post(
        reverse(
            "correction_approve",
            kwargs={"slug": claim.workspace.slug, "pk": claim.pk, "correction_pk": correction.pk},
        ),
        {"seen": seen},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert Correction.objects.get(pk=correction.pk).status == Correction.Status.APPROVED
    assert fresh(published).rating.label == "Half true"


def test_attribution_saved_while_the_verdict_is_published_is_refused(team, claim, monkeypatch):
    """An editor saves the attribution while another editor publishes the verdict: the status
    read at the start is stale by the time of the write, which must see it published (the row
    lock makes the write wait for the publication, as sources do)."""
    from claims import attribution
    from claims.models import Claim, Verdict
    from tests.test_corrections import publish

    desk.assign_claim(membership=team["ed"], claim=claim, assignee=team["alice"].user)
    original = Claim.attribution_values

    def publish_meanwhile(self, **values):
        Verdict.objects.filter(claim=claim).delete()
        publish(team, Claim.objects.get(pk=claim.pk))
        return original(self, **values)

    monkeypatch.setattr(Claim, "attribution_values", publish_meanwhile)
    with pytest.raises(desk.NotAllowed, match="published"):
        attribution.attribute_claim(
            membership=team["cora"],
            claim=claim,
            claimant="Someone Unapproved",
            claimant_kind="person",
            claim_date=None,
            appearance_url="",
            restatement="",
        )
    assert Claim.objects.get(pk=claim.pk).claimant == ""


def test_an_approval_posted_without_the_page_publishes_nothing(team, published, claim, client):
    """The web path always compares: a POST that carries no "seen" (no page was read) is
    refused like a stale one, and nothing public changes."""
    correction = propose(team, "ed", published)
    before = public_page(client, published)
    cora = client_for(team["cora"].user)
    approve = url("correction_approve", claim, correction_pk=correction.pk)
    for headers in ({}, HTMX):
        response = cora.post(approve, {}, headers=headers)
        assert response.status_code == 409
    assert Correction.objects.get(pk=correction.pk).status == Correction.Status.PROPOSED
    assert public_page(client, published) == before
