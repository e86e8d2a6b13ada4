"""Workspace members: invitations, roles and removal, the write paths of workspace admins.

Nobody is ever attached to a workspace without their consent. An admin invites an e-mail
address or a user name; the invitee accepts while logged in (or creates an account from the
e-mailed link). Until then the inviter learns nothing about any account behind what they typed:
the answer is the same sentence, the request does the same work (delivery happens in the
worker), and the invitee stays outside the admin's reach.

Role changes and removals lock the workspace's admin memberships (SELECT ... FOR UPDATE, in
primary-key order so two admins never deadlock) and re-read the acting admin under that lock:
two admins demoting each other at once leave one admin, and an admin demoted a moment ago can
no longer act as one.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from claims import broker_status
from claims.desk import NotAllowed
from claims.models import Claim, Invitation, Membership, Notification, Role, User

logger = logging.getLogger(__name__)

INVITATION_DAYS = 14


def _require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise NotAllowed("Only a workspace admin can do that.")


# --- Inviting -------------------------------------------------------------------------------


def _invitee(who: str) -> str:
    """What the admin typed, checked and in lower case; "@" makes it an e-mail address."""
    who = who.strip().lower()
    if not who:
        raise NotAllowed("Give an e-mail address or a user name.")
    by_email = "@" in who
    try:
        if len(who) > (254 if by_email else User._meta.get_field("username").max_length):
            raise ValidationError("too long")
        (validate_email if by_email else UnicodeUsernameValidator())(who)
    except ValidationError:
        kind = "e-mail address" if by_email else "user name"
        raise NotAllowed(f"“{who[:100]}” is not a valid {kind}.") from None
    return who


def invite_member(*, membership: Membership, who: str, role: str) -> str:
    """Invite someone by e-mail address or user name; returns what to tell the inviter.

    The answer is the same whether or not an account exists. Only someone the admin can already
    see in the member list (by user name or e-mail) is answered "already a member". Inviting
    again while an invitation is pending sends it again with the new role (unless the invitee
    declined it: they are not asked twice before it expires).
    """
    _require_admin(membership)
    who = _invitee(who)
    if role not in Role.values:
        raise NotAllowed("Choose a role.")
    members = Membership.objects.filter(workspace_id=membership.workspace_id)
    if members.filter(Q(user__username__iexact=who) | Q(user__email__iexact=who)).exists():
        raise NotAllowed(f"“{who}” is already a member.")
    expires_at = timezone.now() + datetime.timedelta(days=INVITATION_DAYS)
    with transaction.atomic():
        # Re-read the inviter's role under a lock, as role changes do: a demotion that
        # committed a moment ago wins over the form they loaded as an admin.
        acting = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if acting is None or not acting.is_admin:
            raise NotAllowed("Only a workspace admin can do that.")
        invitation = (
            Invitation.objects.open()
            .select_for_update()
            .filter(workspace_id=membership.workspace_id, invitee=who)
            .first()
        )
        if invitation is not None and invitation.is_expired:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            invitation = None
        if invitation is None:
            invitation = _create_invitation(membership, who, role, expires_at)
        elif not invitation.declined_at:
            invitation.role, invitation.invited_by = role, membership.user
            invitation.expires_at = expires_at
            invitation.save(update_fields=["role", "invited_by", "expires_at"])
        if invitation is not None and not invitation.declined_at:
            _enqueue_delivery(invitation.pk)
    return f"Invitation sent to “{who}”. They join the workspace when they accept it."


def _create_invitation(membership, who, role, expires_at) -> Invitation | None:
    invitation = Invitation(
        workspace_id=membership.workspace_id,
        invitee=who,
        role=role,
        invited_by=membership.user,
        expires_at=expires_at,
    )
    invitation.issue_token()  # a placeholder: delivery issues the token that is sent
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        return None  # another admin invited the same person at this moment: theirs stands
    return invitation


def _enqueue_delivery(invitation_id: int) -> None:
    """Send after commit, from the worker. If the broker is down, inviting again resends."""
    from claims.tasks import deliver_invitation

    def send():
        try:
            deliver_invitation.delay(invitation_id)
        except OperationalError:
            logger.warning("Task queue unreachable; invitation %s not sent", invitation_id)
            broker_status.mark_down()

    transaction.on_commit(send)


def deliver_invitation(invitation_id: int) -> None:
    """E-mail the invitation (and, for an account named by user name, tell them in the app).

    An e-mail invitation goes to the address typed; one by user name goes to that account's
    address, if it has one, and nowhere at all when no such account exists. Each delivery
    issues a new link, so only the latest e-mail's link works.
    """
    invitation = (
        Invitation.objects.pending()
        .filter(pk=invitation_id, declined_at__isnull=True)
        .select_related("workspace", "invited_by")
        .first()
    )
    if invitation is None:
        return
    if invitation.by_email:
        address = invitation.invitee
        has_account = User.objects.filter(email__iexact=address).exists()
    else:
        account = _account_named(invitation.invitee)
        if account is None:
            return
        address, has_account = account.email, True
    token = invitation.issue_token()
    invitation.save(update_fields=["token_hash"])
    if not invitation.by_email:
        _notify_in_app(invitation, account)
    if address:
        _email(invitation, address, token, has_account=has_account)


def _account_named(username: str) -> User | None:
    candidates = User.objects.filter(username__iexact=username, is_active=True)
    return next((u for u in candidates if u.username.lower() == username), None)


def _inviter_name(invitation: Invitation) -> str:
    if invitation.invited_by:
        return invitation.invited_by.display_name
    return f"An admin of {invitation.workspace.name}"


def _notify_in_app(invitation: Invitation, account: User) -> None:
    message = (
        f"{_inviter_name(invitation)} invited you to join {invitation.workspace.name} as"
        f" {invitation.get_role_display().lower()}. Accept or decline it under Workspaces."
    )
    message = message if len(message) <= 300 else message[:299] + "…"
    Notification.objects.get_or_create(
        recipient=account,
        workspace=invitation.workspace,
        claim=None,
        message=message,
        read_at=None,
    )


def _email(invitation: Invitation, address: str, token: str, *, has_account: bool) -> None:
    context = {
        "invitation": invitation,
        "workspace": invitation.workspace,
        "inviter": _inviter_name(invitation),
        "has_account": has_account,
        "accept_url": settings.SITE_URL + reverse("invitation_detail", args=[token]),
        "signup_url": settings.SITE_URL + reverse("invitation_signup", args=[token]),
    }
    subject = render_to_string("registration/invitation_subject.txt", context)
    body = render_to_string("registration/invitation_email.txt", context)
    # A workspace name may hold a line break; a mail header may not.
    send_mail(" ".join(subject.split())[:200], body, None, [address], fail_silently=True)


def revoke_invitation(*, membership: Membership, invitation: Invitation) -> None:
    _require_admin(membership)
    if invitation.workspace_id != membership.workspace_id:
        raise NotAllowed("That invitation is not from this workspace.")
    Invitation.objects.open().filter(pk=invitation.pk).update(revoked_at=timezone.now())


# --- Answering an invitation ----------------------------------------------------------------


def acceptance_problem(invitation: Invitation, user: User) -> str:
    """Why this user cannot accept the invitation now ("" if they can)."""
    if reason := invitation.closed_reason():
        return reason
    if not invitation.is_for(user):
        return "This invitation was sent to someone else."
    if Membership.objects.filter(user=user, workspace_id=invitation.workspace_id).exists():
        return f"You are already a member of {invitation.workspace.name}."
    return ""


def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """The invitee joins with the role offered. Exactly one acceptance of one invitation."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("workspace")
            .get(pk=invitation.pk)
        )
        if problem := acceptance_problem(invitation, user):
            raise NotAllowed(problem)
        membership = Membership.objects.create(
            user=user, workspace=invitation.workspace, role=invitation.role
        )
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def decline_invitation(*, invitation: Invitation, user: User) -> None:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_for(user):
            raise NotAllowed("This invitation was sent to someone else.")
        if reason := invitation.closed_reason():
            raise NotAllowed(reason)
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])


def sign_up_problem(invitation: Invitation) -> str:
    """Why the invitation's link can't create a new account ("" if it can)."""
    if reason := invitation.closed_reason():
        return reason
    if not invitation.by_email:
        return "This invitation is for an existing account: log in to accept it."
    if User.objects.filter(email__iexact=invitation.invitee).exists():
        return "An account with this e-mail address exists: log in to accept the invitation."
    return ""


def sign_up_and_accept(*, invitation: Invitation, form) -> Membership:
    """Create the invitee's account from the signup form (its e-mail: the invitation's)."""
    with transaction.atomic():
        # Locked first: two sign-ups with one link make one account.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if problem := sign_up_problem(invitation):
            raise NotAllowed(problem)
        user = form.save(commit=False)
        user.email = invitation.invitee
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise NotAllowed("That user name was taken a moment ago: choose another.") from None
        return accept_invitation(invitation=invitation, user=user)


# --- Roles and removal ----------------------------------------------------------------------


def _lock_admins(membership: Membership, target: Membership) -> tuple[set[int], str | None]:
    """Lock the workspace's admins, then the target; return (admin pks, target's role now).

    Called inside a transaction. Everyone locks in the same order (admins by pk, then the
    target), so two admins acting at once queue up instead of deadlocking, and the second
    one counts the admins as the first left them.
    """
    admins = set(
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, role=Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    role = (
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, pk=target.pk)
        .values_list("role", flat=True)
        .first()
    )
    return admins, role


def _check_under_lock(membership, target, admins, role, *, new_role=None) -> None:
    if role is None:
        raise NotAllowed(f"{target.user.display_name} is no longer a member.")
    if role == Role.ADMIN and new_role != Role.ADMIN and not admins - {target.pk}:
        raise NotAllowed("A workspace needs at least one admin.")
    if membership.pk not in admins:
        # Demoted since the page was loaded (or a moment ago, by another admin).
        raise NotAllowed("Only a workspace admin can do that.")


def change_role(*, membership: Membership, target: Membership, role: str) -> None:
    _require_admin(membership)
    if role not in Role.values:
        raise NotAllowed("Choose a role.")
    with transaction.atomic():
        admins, current = _lock_admins(membership, target)
        _check_under_lock(membership, target, admins, current, new_role=role)
        Membership.objects.filter(pk=target.pk).update(role=role)
    target.role = role


def remove_member(*, membership: Membership, target: Membership) -> None:
    """Remove a member; their open claims go back to the queue, unassigned."""
    _require_admin(membership)
    with transaction.atomic():
        admins, current = _lock_admins(membership, target)
        _check_under_lock(membership, target, admins, current)
        Claim.objects.filter(
            workspace_id=membership.workspace_id,
            assignee_id=target.user_id,
            status__in=[Claim.Status.ASSIGNED, Claim.Status.RESEARCHING],
        ).update(assignee=None, status=Claim.Status.NEW, updated_at=timezone.now())
        Membership.objects.filter(pk=target.pk).delete()
