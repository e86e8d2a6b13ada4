"""The review workflow rules, independent of any page: who may do what, and what it records."""

import pytest
from django.core import mail

from claims import desk
from claims.models import Activity, Claim, Correction, Membership, Notification, Role, Verdict
from tests.factories import ClaimFactory, MembershipFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(workspace, username, role):
    return MembershipFactory(user=UserFactory(username=username), workspace=workspace, role=role)


@pytest.fixture
def team(workspace):
    return {
        "editor": member(workspace, "ed", Role.EDITOR),
        "editor2": member(workspace, "eve", Role.EDITOR),
        "alice": member(workspace, "alice", Role.REVIEWER),
        "bob": member(workspace, "bob", Role.REVIEWER),
    }


@pytest.fixture
def claim(workspace):
    return ClaimFactory(article__workspace=workspace)


def rating(workspace, label="False"):
    return workspace.ratings.get(label=label)


def test_editor_assigns_and_the_assignee_is_notified(
    team, claim, django_capture_on_commit_callbacks
):
    alice = team["alice"].user
    with django_capture_on_commit_callbacks(execute=True):
        desk.assign_claim(membership=team["editor"], claim=claim, assignee=alice, priority=4)
    claim.refresh_from_db()
    assert (claim.assignee, claim.status, claim.priority) == (alice, "assigned", 4)
    note = Notification.objects.get(recipient=alice)
    assert note.claim == claim and note.read_at is None
    assert mail.outbox[0].to == [alice.email]
    assert claim.text in mail.outbox[0].body
    assert Activity.objects.filter(verb="claim_assigned", claim=claim).exists()


def test_reviewer_cannot_assign(team, claim):
    with pytest.raises(desk.NotAllowed):
        desk.assign_claim(membership=team["alice"], claim=claim, assignee=team["bob"].user)
    claim.refresh_from_db()
    assert claim.assignee is None


def test_cannot_assign_to_an_outsider(team, claim, outsider):
    with pytest.raises(desk.NotAllowed, match="not a member"):
        desk.assign_claim(membership=team["editor"], claim=claim, assignee=outsider)


def test_unassign_puts_the_claim_back_to_new(team, claim):
    desk.assign_claim(membership=team["editor"], claim=claim, assignee=team["alice"].user)
    desk.assign_claim(membership=team["editor"], claim=claim, assignee=None)
    claim.refresh_from_db()
    assert (claim.assignee, claim.status) == (None, "new")


def test_taking_a_claim_twice_leaves_one_assignee(team, claim):
    desk.take_claim(membership=team["alice"], claim=claim)
    stale = Claim.objects.get(pk=claim.pk)
    with pytest.raises(desk.Conflict, match="took this claim first"):
        desk.take_claim(membership=team["bob"], claim=stale)
    claim.refresh_from_db()
    assert claim.assignee == team["alice"].user


def test_only_assignee_or_editor_adds_sources(team, claim):
    desk.assign_claim(membership=team["editor"], claim=claim, assignee=team["alice"].user)
    with pytest.raises(desk.NotAllowed):
        desk.add_source(membership=team["bob"], claim=claim, url="https://a.example.org")
    desk.add_source(membership=team["alice"], claim=claim, url="https://a.example.org")
    claim.refresh_from_db()
    assert claim.status == "researching"
    assert claim.sources.count() == 1


def draft(team, claim, who="alice", **fields):
    desk.assign_claim(membership=team["editor"], claim=claim, assignee=team[who].user)
    values = {"rating": rating(claim.workspace), "summary": "Wrong.", "explanation": "Because."}
    values.update(fields)
    return desk.save_verdict(membership=team[who], claim=claim, version=0, **values)


def test_full_workflow_to_publication(team, claim):
    verdict = draft(team, claim)
    assert verdict.status == "draft" and verdict.version == 1
    SourceFactory(claim=claim)
    verdict = desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    claim.refresh_from_db()
    assert (verdict.status, claim.status) == ("submitted", "in_review")
    verdict = desk.publish_verdict(membership=team["editor"], verdict=verdict, version=2)
    claim.refresh_from_db()
    assert (verdict.status, claim.status) == ("published", "published")
    assert verdict.approved_by == team["editor"].user
    assert verdict.published_at is not None
    verbs = set(Activity.objects.filter(claim=claim).values_list("verb", flat=True))
    assert {"verdict_saved", "verdict_submitted", "verdict_published"} <= verbs


def test_reviewer_cannot_publish(team, claim):
    verdict = draft(team, claim)
    SourceFactory(claim=claim)
    verdict = desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    with pytest.raises(desk.NotAllowed, match="editor"):
        desk.publish_verdict(membership=team["bob"], verdict=verdict, version=2)


def test_nobody_approves_their_own_verdict(team, claim):
    verdict = draft(team, claim, who="editor")
    SourceFactory(claim=claim)
    verdict = desk.submit_verdict(membership=team["editor"], verdict=verdict, version=1)
    with pytest.raises(desk.NotAllowed, match="another editor"):
        desk.publish_verdict(membership=team["editor"], verdict=verdict, version=2)
    desk.publish_verdict(membership=team["editor2"], verdict=verdict, version=2)


def test_publishing_needs_a_source(team, claim):
    verdict = draft(team, claim)
    verdict = desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    with pytest.raises(desk.NotAllowed, match="source"):
        desk.publish_verdict(membership=team["editor"], verdict=verdict, version=2)
    assert Verdict.objects.get().status == "submitted"


def test_submitting_needs_rating_and_summary(team, claim):
    verdict = draft(team, claim, rating=None)
    with pytest.raises(desk.NotAllowed, match="rating"):
        desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)


def test_send_back_with_a_comment(team, claim):
    verdict = draft(team, claim)
    verdict = desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    with pytest.raises(desk.NotAllowed, match="what needs to change"):
        desk.return_verdict(membership=team["editor"], verdict=verdict, version=2, comment=" ")
    verdict = desk.return_verdict(
        membership=team["editor"], verdict=verdict, version=2, comment="Cite the 2023 report."
    )
    claim.refresh_from_db()
    assert (verdict.status, claim.status) == ("draft", "researching")
    assert claim.comments.get().body == "Cite the 2023 report."
    assert Notification.objects.filter(
        recipient=team["alice"].user,
        claim=claim,
        message__contains=f"sent back your verdict on “{claim.text[:30]}",
    ).exists()


def test_second_save_at_an_old_version_is_a_conflict(team, claim):
    draft(team, claim)
    desk.save_verdict(
        membership=team["editor"],
        claim=claim,
        rating=None,
        summary="Editor's words",
        explanation="",
        version=1,
    )
    with pytest.raises(desk.Conflict) as caught:
        desk.save_verdict(
            membership=team["alice"],
            claim=claim,
            rating=None,
            summary="Alice's words",
            explanation="",
            version=1,
        )
    assert caught.value.current.summary == "Editor's words"
    assert caught.value.current.version == 2
    assert Verdict.objects.get().summary == "Editor's words"


def test_reviewer_cannot_edit_a_submitted_verdict(team, claim):
    verdict = draft(team, claim)
    desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    with pytest.raises(desk.NotAllowed, match="waiting for an editor"):
        desk.save_verdict(
            membership=team["alice"],
            claim=claim,
            rating=None,
            summary="x",
            explanation="",
            version=2,
        )


def publish(team, claim):
    verdict = draft(team, claim)
    SourceFactory(claim=claim)
    verdict = desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    return desk.publish_verdict(membership=team["editor"], verdict=verdict, version=2)


def test_correcting_a_published_verdict_keeps_a_visible_record(team, claim):
    verdict = publish(team, claim)
    with pytest.raises(desk.NotAllowed, match="correction"):
        desk.save_verdict(
            membership=team["editor"],
            claim=claim,
            rating=None,
            summary="x",
            explanation="",
            version=verdict.version,
        )
    proposal = {
        "verdict": verdict,
        "version": verdict.version,
        "rating": rating(claim.workspace, "Half true"),
        "summary": "Partly right.",
        "explanation": "New data.",
        "sources": [{"url": s.url, "stance": s.stance} for s in claim.sources.all()],
    }
    with pytest.raises(desk.NotAllowed, match="why"):
        desk.propose_correction(membership=team["editor"], reason="", **proposal)
    correction = desk.propose_correction(
        membership=team["editor"], reason="The agency revised its figures.", **proposal
    )
    # Nothing changes until another editor approves it.
    verdict.refresh_from_db()
    assert verdict.rating.label == "False" and correction.status == "proposed"
    corrected = desk.approve_correction(membership=team["editor2"], correction=correction)
    assert corrected.rating.label == "Half true" and corrected.status == "published"
    correction = Correction.objects.get()
    assert (correction.old_rating.label, correction.new_rating.label) == ("False", "Half true")
    assert correction.reason == "The agency revised its figures."
    assert correction.status == "approved" and correction.decided_by == team["editor2"].user


def test_ratings_from_another_workspace_are_refused(team, claim, other_workspace):
    desk.assign_claim(membership=team["editor"], claim=claim, assignee=team["alice"].user)
    with pytest.raises(desk.NotAllowed, match="scale"):
        desk.save_verdict(
            membership=team["alice"],
            claim=claim,
            rating=rating(other_workspace),
            summary="x",
            explanation="",
            version=0,
        )


def test_dismissing_needs_an_editor_and_a_reason(team, claim):
    with pytest.raises(desk.NotAllowed):
        desk.update_claim(membership=team["editor"], claim=claim, status="dismissed")
    desk.update_claim(
        membership=team["editor"], claim=claim, status="dismissed", dismissed_reason="Opinion"
    )
    claim.refresh_from_db()
    assert (claim.status, claim.dismissed_reason) == ("dismissed", "Opinion")


def test_workflow_statuses_cannot_be_set_directly(team, claim):
    desk.assign_claim(membership=team["editor"], claim=claim, assignee=team["alice"].user)
    for status in ("in_review", "published"):
        with pytest.raises(desk.NotAllowed):
            desk.update_claim(membership=team["editor"], claim=claim, status=status)


def test_bulk_actions(team, workspace):
    claims = ClaimFactory.create_batch(3, article__workspace=workspace)
    ids = Claim.objects.filter(pk__in=[c.pk for c in claims])
    done, skipped = desk.bulk_update(
        membership=team["editor"], claims=ids, action="assign", assignee=team["bob"].user
    )
    assert (done, skipped) == (3, 0)
    assert set(Claim.objects.values_list("assignee__username", "status")) == {("bob", "assigned")}
    assert Notification.objects.filter(recipient=team["bob"].user).count() == 3
    done, skipped = desk.bulk_update(
        membership=team["bob"], claims=ids, action="priority", priority=4
    )
    assert done == 3
    with pytest.raises(desk.NotAllowed):
        desk.bulk_update(membership=team["bob"], claims=ids, action="dismiss", reason="x")
    done, _ = desk.bulk_update(
        membership=team["editor"], claims=ids, action="dismiss", reason="Dup"
    )
    assert set(Claim.objects.values_list("status", "dismissed_reason")) == {("dismissed", "Dup")}
    assert Activity.objects.filter(verb="claim_dismissed").count() == 3


def test_reviewer_bulk_only_touches_their_own_claims(team, workspace):
    mine = ClaimFactory(article__workspace=workspace)
    theirs = ClaimFactory(article__workspace=workspace)
    desk.assign_claim(membership=team["editor"], claim=mine, assignee=team["alice"].user)
    desk.assign_claim(membership=team["editor"], claim=theirs, assignee=team["bob"].user)
    done, skipped = desk.bulk_update(
        membership=team["alice"], claims=Claim.objects.all(), action="priority", priority=1
    )
    assert (done, skipped) == (1, 1)
    assert Claim.objects.get(pk=theirs.pk).priority == 2


def test_bulk_never_reaches_another_workspace(team, workspace, other_workspace):
    foreign = ClaimFactory(article__workspace=other_workspace)
    done, _ = desk.bulk_update(
        membership=team["editor"], claims=Claim.objects.all(), action="dismiss", reason="x"
    )
    assert done == 0
    foreign.refresh_from_db()
    assert foreign.status == "new"


def test_membership_removed_mid_way(team, claim):
    Membership.objects.filter(pk=team["alice"].pk).delete()
    with pytest.raises(desk.NotAllowed):
        desk.assign_claim(membership=team["editor"], claim=claim, assignee=team["alice"].user)
