"""Who may see and change what.

Access is always decided by a queryset scoped to the user's memberships, so an object from a
workspace the user does not belong to is simply not found (404): we never confirm that it exists.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from claims import two_factor
from claims.models import Article, Claim, Membership, Notification, Verdict

SESSION_WORKSPACE_KEY = "current_workspace"


def get_membership(request, slug: str, *, editor: bool = False, admin: bool = False) -> Membership:
    """The user's membership of the workspace named in the URL, or 404.

    With editor=True (or admin=True) a member without that role gets 403: they may know the
    workspace exists, but not act as an editor in it. A session that owes a second factor
    (claims/two_factor.py) is sent to give it, by TwoFactorRequired.
    """
    memberships = Membership.objects.select_related("workspace", "user")
    if not two_factor.is_verified(request.user):
        memberships = memberships.annotate(**two_factor.membership_flags())
    membership = get_object_or_404(memberships, workspace__slug=slug, user=request.user)
    # Found, so they may know the workspace exists; now, may this session open it yet?
    two_factor.check_membership(request, membership)
    if admin and not membership.is_admin:
        raise PermissionDenied("Only a workspace admin can do that.")
    if editor and not membership.is_editor:
        raise PermissionDenied("Only an editor can do that.")
    if request.session.get(SESSION_WORKSPACE_KEY) != slug:
        request.session[SESSION_WORKSPACE_KEY] = slug
    return membership


def get_article(membership: Membership, pk: int) -> Article:
    return get_object_or_404(
        Article.objects.select_related("submitted_by"), workspace=membership.workspace, pk=pk
    )


def get_claim(membership: Membership, pk: int) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("article", "assignee"),
        workspace=membership.workspace,
        pk=pk,
    )


def get_verdict(membership: Membership, claim_pk: int) -> Verdict:
    return get_object_or_404(
        Verdict.objects.select_related("claim__article", "rating", "author", "approved_by"),
        claim__workspace=membership.workspace,
        claim_id=claim_pk,
    )


def visible_notifications(user):
    """The user's notifications from workspaces this session may open: a workspace that
    requires two-factor sign-in shows none until the session has given a code."""
    # An invitation's notice comes from a workspace the user is not a member of yet: it carries
    # no workspace data, and it is how they learn of the invitation.
    mine = Notification.objects.filter(recipient=user)
    may_open = two_factor.may_open(user)
    if not may_open:  # a verified session opens every workspace
        return mine
    return mine.filter(~Q(workspace__memberships__user=user) | may_open)
