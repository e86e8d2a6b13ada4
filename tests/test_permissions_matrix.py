"""Every claim-page action x every role: allowed ones succeed, refused ones change nothing.

Roles: the claim's assignee (a reviewer), another reviewer, an editor, an admin, and a member
of another workspace. Each action is set up in the state where it makes sense (a draft to
submit, a submitted verdict to publish...), so a refusal can only come from permissions.
"""

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Activity, Claim, Comment, Correction, Role, Source, Verdict
from tests.conftest import approval_seen
from tests.factories import (
    ClaimFactory,
    MembershipFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)

ROLES = ["assignee", "reviewer", "editor", "admin", "outsider"]

# action -> roles allowed in the claim's own workspace
ALLOWED = {
    "claim_assign": {"editor", "admin"},
    "claim_take": {"assignee", "reviewer", "editor", "admin"},
    "claim_status": {"assignee", "editor", "admin"},
    "source_add": {"assignee", "editor", "admin"},
    "source_edit": {"assignee", "editor", "admin"},
    "source_delete": {"assignee", "editor", "admin"},
    "comment_add": {"assignee", "reviewer", "editor", "admin"},
    "verdict_save": {"assignee", "editor", "admin"},
    "verdict_submit": {"assignee", "editor", "admin"},
    "verdict_publish": {"editor", "admin"},
    "verdict_return": {"editor", "admin"},
    # Proposing a correction: whoever works on the claim; deciding it: an editor (not the
    # proposer, here the verdict's writer).
    "verdict_correct": {"assignee", "editor", "admin"},
    "correction_approve": {"editor", "admin"},
    "correction_reject": {"editor", "admin"},
}


@pytest.fixture
def people(workspace, other_workspace):
    def member(name, role, ws=workspace):
        user = UserFactory(username=name)
        MembershipFactory(user=user, workspace=ws, role=role)
        return user

    return {
        "assignee": member("alice", Role.REVIEWER),
        "reviewer": member("bob", Role.REVIEWER),
        "editor": member("eddie", Role.EDITOR),
        "admin": member("ada", Role.ADMIN),
        "outsider": member("olga", Role.ADMIN, other_workspace),
        "writer": member("wendy", Role.EDITOR),  # wrote the verdicts editors approve
    }


def setup(action, workspace, people):
    """The claim in the state the action needs, and the POST data for it."""
    assignee = people["assignee"]
    status = "new" if action == "claim_take" else "researching"
    claim = ClaimFactory(
        article__workspace=workspace,
        status=status,
        assignee=None if action == "claim_take" else assignee,
    )
    rating = workspace.ratings.get(label="False")
    source = SourceFactory(claim=claim)
    data, extra = {}, {}
    if action == "claim_take":
        pass
    elif action == "claim_assign":
        data = {"assignee": people["reviewer"].pk, "priority": 3}
    elif action == "claim_status":
        data = {"status": "assigned"}
    elif action == "source_add":
        data = {"url": "https://stats.example.org/new", "stance": "refutes"}
    elif action == "source_edit":
        data = {"url": "https://stats.example.org/edited", "stance": "context"}
        extra = {"source_pk": source.pk}
    elif action == "source_delete":
        SourceFactory(claim=claim)
        extra = {"source_pk": source.pk}
    elif action == "comment_add":
        data = {"body": "Checked with the ministry."}
    elif action == "verdict_save":
        data = {"rating": rating.pk, "summary": "Not so.", "explanation": "…", "version": 0}
    else:
        verdict_status = {
            "verdict_submit": "draft",
            "verdict_publish": "submitted",
            "verdict_return": "submitted",
            "verdict_correct": "published",
            "correction_approve": "published",
            "correction_reject": "published",
        }[action]
        fields = {"status": verdict_status, "author": people["writer"]}
        if verdict_status == "published":
            from django.utils import timezone

            fields.update(approved_by=people["editor"], published_at=timezone.now())
            claim.status = "published"
            claim.save()
        if verdict_status == "submitted":
            claim.status = "in_review"
            claim.save()
        verdict = VerdictFactory(claim=claim, rating=rating, **fields)
        if action in ("correction_approve", "correction_reject"):
            proposed = {
                "version": verdict.version,
                "rating": rating.pk,
                "summary": "Corrected.",
                "explanation": "…",
                "sources": [
                    {
                        "url": source.url,
                        "title": "",
                        "publisher": "",
                        "excerpt": "",
                        "stance": "context",
                    }
                ],
            }
            correction = Correction.objects.create(
                verdict=verdict, proposed=proposed, reason="x", created_by=people["writer"]
            )
            extra = {"correction_pk": correction.pk}
        data = {
            # What the claim page's approve form sends back.
            "seen": approval_seen(correction) if action == "correction_approve" else "",
            "version": verdict.version,
            "comment": "Needs a source.",
            "rating": rating.pk,
            "summary": "Corrected.",
            "explanation": "…",
            "reason": "New figures.",
            "note": "Not needed.",
            # The correction's sources: the current one, kept.
            "sources-TOTAL_FORMS": 1,
            "sources-INITIAL_FORMS": 1,
            "sources-0-keep": "on",
            "sources-0-url": source.url,
            "sources-0-stance": "context",
        }
    return claim, data, extra


def state():
    return (
        list(Claim.objects.values_list("status", "assignee", "priority")),
        list(Verdict.objects.values_list("status", "version", "summary")),
        list(Source.objects.order_by("pk").values_list("url", "stance")),
        Comment.objects.count(),
        Activity.objects.count(),
        list(Correction.objects.values_list("status", flat=True)),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_matrix(action, role, workspace, people):
    claim, data, extra = setup(action, workspace, people)
    client = Client()
    client.force_login(people[role])
    url = reverse(action, kwargs={"slug": workspace.slug, "pk": claim.pk, **extra})
    before = state()
    response = client.post(url, data)
    if role == "outsider":
        assert response.status_code == 404
        assert state() == before
    elif role in ALLOWED[action]:
        assert response.status_code == 302, response.content[:2000]
        assert response["Location"] == claim.get_absolute_url()
        assert state() != before
    else:
        assert response.status_code == 403
        assert state() == before
    # The outsider's own workspace URL for this claim does not exist either.
    if role == "outsider":
        theirs = reverse(action, kwargs={"slug": "rival-desk", "pk": claim.pk, **extra})
        assert client.post(theirs, data).status_code == 404
        assert state() == before
