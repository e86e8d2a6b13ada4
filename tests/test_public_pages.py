"""The workspace's public corrections log and methodology page, the methodology setting behind
it, and the public link with its copy button on the internal pages."""

import datetime

import pytest
from django.urls import reverse

from claims import publication
from claims.models import Correction, Verdict
from tests.conftest import client_for
from tests.exports import builders
from tests.exports.test_claimreview import approve, attributed, loaded

XSS = '<script>alert("x")</script>'


def corrections_url(workspace):
    return reverse("public_corrections", args=[workspace.slug])


def methodology_url(workspace):
    return reverse("public_methodology", args=[workspace.slug])


def at(day):
    return datetime.datetime(2025, 4, day, 12, 0, tzinfo=datetime.UTC)


# --- Corrections log ------------------------------------------------------------------------


def test_corrections_log_lists_approved_corrections_newest_first(client, workspace):
    first = builders.verdict(workspace, claim=attributed(workspace, restatement="Crime fell."))
    second = builders.verdict(workspace)
    approve(first, reason="Older correction.", when=at(1), rating_label="False")
    approve(second, reason="Newer correction.", when=at(5), summary="Corrected summary.")
    page = client.get(corrections_url(workspace)).content.decode()
    assert page.index("Newer correction.") < page.index("Older correction.")
    assert "5 April 2025" in page and "1 April 2025" in page
    assert "Rating: “Mostly true” → “False”" in page
    assert "Summary: “Close to the official figure.” → “Corrected summary.”" in page
    # Each links to its fact-check, named by its restatement (or its sentence).
    assert (
        f'href="{reverse("public_verdict", args=[workspace.slug, first.pk])}">Crime fell.' in page
    )
    assert reverse("public_verdict", args=[workspace.slug, second.pk]) in page
    assert second.claim.text[:40] in page
    assert methodology_url(workspace) in page


def test_corrections_log_shows_nothing_proposed_rejected_or_unpublished(
    client, workspace, other_workspace
):
    verdict = builders.verdict(workspace)
    Correction.objects.create(verdict=verdict, reason="Only proposed.")
    Correction.objects.create(verdict=verdict, reason="Was rejected.", status="rejected")
    # An approved correction of a verdict no longer published (never happens through the
    # desk, but a row is not proof) stays out, as does another workspace's.
    hidden = builders.verdict(workspace)
    approve(hidden, reason="Of a withdrawn verdict.", when=at(2), summary="x")
    Verdict.objects.filter(pk=hidden.pk).update(status="submitted")
    theirs = builders.verdict(other_workspace)
    approve(theirs, reason="Their correction.", when=at(3), summary="y")
    page = client.get(corrections_url(workspace)).content.decode()
    for text in ("Only proposed.", "Was rejected.", "Of a withdrawn verdict.", "Their correction."):
        assert text not in page
    assert "No corrections so far." in page


def test_corrections_log_pages_in_a_fixed_number_of_queries(
    client, workspace, django_assert_num_queries
):
    verdict = builders.verdict(workspace)
    approve(verdict, reason="Correction 0.", when=at(1), summary="s0")
    # The workspace, the count, the page of corrections.
    with django_assert_num_queries(3):
        client.get(corrections_url(workspace))
    for day in range(2, 31):
        approve(verdict, reason=f"Correction {day}.", when=at(day), summary=f"s{day}")
    with django_assert_num_queries(3):
        first_page = client.get(corrections_url(workspace)).content.decode()
    assert "Correction 30." in first_page and "Correction 0." not in first_page
    assert "Page 1 of 2 · 30 corrections" in first_page
    with django_assert_num_queries(3):
        second_page = client.get(corrections_url(workspace), {"page": 2}).content.decode()
    assert "Correction 0." in second_page and "Correction 30." not in second_page
    # A page past the end shows the last one, rubbish shows the first.
    assert "Correction 0." in client.get(corrections_url(workspace), {"page": 99}).content.decode()
    assert (
        "Correction 30." in client.get(corrections_url(workspace), {"page": "x"}).content.decode()
    )


def test_corrections_log_escapes_what_it_shows(client, workspace):
    verdict = builders.verdict(workspace, claim=attributed(workspace, restatement=XSS))
    approve(verdict, reason=XSS, when=at(1), summary=XSS)
    page = client.get(corrections_url(workspace)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


# --- Methodology ----------------------------------------------------------------------------


def test_methodology_page_shows_the_text_and_the_scale_in_order(client, workspace):
    workspace.methodology = f"We check claims.\n\nThen we rate them. {XSS}"
    workspace.save()
    workspace.ratings.filter(label="False").update(description="Not accurate at all.")
    page = client.get(methodology_url(workspace)).content.decode()
    assert "<p>We check claims.</p>" in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    labels = ["True", "Mostly true", "Half true", "Mostly false", "False", "Misleading"]
    positions = [page.index(f"<strong>{label}</strong>") for label in labels]
    assert positions == sorted(positions)
    assert "Not accurate at all." in page
    assert corrections_url(workspace) in page


def test_methodology_queries_are_fixed(client, workspace, django_assert_num_queries):
    workspace.methodology = "How we work."
    workspace.save()
    with django_assert_num_queries(2):  # the workspace, its scale
        client.get(methodology_url(workspace))
    for position in range(20):
        workspace.ratings.create(label=f"Extra {position}", position=20 + position)
    with django_assert_num_queries(2):
        client.get(methodology_url(workspace))


# --- Who sees them --------------------------------------------------------------------------


@pytest.mark.parametrize("page", [corrections_url, methodology_url])
def test_a_workspace_with_a_public_face_is_readable_by_anyone(client, workspace, page):
    builders.verdict(workspace)
    assert client.get(page(workspace)).status_code == 200
    assert client.head(page(workspace)).status_code == 200


@pytest.mark.parametrize("name", ["public_corrections", "public_methodology"])
def test_an_unknown_or_silent_workspace_is_not_found(client, workspace, name):
    assert client.get(reverse(name, args=["no-such-desk"])).status_code == 404
    # Nothing published, no methodology: the desk is not announced to the world.
    builders.verdict(workspace, status="draft")
    page = reverse(name, args=[workspace.slug])
    assert client.get(page).status_code == 404
    workspace.methodology = "How we work."
    workspace.save()
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", [corrections_url, methodology_url])
def test_public_pages_refuse_post_and_change_nothing(client, workspace, page):
    verdict = builders.verdict(workspace)
    before = list(Correction.objects.values_list("pk", "status"))
    assert client.post(page(workspace)).status_code == 405
    assert list(Correction.objects.values_list("pk", "status")) == before
    assert Verdict.objects.get(pk=verdict.pk).status == "published"


# --- The methodology setting ----------------------------------------------------------------


@pytest.fixture
def admin_client_(admin_member):
    return client_for(admin_member)


def save_url(workspace):
    return reverse("methodology_save", args=[workspace.slug])


def test_admin_writes_the_methodology_and_it_is_public(admin_client_, client, workspace):
    settings_page = admin_client_.get(reverse("workspace_settings", args=[workspace.slug]))
    assert "Methodology (public)" in settings_page.content.decode()
    response = admin_client_.post(save_url(workspace), {"methodology": "We call both sides."})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.methodology == "We call both sides."
    assert "We call both sides." in client.get(methodology_url(workspace)).content.decode()


def test_an_over_long_methodology_is_refused_and_kept_in_the_form(admin_client_, workspace):
    text = "word " * 5000
    response = admin_client_.post(save_url(workspace), {"methodology": text})
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode().replace(",", "")
    assert text.strip()[:100] in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.methodology == ""


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_only_admins_set_the_methodology(client, workspace, role):
    from tests.conftest import _member

    client.force_login(_member(workspace, f"not-admin-{role}", role))
    assert client.post(save_url(workspace), {"methodology": "Hijacked"}).status_code == 403
    workspace.refresh_from_db()
    assert workspace.methodology == ""


def test_outsiders_cannot_set_it(outsider_client, workspace):
    assert outsider_client.post(save_url(workspace), {"methodology": "Hijacked"}).status_code == 404
    workspace.refresh_from_db()
    assert workspace.methodology == ""


def test_setting_it_needs_post(admin_client_, workspace):
    assert admin_client_.get(save_url(workspace)).status_code == 405


# --- The public link on the internal pages --------------------------------------------------


def test_claim_and_verdict_pages_link_to_the_public_page_with_a_copy_button(
    editor_client, workspace, settings
):
    settings.SITE_URL = "https://checks.example.org"
    verdict = builders.verdict(workspace)
    public = "https://checks.example.org" + reverse(
        "public_verdict", args=[workspace.slug, verdict.pk]
    )
    for page_url in (
        verdict.claim.get_absolute_url(),
        reverse("verdict_detail", args=[workspace.slug, verdict.claim_id]),
    ):
        page = editor_client.get(page_url).content.decode()
        assert f'value="{public}"' in page and f'href="{public}"' in page
        assert f'data-copy-target="public-link-{verdict.pk}" hidden>Copy link</button>' in page
        assert "/static/js/copy.js" in page


def test_a_draft_has_no_public_link_but_a_preview(editor_client, workspace):
    verdict = builders.verdict(workspace, status="draft")
    page = editor_client.get(verdict.claim.get_absolute_url()).content.decode()
    assert "Copy link" not in page
    assert "ClaimReview before publishing" in page
    assert "No confirmed claimant" in page
    assert reverse("claim_detail", args=[workspace.slug, verdict.claim_id]) + "#attribution" in page


def test_published_record_is_what_the_public_pages_read(workspace):
    verdict = builders.verdict(workspace)
    record = publication.current_record(loaded(verdict))
    assert record == Verdict.objects.get(pk=verdict.pk).public_record


# --- Through the desk: propose -> approve -> public ------------------------------------------


def test_a_correction_reaches_readers_only_once_approved(client, workspace, reviewer, editor):
    from claims import desk
    from claims.claimreview import build_claimreview
    from claims.models import Membership

    verdict = builders.with_sources(builders.verdict(workspace, summary="Close."), count=1)
    claim = verdict.claim
    claim.assignee = reviewer
    claim.save()
    proposer = Membership.objects.get(workspace=workspace, user=reviewer)
    approver = Membership.objects.get(workspace=workspace, user=editor)
    public_url = reverse("public_verdict", args=[workspace.slug, verdict.pk])
    before = client.get(public_url).content.decode()
    source = claim.sources.get()
    correction = desk.propose_correction(
        membership=proposer,
        verdict=loaded(verdict),
        version=verdict.version,
        rating=builders.rating(workspace, "False"),
        summary="Not close at all.",
        explanation=verdict.explanation,
        sources=[{"url": source.url, "title": source.title, "stance": source.stance}],
        reason="The ministry revised its release.",
    )
    # Proposed: readers see nothing of it.
    assert "The ministry revised its release." not in client.get(public_url).content.decode()
    assert "revised its release" not in client.get(corrections_url(workspace)).content.decode()
    assert "correction" not in build_claimreview(loaded(verdict))

    desk.approve_correction(membership=approver, correction=correction)
    page = client.get(public_url).content.decode()
    assert page != before
    assert "<strong>False</strong>" in page and "Not close at all." in page
    assert "Rating: “Mostly true” → “False”" in page
    assert "The ministry revised its release." in page
    markup = build_claimreview(loaded(verdict))
    assert markup["reviewRating"]["alternateName"] == "False"
    assert "dateModified" in markup and len(markup["correction"]) == 1
    log = client.get(corrections_url(workspace)).content.decode()
    assert "The ministry revised its release." in log and public_url in log


@pytest.mark.django_db
def test_a_new_workspace_publishes_what_each_default_rating_means(client):
    """IFCN and Google ask for the scale's definitions: a new desk has them out of the box."""
    from claims.models import Rating
    from tests.factories import WorkspaceFactory

    workspace = WorkspaceFactory(methodology="We check claims that matter.")
    assert all(workspace.ratings.values_list("description", flat=True))
    page = client.get(reverse("public_methodology", args=[workspace.slug])).content.decode()
    for label in ("Mostly true", "Unverifiable"):
        assert Rating.DEFAULT_DEFINITIONS[label] in page
