"""Inviting people from the workspace settings, and answering: the e-mailed link (accept, or
create an account) and the in-app list. The inviter learns nothing about accounts and gains no
power over anyone before they accept."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Invitation, Membership, Notification, Role, User
from tests.conftest import client_for
from tests.factories import PASSWORD, InvitationFactory, UserFactory, WorkspaceFactory
from tests.urls_catalogue import APP_URLS, url_for

# Tasks run here, as in the embedded default: these tests check what the task does.
pytestmark = [pytest.mark.usefixtures("eager_tasks")]

NEW_PASSWORD = "tidal-orbit-quill-42"


@pytest.fixture
def admin(admin_member):
    return client_for(admin_member)


@pytest.fixture
def victim(db):
    """An account of the instance that is not a member of the workspace."""
    return UserFactory(
        username="victim", email="victim@example.org", first_name="Vivienne", last_name="Quarry"
    )


def invite(client, workspace, who, role="reviewer", **kwargs):
    url = reverse("member_invite", args=[workspace.slug])
    return client.post(url, {"who": who, "role": role}, **kwargs)


def settings_url(workspace):
    return reverse("workspace_settings", args=[workspace.slug])


def detail(invitation):
    return reverse("invitation_detail", args=[invitation.token])


def signup(invitation):
    return reverse("invitation_signup", args=[invitation.token])


def body(response) -> str:
    return response.content.decode()


def without_what_differs(response, typed: str) -> str:
    """The page with the typed value, CSRF tokens and invitation ids taken out."""
    page = body(response).replace(typed, "TYPED")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)
    page = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", page)
    return re.sub(r"/invitations/\d+/", "/invitations/ID/", page)


# --- The inviter's side ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "existing, missing", [("victim", "ghost1"), ("victim@example.org", "ghost@example.org")]
)
def test_the_inviter_gets_the_same_page_whether_or_not_the_account_exists(
    admin, workspace, victim, existing, missing
):
    admin.get(settings_url(workspace))  # the first visit in a session writes to it
    pages, queries = [], []
    for who in (existing, missing):
        with CaptureQueriesContext(connection) as captured:
            response = invite(admin, workspace, who, follow=True)
        assert response.status_code == 200
        assert f"Invitation sent to “{who}”" in body(response)
        pages.append(without_what_differs(response, who))
        queries.append(len(captured))
        Invitation.objects.all().delete()  # the next page lists only its own invitation
    assert pages[0] == pages[1]
    assert queries[0] == queries[1]  # the same work in the request; delivery is the worker's
    for detail_of_the_account in (victim.email, "Vivienne", "Quarry"):
        assert detail_of_the_account not in pages[0]


def test_nothing_is_attached_before_acceptance(admin, workspace, victim):
    invite(admin, workspace, "victim", role="admin")
    invite(admin, workspace, "victim@example.org", role="admin")
    assert not Membership.objects.filter(user=victim).exists()
    page = body(admin.get(settings_url(workspace)))
    assert "Vivienne" not in page
    # The member list has no row for them: only pending invitations, as typed.
    assert 'aria-label="Role of victim"' not in page
    assert re.findall(r"<td>(victim[^<]*)</td>", page) == ["victim@example.org", "victim"]


def test_an_invited_account_stays_out_of_the_inviters_reach(admin_member, workspace, victim):
    """Invite an existing account, then try every app page (and the Django admin, as the old
    seed gave it: staff with every permission of the app) to take it over."""
    admin_member.is_staff = True
    admin_member.save()
    admin_member.user_permissions.set(Permission.objects.filter(content_type__app_label="claims"))
    from tests.test_access import objects_of

    client = client_for(admin_member)
    invite(client, workspace, "victim", role="admin")
    invite(client, workspace, "victim@example.org", role="admin")
    before = User.objects.filter(pk=victim.pk).values().get()
    hostile = {
        "password": "pwned-by-admin-1",
        "password1": "pwned-by-admin-1",
        "password2": "pwned-by-admin-1",
        "new_password1": "pwned-by-admin-1",
        "new_password2": "pwned-by-admin-1",
        "old_password": PASSWORD,
        "email": "attacker@evil.example",
        "username": "victim",
        "user": victim.pk,
        "workspace": workspace.pk,
        "role": "admin",
        "is_staff": "on",
        "is_superuser": "on",
        "who": "victim",
    }
    objects = objects_of(workspace)
    for name in sorted(APP_URLS):
        client.post(url_for(name, objects), hostile)
    for path in (
        f"/admin/claims/user/{victim.pk}/change/",
        f"/admin/claims/user/{victim.pk}/password/",
        "/admin/claims/membership/add/",
        reverse("password_change"),
    ):
        client.post(path, hostile)
    client.post(reverse("password_reset"), {"email": victim.email})
    victim.refresh_from_db()
    assert User.objects.filter(pk=victim.pk).values().get() == before
    assert victim.check_password(PASSWORD)
    assert not Membership.objects.filter(user=victim).exists()
    # A reset link goes only to the account's own address.
    assert all(message.to == [victim.email] for message in mail.outbox)


@pytest.mark.parametrize("who", ["not-an-email@", "two words", "rita"])
def test_bad_invitations_are_explained_and_change_nothing(admin, workspace, reviewer, who):
    response = invite(admin, workspace, who, follow=True)
    assert b"message-error" in response.content
    assert not Invitation.objects.exists()
    assert workspace.memberships.count() == 2


def test_a_too_long_value_is_a_form_error(admin, workspace):
    response = invite(admin, workspace, "x" * 300)
    assert response.status_code == 400
    assert b"at most 254 characters" in response.content
    assert not Invitation.objects.exists()


def test_pending_invitations_are_listed_and_can_be_withdrawn(admin, workspace, admin_member):
    invite(admin, workspace, "someone@example.org", role="editor")
    invitation = Invitation.objects.get()
    page = body(admin.get(settings_url(workspace)))
    assert "someone@example.org" in page and "Editor" in page
    assert admin_member.display_name in page.split('id="pending-invitations"')[1]
    revoke = reverse("invitation_revoke", args=[workspace.slug, invitation.pk])
    response = admin.post(revoke, follow=True)
    assert "Invitation to “someone@example.org” withdrawn." in body(response)
    assert "No pending invitations." in body(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert admin.post(revoke).status_code == 404  # already withdrawn


@pytest.mark.parametrize("rows", [1, 20])
def test_settings_page_queries_do_not_grow_with_invitations(
    admin, workspace, admin_member, rows, django_assert_num_queries
):
    for n in range(rows):
        InvitationFactory(workspace=workspace, invitee=f"person{n}", invited_by=admin_member)
    admin.get(settings_url(workspace))  # the session and the like, once
    with django_assert_num_queries(9):
        response = admin.get(settings_url(workspace))
    assert body(response).count("Withdraw</button>") == rows


def test_only_admins_invite_and_withdraw(client, workspace, reviewer, editor, outsider):
    invitation = InvitationFactory(workspace=workspace, invitee="pending")
    revoke = reverse("invitation_revoke", args=[workspace.slug, invitation.pk])
    for user in (reviewer, editor):
        client.force_login(user)
        assert invite(client, workspace, "someone").status_code == 403
        assert client.post(revoke).status_code == 403
    client.force_login(outsider)
    assert invite(client, workspace, "someone").status_code == 404
    assert client.post(revoke).status_code == 404
    assert list(Invitation.objects.values_list("invitee", "revoked_at")) == [("pending", None)]


def test_an_admin_of_another_workspace_cannot_withdraw(client, workspace, other_workspace):
    invitation = InvitationFactory(workspace=workspace, invitee="pending")
    rival = UserFactory(username="rival-admin")
    Membership.objects.create(user=rival, workspace=other_workspace, role=Role.ADMIN)
    client.force_login(rival)
    mixed = reverse("invitation_revoke", args=[other_workspace.slug, invitation.pk])
    assert client.post(mixed).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_invite_and_withdraw_refuse_get(admin, workspace):
    invitation = InvitationFactory(workspace=workspace, invitee="pending")
    assert admin.get(reverse("member_invite", args=[workspace.slug])).status_code == 405
    revoke = reverse("invitation_revoke", args=[workspace.slug, invitation.pk])
    assert admin.get(revoke).status_code == 405
    assert not Invitation.objects.exclude(pk=invitation.pk).exists()


# --- The e-mailed link ----------------------------------------------------------------------


def test_the_invitee_sees_who_invites_them_where_and_accepts(
    client, workspace, victim, admin_member
):
    invitation = InvitationFactory(
        workspace=workspace, invitee="victim", role=Role.EDITOR, invited_by=admin_member
    )
    client.force_login(victim)
    page = client.get(detail(invitation))
    assert page.status_code == 200
    text = body(page)
    assert "Daily Example" in text and "editor" in text and admin_member.display_name in text
    response = client.post(detail(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", args=[workspace.slug])
    assert Membership.objects.get(user=victim, workspace=workspace).role == Role.EDITOR


def test_the_link_needs_a_login_and_comes_back_after_it(client, workspace):
    invitation = InvitationFactory(workspace=workspace, invitee="victim")
    for response in (client.get(detail(invitation)), client.post(detail(invitation))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=/invitations/")
    assert not Membership.objects.filter(workspace=workspace).exists()


def test_another_logged_in_account_gets_404_and_changes_nothing(client, workspace, victim):
    invitation = InvitationFactory(workspace=workspace, invitee="victim@example.org")
    mallory = UserFactory(username="mallory", email="mallory@example.org")
    client.force_login(mallory)
    for response in (client.get(detail(invitation)), client.post(detail(invitation))):
        assert response.status_code == 404
        assert "Daily Example" not in body(response)
        assert "not sent to the account you are logged in with" in body(response)
    assert not Membership.objects.filter(user=mallory).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_unknown_token_is_not_found(client, victim):
    client.force_login(victim)
    assert client.get(reverse("invitation_detail", args=["no-such-token"])).status_code == 404
    assert Client().get(reverse("invitation_signup", args=["x"])).status_code == 404


@pytest.mark.parametrize(
    "state, message",
    [
        ({"revoked_at": timezone.now()}, "withdrawn by the workspace&#x27;s admins"),
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "has expired"),
        ({"declined_at": timezone.now()}, "was declined"),
    ],
)
def test_a_closed_link_says_why_and_changes_nothing(client, workspace, victim, state, message):
    invitation = InvitationFactory(workspace=workspace, invitee="victim", **state)
    client.force_login(victim)
    for response in (client.get(detail(invitation)), client.post(detail(invitation))):
        assert response.status_code == 410
        assert message in body(response)
        assert "Accept and join" not in body(response)
    assert not Membership.objects.filter(user=victim).exists()


def test_a_used_link_says_so(client, workspace, victim):
    invitation = InvitationFactory(workspace=workspace, invitee="victim")
    client.force_login(victim)
    client.post(detail(invitation))
    Membership.objects.filter(user=victim).delete()  # removed later: the link stays used
    response = client.post(detail(invitation))
    assert response.status_code == 410
    assert "already been used" in body(response)
    assert not Membership.objects.filter(user=victim).exists()


def test_accepting_when_already_a_member_is_explained(client, workspace, reviewer):
    invitation = InvitationFactory(workspace=workspace, invitee="rita", role=Role.ADMIN)
    client.force_login(reviewer)
    assert "already a member of Daily Example" in body(client.get(detail(invitation)))
    response = client.post(detail(invitation))
    assert response.status_code == 409
    assert Membership.objects.get(user=reviewer).role == Role.REVIEWER


def test_the_link_refuses_other_methods(client, workspace, victim):
    invitation = InvitationFactory(workspace=workspace, invitee="victim")
    client.force_login(victim)
    assert client.put(detail(invitation)).status_code == 405
    client.logout()
    assert client.put(signup(invitation)).status_code == 405
    assert not Membership.objects.filter(user=victim).exists()


# --- Creating an account from the link ------------------------------------------------------


@pytest.fixture
def email_invitation(workspace, admin_member):
    return InvitationFactory(
        workspace=workspace, invitee="new.person@example.org", invited_by=admin_member
    )


def signup_data(**extra):
    return {"username": "newperson", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **extra}


def test_signup_shows_the_address_and_does_not_let_it_change(client, email_invitation, workspace):
    page = client.get(signup(email_invitation))
    assert page.status_code == 200
    assert re.search(r'<input[^>]*value="new.person@example.org"[^>]*disabled', body(page))
    response = client.post(signup(email_invitation), signup_data(email="attacker@evil.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", args=[workspace.slug])
    user = User.objects.get(username="newperson")
    assert user.email == "new.person@example.org"
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user).workspace == workspace
    # Logged in as the new account.
    assert client.get(reverse("workspace_list")).context["user"] == user


@pytest.mark.parametrize(
    "data, error",
    [
        (signup_data(password2="something-else-1"), "The two password fields didn"),
        (signup_data(password1="short", password2="short"), "too short"),
        (signup_data(password1="password123", password2="password123"), "too common"),
        (
            signup_data(password1="new.person.example", password2="new.person.example"),
            "too similar to the email address",
        ),
        (signup_data(username="rita"), "A user with that username already exists."),
        (signup_data(username="Rita"), "A user with that username already exists."),
        (signup_data(username="me@example.org"), "can&#x27;t contain"),
    ],
)
def test_signup_validates_like_the_rest_of_django(client, email_invitation, reviewer, data, error):
    response = client.post(signup(email_invitation), data)
    assert response.status_code == 400
    assert error in body(response)
    assert User.objects.count() == 2  # the admin and rita
    email_invitation.refresh_from_db()
    assert email_invitation.accepted_at is None


def test_the_link_creates_one_account_only(client, email_invitation):
    client.post(signup(email_invitation), signup_data())
    response = Client().post(signup(email_invitation), signup_data(username="second"))
    assert response.status_code == 410
    assert not User.objects.filter(username="second").exists()


def test_signup_is_not_offered_for_existing_accounts(client, workspace, victim):
    accounts = User.objects.count()
    by_name = InvitationFactory(workspace=workspace, invitee="victim")
    by_address = InvitationFactory(workspace=workspace, invitee="victim@example.org")
    for invitation, message in (
        (by_name, "is for an existing account"),
        (by_address, "An account with this e-mail address exists"),
    ):
        page = client.get(signup(invitation))
        assert message in body(page)
        assert 'name="password1"' not in body(page)
        response = client.post(signup(invitation), signup_data())
        assert response.status_code == 409
    assert User.objects.count() == accounts
    assert not Membership.objects.filter(user=victim).exists()


def test_signup_when_logged_in_goes_to_the_invitation(client, email_invitation, victim):
    client.force_login(victim)
    response = client.get(signup(email_invitation))
    assert response.status_code == 302
    assert response["Location"] == detail(email_invitation)


def test_from_the_email_to_the_desk(admin, client, workspace, django_capture_on_commit_callbacks):
    """The whole way: invite an address, follow the e-mailed link, create the account."""
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin, workspace, "new.person@example.org", role="editor")
    [message] = mail.outbox
    link = re.search(r"https?://[^/]+(/invitations/\S+/signup/)", message.body).group(1)
    response = client.post(link, signup_data(), follow=True)
    assert "Welcome to Daily Example." in body(response)
    user = User.objects.get(username="newperson")
    assert Membership.objects.get(user=user, workspace=workspace).role == Role.EDITOR


# --- In the app, for invitations by user name -----------------------------------------------


def test_invitations_by_user_name_wait_in_the_workspace_list(
    admin, client, workspace, victim, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin, workspace, "victim", role="editor")
    assert Notification.objects.filter(recipient=victim, claim=None).count() == 1
    client.force_login(victim)
    page = body(client.get(reverse("workspace_list")))
    invitation = Invitation.objects.get()
    assert "invited you to join" in page and "Daily Example" in page
    assert reverse("invitation_accept", args=[invitation.pk]) in page
    assert reverse("invitation_decline", args=[invitation.pk]) in page
    response = client.post(reverse("invitation_accept", args=[invitation.pk]))
    assert response["Location"] == reverse("dashboard", args=[workspace.slug])
    assert Membership.objects.get(user=victim, workspace=workspace).role == Role.EDITOR
    assert "invited you to join" not in body(client.get(reverse("workspace_list")))


def test_a_name_registered_after_the_invitation_does_not_get_it(admin, client, workspace):
    """An invitation to a name nobody had (a typo) is not handed to whoever takes it later."""
    invite(admin, workspace, "latecomer", role="admin")
    invitation = Invitation.objects.get()
    latecomer = UserFactory(username="latecomer")
    client.force_login(latecomer)
    assert "invited you to join" not in body(client.get(reverse("workspace_list")))
    client.post(reverse("invitation_accept", args=[invitation.pk]))
    assert not Membership.objects.filter(user=latecomer).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_declining_removes_it_for_the_invitee_but_not_for_the_inviter(
    admin, client, workspace, victim
):
    invitation = InvitationFactory(workspace=workspace, invitee="victim")
    client.force_login(victim)
    response = client.post(reverse("invitation_decline", args=[invitation.pk]), follow=True)
    assert "You declined the invitation to Daily Example." in body(response)
    assert "invited you to join" not in body(response)
    assert not Membership.objects.filter(user=victim).exists()
    # The inviter is not told that an account answered.
    assert "<td>victim</td>" in body(admin.get(settings_url(workspace)))


def test_nobody_else_can_answer_an_in_app_invitation(client, workspace, victim, outsider):
    invitation = InvitationFactory(workspace=workspace, invitee="victim")
    email_one = InvitationFactory(workspace=workspace, invitee="olga@example.org")
    client.force_login(outsider)
    for target in (invitation, email_one):  # an e-mail invitation needs its link
        for name in ("invitation_accept", "invitation_decline"):
            assert client.post(reverse(name, args=[target.pk])).status_code == 404
    assert not Membership.objects.filter(workspace=workspace).exists()
    assert not Invitation.objects.exclude(declined_at=None).exists()


def test_in_app_answers_refuse_get(client, workspace, victim):
    invitation = InvitationFactory(workspace=workspace, invitee="victim")
    client.force_login(victim)
    for name in ("invitation_accept", "invitation_decline"):
        assert client.get(reverse(name, args=[invitation.pk])).status_code == 405
    invitation.refresh_from_db()
    assert (invitation.accepted_at, invitation.declined_at) == (None, None)


def test_an_expired_in_app_invitation_is_explained(client, workspace, victim):
    invitation = InvitationFactory(
        workspace=workspace, invitee="victim", expires_at=timezone.now() - datetime.timedelta(1)
    )
    client.force_login(victim)
    assert "invited you to join" not in body(client.get(reverse("workspace_list")))
    response = client.post(reverse("invitation_accept", args=[invitation.pk]), follow=True)
    assert "has expired" in body(response)
    assert not Membership.objects.filter(user=victim).exists()


@pytest.mark.parametrize("rows", [1, 20])
def test_workspace_list_queries_do_not_grow_with_invitations(
    client, victim, rows, django_assert_num_queries
):
    for _ in range(rows):
        InvitationFactory(workspace=WorkspaceFactory(), invitee="victim")
    client.force_login(victim)
    client.get(reverse("workspace_list"))
    with django_assert_num_queries(7):
        response = client.get(reverse("workspace_list"))
    assert body(response).count("Decline</button>") == rows
