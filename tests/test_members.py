"""claims.members: invitations (consent before anyone joins), roles, removal, the last admin."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from claims import members
from claims.desk import NotAllowed
from claims.models import Claim, Invitation, Membership, Notification, Role, User
from tests.factories import ClaimFactory, InvitationFactory, MembershipFactory, UserFactory

# Tasks run here, as in the embedded default: these tests check what the task does.
pytestmark = [pytest.mark.usefixtures("eager_tasks")]

NEUTRAL = "Invitation sent to “{}”. They join the workspace when they accept it."


@pytest.fixture
def admin(workspace, admin_member):
    return Membership.objects.select_related("user", "workspace").get(user=admin_member)


@pytest.fixture
def invite(admin, django_capture_on_commit_callbacks):
    """Invite as the admin and run the delivery the commit would send to the worker."""

    def invite(who, role=Role.REVIEWER, membership=None):
        with django_capture_on_commit_callbacks(execute=True):
            return members.invite_member(membership=membership or admin, who=who, role=role)

    return invite


def link_token(message) -> str:
    return re.search(r"/invitations/([\w-]+)/", message.body).group(1)


# --- Inviting -------------------------------------------------------------------------------


def test_the_answer_is_the_same_whether_or_not_an_account_exists(invite, workspace):
    UserFactory(username="victim", email="victim@example.org")
    for who in ("victim", "nobody-here", "victim@example.org", "new.person@example.org"):
        assert invite(who) == NEUTRAL.format(who)
    assert sorted(workspace.invitations.values_list("invitee", flat=True)) == [
        "new.person@example.org",
        "nobody-here",
        "victim",
        "victim@example.org",
    ]
    # Nobody joined, and no account was made for the new address.
    assert workspace.memberships.count() == 1
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_what_is_typed_is_kept_in_lower_case_and_trimmed(invite, workspace):
    assert invite("  Victim@Example.ORG ") == NEUTRAL.format("victim@example.org")
    assert workspace.invitations.get().invitee == "victim@example.org"


def test_an_existing_account_is_not_attached_and_stays_out_of_reach(invite, workspace):
    victim = UserFactory(username="victim", email="victim@example.org")
    password = victim.password
    invite("victim", role=Role.ADMIN)
    invite("victim@example.org", role=Role.ADMIN)
    assert not Membership.objects.filter(user=victim).exists()
    victim.refresh_from_db()
    assert (victim.password, victim.email, victim.is_staff) == (
        password,
        "victim@example.org",
        False,
    )


@pytest.mark.parametrize("who", ["rita", "RITA", "rita@example.org"])
def test_a_member_the_admin_can_see_is_already_a_member(invite, workspace, reviewer, who):
    with pytest.raises(NotAllowed, match="already a member"):
        invite(who)
    assert not workspace.invitations.exists()


def test_a_member_of_another_workspace_is_just_invited(invite, workspace, outsider):
    assert invite("olga") == NEUTRAL.format("olga")


@pytest.mark.parametrize(
    "who, message",
    [
        ("", "Give an e-mail address or a user name."),
        ("not-an-email@", "is not a valid e-mail address"),
        ("two words", "is not a valid user name"),
        ("a" * 151, "is not a valid user name"),
    ],
)
def test_bad_input_is_explained(invite, workspace, who, message):
    with pytest.raises(NotAllowed, match=message):
        invite(who)
    assert not workspace.invitations.exists()


def test_only_admins_invite(invite, workspace, editor):
    membership = Membership.objects.get(user=editor)
    with pytest.raises(NotAllowed, match="Only a workspace admin"):
        invite("someone", membership=membership)
    with pytest.raises(NotAllowed, match="Choose a role"):
        invite("someone", role="owner")
    assert not workspace.invitations.exists()


def test_the_token_is_stored_only_as_its_hash(invite, workspace):
    invite("new.person@example.org")
    [message] = mail.outbox
    token = link_token(message)
    invitation = workspace.invitations.get()
    assert len(token) >= 40
    assert invitation.token_hash != token and token not in invitation.token_hash
    assert len(invitation.token_hash) == 64
    assert Invitation.objects.by_token(token).get() == invitation
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=13)


def test_inviting_again_resends_with_the_new_role_and_only_the_new_link_works(invite, workspace):
    invite("new.person@example.org")
    invite("new.person@example.org", role=Role.EDITOR)
    invitation = workspace.invitations.get()
    assert invitation.role == Role.EDITOR
    first, second = (link_token(m) for m in mail.outbox)
    assert not Invitation.objects.by_token(first).exists()
    assert Invitation.objects.by_token(second).get() == invitation


def test_a_declined_invitation_is_not_sent_again_but_the_answer_is_the_same(invite, workspace):
    invitee = UserFactory(username="shy")
    invite("shy")
    members.decline_invitation(invitation=workspace.invitations.get(), user=invitee)
    mail.outbox.clear()
    assert invite("shy") == NEUTRAL.format("shy")
    assert mail.outbox == []
    assert workspace.invitations.pending().count() == 1  # the inviter still sees it pending


def test_an_expired_invitation_is_replaced(invite, workspace):
    old = InvitationFactory(
        workspace=workspace, invitee="late", expires_at=timezone.now() - datetime.timedelta(1)
    )
    invite("late")
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert workspace.invitations.pending().get().pk != old.pk


# --- Delivery -------------------------------------------------------------------------------


def test_an_email_invitation_to_a_new_address_links_to_the_signup(invite, workspace, admin_member):
    invite("new.person@example.org")
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    assert workspace.name in message.subject
    assert admin_member.display_name in message.body
    assert re.search(r"/invitations/[\w-]+/signup/", message.body)


def test_an_email_invitation_to_an_account_asks_to_log_in(invite):
    UserFactory(username="victim", email="victim@example.org")
    invite("victim@example.org")
    [message] = mail.outbox
    assert message.to == ["victim@example.org"]
    assert "/signup/" not in message.body
    assert "Log in and accept" in message.body


def test_a_user_name_invitation_reaches_the_account_by_mail_and_in_the_app(invite, workspace):
    victim = UserFactory(username="victim", email="victim@example.org")
    invite("victim", role=Role.EDITOR)
    [message] = mail.outbox
    assert message.to == ["victim@example.org"]
    [note] = Notification.objects.filter(recipient=victim)
    assert note.claim is None and note.workspace == workspace
    assert "as editor" in note.message


def test_a_user_name_without_an_account_sends_nothing(invite):
    invite("nobody-here")
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_an_account_without_an_address_is_told_in_the_app_only(invite):
    quiet = UserFactory(username="quiet", email="")
    invite("quiet")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=quiet).count() == 1


def test_delivery_skips_invitations_that_are_no_longer_pending(workspace):
    invitation = InvitationFactory(workspace=workspace, invitee="x@example.org")
    invitation.revoked_at = timezone.now()
    invitation.save()
    members.deliver_invitation(invitation.pk)
    assert mail.outbox == []


# --- Answering ------------------------------------------------------------------------------


def test_accepting_joins_with_the_role_offered(workspace):
    invitee = UserFactory(username="victim")
    invitation = InvitationFactory(workspace=workspace, invitee="victim", role=Role.EDITOR)
    membership = members.accept_invitation(invitation=invitation, user=invitee)
    assert (membership.workspace, membership.role) == (workspace, Role.EDITOR)
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee and invitation.accepted_at
    with pytest.raises(NotAllowed, match="already been used"):
        members.accept_invitation(invitation=invitation, user=invitee)


def test_an_email_invitation_is_for_the_account_with_that_address(workspace):
    owner = UserFactory(username="owner", email="Victim@Example.org")
    other = UserFactory(username="victim@example.org", email="other@example.org")
    invitation = InvitationFactory(workspace=workspace, invitee="victim@example.org")
    with pytest.raises(NotAllowed, match="sent to someone else"):
        members.accept_invitation(invitation=invitation, user=other)
    assert not Membership.objects.filter(user=other).exists()
    members.accept_invitation(invitation=invitation, user=owner)
    assert Membership.objects.filter(user=owner, workspace=workspace).exists()


@pytest.mark.parametrize(
    "state, message",
    [
        ({"revoked_at": timezone.now()}, "withdrawn"),
        ({"declined_at": timezone.now()}, "declined"),
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, "expired"),
    ],
)
def test_closed_invitations_change_nothing(workspace, state, message):
    invitee = UserFactory(username="victim")
    invitation = InvitationFactory(workspace=workspace, invitee="victim", **state)
    with pytest.raises(NotAllowed, match=message):
        members.accept_invitation(invitation=invitation, user=invitee)
    assert not Membership.objects.filter(user=invitee).exists()


def test_accepting_when_already_a_member(workspace, reviewer):
    invitation = InvitationFactory(workspace=workspace, invitee="rita", role=Role.ADMIN)
    with pytest.raises(NotAllowed, match="already a member of Daily Example"):
        members.accept_invitation(invitation=invitation, user=reviewer)
    assert Membership.objects.get(user=reviewer).role == Role.REVIEWER


def test_declining_hides_it_from_the_invitee_only(workspace):
    invitee = UserFactory(username="victim")
    invitation = InvitationFactory(workspace=workspace, invitee="victim")
    assert list(Invitation.objects.waiting_for(invitee)) == [invitation]
    members.decline_invitation(invitation=invitation, user=invitee)
    assert list(Invitation.objects.waiting_for(invitee)) == []
    assert list(workspace.invitations.pending()) == [invitation]
    with pytest.raises(NotAllowed, match="declined"):
        members.accept_invitation(invitation=invitation, user=invitee)


def test_an_email_invitation_never_waits_for_an_account_named_like_the_address(workspace):
    lookalike = UserFactory(username="victim@example.org", email="")
    InvitationFactory(workspace=workspace, invitee="victim@example.org")
    assert not Invitation.objects.waiting_for(lookalike).exists()


def test_revoking(workspace, admin):
    invitation = InvitationFactory(workspace=workspace, invitee="victim")
    members.revoke_invitation(membership=admin, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not workspace.invitations.pending().exists()


# --- Roles and removal ----------------------------------------------------------------------


def membership(user):
    return Membership.objects.select_related("user", "workspace").get(user=user)


def test_the_last_admin_can_be_neither_demoted_nor_removed(admin):
    with pytest.raises(NotAllowed, match="needs at least one admin"):
        members.change_role(membership=admin, target=admin, role=Role.EDITOR)
    with pytest.raises(NotAllowed, match="needs at least one admin"):
        members.remove_member(membership=admin, target=admin)
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_an_admin_demoted_a_moment_ago_can_no_longer_change_roles(workspace, admin):
    """Their membership, as loaded for their request, still says admin: it must not count."""
    second = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    third = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    stale_second = membership(second.user)
    members.change_role(membership=admin, target=second, role=Role.REVIEWER)
    with pytest.raises(NotAllowed, match="Only a workspace admin"):
        members.change_role(membership=stale_second, target=third, role=Role.REVIEWER)
    with pytest.raises(NotAllowed, match="Only a workspace admin"):
        members.remove_member(membership=stale_second, target=third)
    third.refresh_from_db()
    assert third.role == Role.ADMIN


def test_an_admin_demoted_a_moment_ago_can_no_longer_invite(workspace, admin):
    second = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    stale_second = membership(second.user)
    members.change_role(membership=admin, target=second, role=Role.REVIEWER)
    with pytest.raises(NotAllowed, match="Only a workspace admin"):
        members.invite_member(membership=stale_second, who="new@example.org", role=Role.ADMIN)
    assert not Invitation.objects.filter(workspace=workspace).exists()


def test_demoting_each_other_one_after_the_other_keeps_one_admin(workspace, admin):
    """The race's outcome when the two happen in turn, each with the page they loaded."""
    user = MembershipFactory(workspace=workspace, role=Role.ADMIN).user
    target, others_page = membership(user), membership(user)
    admins_page = membership(admin.user)
    members.change_role(membership=admin, target=target, role=Role.EDITOR)
    with pytest.raises(NotAllowed, match="needs at least one admin"):
        members.change_role(membership=others_page, target=admins_page, role=Role.EDITOR)
    assert list(workspace.memberships.filter(role=Role.ADMIN)) == [admin]


def test_a_target_removed_meanwhile_is_explained(workspace, admin, reviewer):
    target = membership(reviewer)
    Membership.objects.filter(pk=target.pk).delete()
    with pytest.raises(NotAllowed, match="no longer a member"):
        members.change_role(membership=admin, target=target, role=Role.EDITOR)
    assert not Membership.objects.filter(user=reviewer).exists()


def test_role_change_uses_the_role_in_the_database_not_the_page(workspace, admin):
    """The page said 'editor', but another admin made them admin since: still the last check."""
    other = MembershipFactory(workspace=workspace, role=Role.EDITOR)
    Membership.objects.filter(pk=other.pk).update(role=Role.ADMIN)
    Membership.objects.filter(pk=admin.pk).update(role=Role.REVIEWER)
    with pytest.raises(NotAllowed):
        members.change_role(membership=admin, target=other, role=Role.REVIEWER)
    assert Membership.objects.get(pk=other.pk).role == Role.ADMIN


def test_removing_frees_open_claims(workspace, admin, reviewer):
    claim = ClaimFactory(article__workspace=workspace, assignee=reviewer, status="researching")
    members.remove_member(membership=admin, target=membership(reviewer))
    claim.refresh_from_db()
    assert (claim.assignee, claim.status) == (None, Claim.Status.NEW)
    assert not Membership.objects.filter(user=reviewer).exists()
