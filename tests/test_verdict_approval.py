"""Independent approval: whoever wrote or last changed a verdict's text cannot approve it.

The sequences an editor could use to approve text nobody else reviewed, tried through the
workflow functions, the plain (no-JS) forms and htmx.
"""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from claims import desk
from claims.models import Role, Verdict
from tests.conftest import client_for
from tests.factories import ClaimFactory, MembershipFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CHANGED_IT = "You changed this verdict's text: another editor must approve it."


@pytest.fixture
def team(workspace):
    def member(name, role):
        return MembershipFactory(user=UserFactory(username=name), workspace=workspace, role=role)

    return {
        "alice": member("alice", Role.REVIEWER),
        "ed": member("ed", Role.EDITOR),
        "cora": member("cora", Role.EDITOR),
    }


@pytest.fixture
def claim(workspace, team):
    claim = ClaimFactory(article__workspace=workspace)
    desk.assign_claim(membership=team["ed"], claim=claim, assignee=team["alice"].user)
    SourceFactory(claim=claim)
    return claim


def _rating(claim, label="False"):
    return claim.workspace.ratings.get(label=label)


def save(team, who, claim, summary="Wrong.", *, label="False", explanation="Because."):
    verdict = Verdict.objects.filter(claim=claim).first()
    return desk.save_verdict(
        membership=team[who],
        claim=claim,
        rating=_rating(claim, label),
        summary=summary,
        explanation=explanation,
        version=verdict.version if verdict else 0,
    )


def submit(team, who, claim):
    verdict = Verdict.objects.get(claim=claim)
    return desk.submit_verdict(membership=team[who], verdict=verdict, version=verdict.version)


def publish(team, who, claim):
    verdict = Verdict.objects.get(claim=claim)
    return desk.publish_verdict(membership=team[who], verdict=verdict, version=verdict.version)


def send_back(team, who, claim):
    verdict = Verdict.objects.get(claim=claim)
    return desk.return_verdict(
        membership=team[who], verdict=verdict, version=verdict.version, comment="Tighten it."
    )


def refused_to(team, who, claim, match):
    with pytest.raises(desk.NotAllowed, match=match):
        publish(team, who, claim)
    verdict = Verdict.objects.get(claim=claim)
    assert (verdict.status, verdict.approved_by) == ("submitted", None)


# --- The workflow functions -----------------------------------------------------------------


def test_the_first_save_makes_the_writer_the_last_editor(team, claim):
    verdict = save(team, "alice", claim)
    assert verdict.author == verdict.last_edited_by == team["alice"].user


def test_editing_a_submitted_verdict_then_approving_it_is_refused(team, claim):
    save(team, "alice", claim)
    submit(team, "alice", claim)
    save(team, "ed", claim, "Ed's own wording.")
    refused_to(team, "ed", claim, CHANGED_IT)
    verdict = publish(team, "cora", claim)
    assert (verdict.status, verdict.approved_by, verdict.summary) == (
        "published",
        team["cora"].user,
        "Ed's own wording.",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"label": "Half true"},  # the rating alone
        {"summary": "Wrong"},  # one character of the summary
        {"explanation": "Because, see the report."},
    ],
)
def test_any_change_of_rating_summary_or_explanation_counts(team, claim, change):
    save(team, "alice", claim)
    submit(team, "alice", claim)
    save(team, "ed", claim, **{"summary": "Wrong.", **change})
    refused_to(team, "ed", claim, CHANGED_IT)


def test_saving_the_text_unchanged_neither_counts_nor_launders(team, claim):
    save(team, "alice", claim)
    submit(team, "alice", claim)
    save(team, "ed", claim)  # the same rating, summary and explanation
    assert Verdict.objects.get().last_edited_by == team["alice"].user
    publish(team, "ed", claim)


def test_editing_the_draft_before_it_is_submitted_also_counts(team, claim):
    """Submitting makes alice the author, but the words are still ed's."""
    save(team, "alice", claim)
    save(team, "ed", claim, "Ed rewrote the draft.")
    submit(team, "alice", claim)
    assert Verdict.objects.get().author == team["alice"].user
    refused_to(team, "ed", claim, CHANGED_IT)
    publish(team, "cora", claim)


def test_send_back_and_resubmit_unchanged_still_needs_another_editor(team, claim):
    save(team, "alice", claim)
    submit(team, "alice", claim)
    save(team, "ed", claim, "Ed's wording.")
    send_back(team, "ed", claim)
    submit(team, "alice", claim)  # alice resubmits ed's text as it is
    refused_to(team, "ed", claim, CHANGED_IT)


def test_once_the_author_changes_the_text_again_the_editor_may_approve(team, claim):
    """The text approved is then alice's last change, which ed did not write."""
    save(team, "alice", claim)
    submit(team, "alice", claim)
    save(team, "ed", claim, "Ed's wording.")
    send_back(team, "ed", claim)
    save(team, "alice", claim, "Alice's answer to Ed.")
    submit(team, "alice", claim)
    verdict = publish(team, "ed", claim)
    assert (verdict.approved_by, verdict.last_edited_by) == (team["ed"].user, team["alice"].user)


def test_the_author_still_cannot_approve(team, claim):
    save(team, "ed", claim)
    submit(team, "ed", claim)
    save(team, "cora", claim, "Cora's edit.")
    refused_to(team, "ed", claim, "You wrote this verdict")
    refused_to(team, "cora", claim, CHANGED_IT)


def test_an_edit_that_lands_while_approving_is_refused_not_an_error(team, claim):
    """The approver read the verdict before their own edit committed (two tabs, a replay):
    the version matches, the stale row says alice; the database constraint has the last word.
    """
    save(team, "alice", claim)
    submit(team, "alice", claim)
    stale = Verdict.objects.get()
    edited = save(team, "ed", claim, "Ed's wording.")
    with pytest.raises(desk.NotAllowed, match="changed this verdict's text"):
        desk.publish_verdict(membership=team["ed"], verdict=stale, version=edited.version)
    assert Verdict.objects.get().status == "submitted"


def test_the_database_refuses_an_approver_who_last_edited(team, claim):
    verdict = save(team, "alice", claim)
    submit(team, "alice", claim)
    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.filter(pk=verdict.pk).update(
            last_edited_by=team["ed"].user, approved_by=team["ed"].user
        )


def test_the_approver_may_propose_a_correction_but_another_editor_approves_it(team, claim):
    save(team, "alice", claim)
    submit(team, "alice", claim)
    verdict = publish(team, "ed", claim)
    correction = desk.propose_correction(
        membership=team["ed"],
        verdict=verdict,
        version=verdict.version,
        rating=_rating(claim, "Half true"),
        summary="Partly right.",
        explanation="Revised figures.",
        sources=[{"url": s.url, "stance": s.stance} for s in claim.sources.all()],
        reason="The agency revised its figures.",
    )
    with pytest.raises(desk.NotAllowed, match="Another editor must approve your correction"):
        desk.approve_correction(membership=team["ed"], correction=correction)
    corrected = desk.approve_correction(membership=team["cora"], correction=correction)
    # The approval stays ed's: the correction records who proposed and who approved it.
    assert (corrected.summary, corrected.approved_by) == ("Partly right.", team["ed"].user)
    correction.refresh_from_db()
    assert (correction.created_by, correction.decided_by) == (team["ed"].user, team["cora"].user)


# --- The claim page: plain forms and htmx ---------------------------------------------------


def url(name, claim):
    return reverse(name, kwargs={"slug": claim.workspace.slug, "pk": claim.pk})


def post_save(client, claim, summary, headers=None):
    verdict = Verdict.objects.get(claim=claim)
    data = {
        "rating": _rating(claim).pk,
        "summary": summary,
        "explanation": verdict.explanation,
        "version": verdict.version,
    }
    return client.post(url("verdict_save", claim), data, headers=headers or {})


def post_publish(client, claim, headers=None):
    version = Verdict.objects.get(claim=claim).version
    return client.post(url("verdict_publish", claim), {"version": version}, headers=headers or {})


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain-form", "htmx"])
def test_edit_then_approve_through_the_page_is_refused(team, claim, headers):
    save(team, "alice", claim)
    submit(team, "alice", claim)
    ed = client_for(team["ed"].user)
    response = post_save(ed, claim, "Ed's wording.", headers)
    assert response.status_code == (200 if headers else 302)

    page = ed.get(claim.get_absolute_url()).content.decode()
    assert "Approve and publish" not in page
    assert CHANGED_IT.replace("'", "&#x27;") in page
    assert "Send back" in page  # ed may still return it to alice

    response = post_publish(ed, claim, headers)
    assert response.status_code == 403
    assert CHANGED_IT.replace("'", "&#x27;") in response.content.decode()
    if headers:
        assert response.content.decode().lstrip().startswith('<section id="verdict"')
    assert Verdict.objects.get().status == "submitted"

    cora = client_for(team["cora"].user)
    assert "Approve and publish" in cora.get(claim.get_absolute_url()).content.decode()
    response = post_publish(cora, claim, headers)
    assert response.status_code == (200 if headers else 302)
    verdict = Verdict.objects.get()
    assert (verdict.status, verdict.approved_by) == ("published", team["cora"].user)


def test_send_back_resubmit_sequence_through_the_page(team, claim):
    save(team, "alice", claim)
    submit(team, "alice", claim)
    ed, alice = client_for(team["ed"].user), client_for(team["alice"].user)
    post_save(ed, claim, "Ed's wording.", HTMX)
    version = Verdict.objects.get().version
    ed.post(url("verdict_return", claim), {"version": version, "comment": "Check it."})
    alice.post(url("verdict_submit", claim), {"version": version + 1})
    assert Verdict.objects.get().status == "submitted"
    assert post_publish(ed, claim, HTMX).status_code == 403

    version = Verdict.objects.get().version
    ed.post(url("verdict_return", claim), {"version": version, "comment": "Your words, please."})
    post_save(alice, claim, "Alice's own words.")
    alice.post(url("verdict_submit", claim), {"version": version + 2})
    assert post_publish(ed, claim).status_code == 302
    verdict = Verdict.objects.get()
    assert (verdict.status, verdict.summary) == ("published", "Alice's own words.")
