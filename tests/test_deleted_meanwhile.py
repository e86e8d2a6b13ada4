"""An admin deletes an article while an editor is approving one of its verdicts.

The deletion locks the verdicts first (claims/curation.py), so a published verdict is never
deleted; when the deletion wins, the approving editor is told what happened instead of a 500.
"""

import pytest
from django.urls import reverse

from claims import desk
from claims.models import Claim, Role, Verdict
from tests.conftest import client_for
from tests.factories import ClaimFactory, MembershipFactory, UserFactory, VerdictFactory

pytestmark = pytest.mark.django_db

GONE = "This verdict was deleted with its article while you were working on it."


@pytest.fixture
def submitted(workspace):
    author = MembershipFactory(user=UserFactory(username="wes"), workspace=workspace)
    approver = MembershipFactory(
        user=UserFactory(username="eve"), workspace=workspace, role=Role.EDITOR
    )
    claim = ClaimFactory(article__workspace=workspace, status="in_review", assignee=author.user)
    verdict = VerdictFactory(claim=claim, author=author.user, status=Verdict.Status.SUBMITTED)
    return approver, verdict


def test_a_write_to_a_verdict_deleted_meanwhile_says_so(submitted):
    _, verdict = submitted
    stale = Verdict.objects.get(pk=verdict.pk)
    verdict.claim.article.delete()
    with pytest.raises(desk.Gone, match="deleted with its article"):
        desk._versioned_update(stale, stale.version, summary="Too late")
    assert not Verdict.objects.filter(pk=verdict.pk).exists()


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["plain", "htmx"])
def test_the_approving_editor_is_sent_to_the_queue_with_the_reason(
    submitted, workspace, monkeypatch, headers
):
    approver, verdict = submitted
    claim = verdict.claim

    def deleted_meanwhile(**kwargs):
        Claim.objects.filter(pk=claim.pk).delete()
        raise desk.Gone(GONE)

    monkeypatch.setattr(desk, "publish_verdict", deleted_meanwhile)
    client = client_for(approver.user)
    url = reverse("verdict_publish", args=[workspace.slug, claim.pk])
    response = client.post(url, {"version": verdict.version}, headers=headers)
    queue = reverse("claim_queue", args=[workspace.slug])
    if headers:
        assert response.status_code == 200 and response["HX-Redirect"] == queue
    else:
        assert response.status_code == 302 and response["Location"] == queue
    assert GONE in client.get(queue).content.decode()
