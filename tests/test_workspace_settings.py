"""Workspace admins manage the publisher details, members and roles, and the rating scale."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from claims.models import Claim, Invitation, Membership, Rating, Role, User
from tests.factories import ClaimFactory, UserFactory, VerdictFactory

# Tasks run here, as in the embedded default: these tests check what the task does.
pytestmark = [pytest.mark.usefixtures("eager_tasks")]


@pytest.fixture
def admin_client_(admin_member):
    from tests.conftest import client_for

    return client_for(admin_member)


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def test_page_lists_members_and_scale(admin_client_, workspace, reviewer):
    page = admin_client_.get(url("workspace_settings", workspace)).content.decode()
    assert reviewer.username in page
    assert "Mostly false" in page and "Unverifiable" in page


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_only_admins(client, workspace, role):
    from tests.conftest import _member

    client.force_login(_member(workspace, f"not-admin-{role}", role))
    assert client.get(url("workspace_settings", workspace)).status_code == 403
    response = client.post(url("organisation_save", workspace), {"name": "Hijacked"})
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Daily Example"


def test_organisation_details(admin_client_, workspace):
    response = admin_client_.post(
        url("organisation_save", workspace),
        {
            "name": "Daily Example",
            "organisation_name": "Example Checks",
            "organisation_url": "https://checks.example.org/",
        },
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.organisation_url == "https://checks.example.org/"
    bad = admin_client_.post(
        url("organisation_save", workspace),
        {"name": "Daily Example", "organisation_url": "javascript:alert(1)"},
    )
    assert bad.status_code == 400


def test_inviting_an_existing_user_attaches_them_only_when_they_accept(
    admin_client_, workspace, client
):
    user = UserFactory(username="newbie")
    response = admin_client_.post(
        url("member_invite", workspace), {"who": "NEWBIE", "role": "editor"}, follow=True
    )
    assert "Invitation sent to “newbie”" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()
    client.force_login(user)
    invitation = Invitation.objects.get(workspace=workspace)
    client.post(reverse("invitation_accept", args=[invitation.pk]))
    assert Membership.objects.get(user=user, workspace=workspace).role == Role.EDITOR


def test_inviting_an_address_sends_a_link_and_makes_no_account(
    admin_client_, workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            url("member_invite", workspace), {"who": "new.person@example.org", "role": "reviewer"}
        )
    assert not User.objects.filter(email="new.person@example.org").exists()
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    assert workspace.name in message.subject
    assert re.search(r"https?://[^/]+/invitations/[\w-]+/signup/", message.body)


def test_change_role_and_keep_one_admin(admin_client_, workspace, admin_member, reviewer):
    membership = Membership.objects.get(user=reviewer)
    admin_client_.post(url("member_role", workspace, membership.pk), {"role": "editor"})
    membership.refresh_from_db()
    assert membership.role == "editor"
    own = Membership.objects.get(user=admin_member)
    admin_client_.post(url("member_role", workspace, own.pk), {"role": "reviewer"})
    own.refresh_from_db()
    assert own.role == "admin"  # the last admin stays an admin


def test_removing_a_member_frees_their_claims(admin_client_, workspace, reviewer):
    claim = ClaimFactory(article__workspace=workspace, assignee=reviewer, status="researching")
    membership = Membership.objects.get(user=reviewer)
    admin_client_.post(url("member_remove", workspace, membership.pk))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    claim.refresh_from_db()
    assert (claim.assignee, claim.status) == (None, Claim.Status.NEW)


def test_rating_scale_edits(admin_client_, workspace):
    admin_client_.post(url("rating_add", workspace), {"label": "Satire", "position": 8})
    satire = workspace.ratings.get(label="Satire")
    assert satire.value is None
    response = admin_client_.post(url("rating_add", workspace), {"label": "satire", "position": 9})
    assert response.status_code == 400
    admin_client_.post(url("rating_edit", workspace, satire.pk), {"label": "Parody", "position": 8})
    satire.refresh_from_db()
    assert satire.label == "Parody"
    response = admin_client_.post(
        url("rating_add", workspace), {"label": "Odd", "value": 0, "position": 1}
    )
    assert response.status_code == 400
    admin_client_.post(url("rating_delete", workspace, satire.pk))
    assert not Rating.objects.filter(pk=satire.pk).exists()


def test_a_used_rating_cannot_be_deleted(admin_client_, workspace):
    verdict = VerdictFactory(claim=ClaimFactory(article__workspace=workspace))
    response = admin_client_.post(url("rating_delete", workspace, verdict.rating_id), follow=True)
    assert Rating.objects.filter(pk=verdict.rating_id).exists()
    assert b"used by verdicts" in response.content
