"""Workspace settings for admins: organisation, members, invitations and roles, the scale."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from claims import desk, members, two_factor
from claims.forms import (
    ClaimSelectionForm,
    MemberInviteForm,
    MemberRoleForm,
    MethodologyForm,
    OrganisationForm,
    RatingForm,
    WorkspaceTwoFactorForm,
)
from claims.models import Invitation, Membership, Rating
from claims.permissions import get_membership


def _render(request, membership, status=200, **forms):
    workspace = membership.workspace
    context = {
        "membership": membership,
        "workspace": workspace,
        "organisation_form": forms.get("organisation_form") or OrganisationForm(instance=workspace),
        "selection_form": forms.get("selection_form") or ClaimSelectionForm(instance=workspace),
        "methodology_form": forms.get("methodology_form") or MethodologyForm(instance=workspace),
        "member_form": forms.get("member_form") or MemberInviteForm(),
        "rating_form": forms.get("rating_form") or RatingForm(workspace=workspace),
        "members": workspace.memberships.select_related("user").order_by("user__username"),
        "invitations": workspace.invitations.pending().select_related("invited_by"),
        "ratings": workspace.ratings.annotate(uses=Count("verdicts")),
        "roles": MemberRoleForm.base_fields["role"].choices,
        "two_factor_form": forms.get("two_factor_form") or _two_factor_form(request, workspace),
        "two_factor_members": workspace.memberships.filter(
            user__totpdevice__confirmed=True
        ).count(),
    }
    return render(request, "claims/workspace_settings.html", context, status=status)


def _two_factor_form(request, workspace, data=None):
    verified = two_factor.is_verified(request.user)
    return WorkspaceTwoFactorForm(data, instance=workspace, admin_verified=verified)


def _done(request, slug, text):
    messages.success(request, text)
    return redirect("workspace_settings", slug)


def _refused(request, slug, exc):
    messages.error(request, str(exc))
    return redirect("workspace_settings", slug)


@require_GET
@login_required
def workspace_settings(request, slug):
    return _render(request, get_membership(request, slug, admin=True))


@require_POST
@login_required
def organisation_save(request, slug):
    membership = get_membership(request, slug, admin=True)
    form = OrganisationForm(request.POST, instance=membership.workspace)
    if not form.is_valid():
        return _render(request, membership, status=400, organisation_form=form)
    form.save()
    return _done(request, slug, "Workspace details saved.")


@require_POST
@login_required
def methodology_save(request, slug):
    """The public methodology text (shown on /fact-checks/<slug>/methodology/)."""
    membership = get_membership(request, slug, admin=True)
    form = MethodologyForm(request.POST, instance=membership.workspace)
    if not form.is_valid():
        return _render(request, membership, status=400, methodology_form=form)
    form.save()
    return _done(request, slug, "Methodology saved: it is public.")


@require_POST
@login_required
def claim_selection_save(request, slug):
    """Set the score at which a sentence becomes a claim."""
    membership = get_membership(request, slug, admin=True)
    form = ClaimSelectionForm(request.POST, instance=membership.workspace)
    if not form.is_valid():
        return _render(request, membership, status=400, selection_form=form)
    workspace = form.save()
    return _done(request, slug, f"Claim threshold set to {workspace.claim_threshold:g}.")


@require_POST
@login_required
def member_invite(request, slug):
    membership = get_membership(request, slug, admin=True)
    form = MemberInviteForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, status=400, member_form=form)
    try:
        answer = members.invite_member(
            membership=membership, who=form.cleaned_data["who"], role=form.cleaned_data["role"]
        )
    except desk.NotAllowed as exc:
        return _refused(request, slug, exc)
    return _done(request, slug, answer)


@require_POST
@login_required
def invitation_revoke(request, slug, invitation_pk):
    membership = get_membership(request, slug, admin=True)
    invitation = get_object_or_404(
        Invitation.objects.open(), workspace=membership.workspace, pk=invitation_pk
    )
    members.revoke_invitation(membership=membership, invitation=invitation)
    return _done(request, slug, f"Invitation to “{invitation.invitee}” withdrawn.")


@require_POST
@login_required
def member_role(request, slug, member_pk):
    membership = get_membership(request, slug, admin=True)
    target = get_object_or_404(Membership, workspace=membership.workspace, pk=member_pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _refused(request, slug, desk.NotAllowed("Choose a role."))
    try:
        members.change_role(membership=membership, target=target, role=form.cleaned_data["role"])
    except desk.NotAllowed as exc:
        return _refused(request, slug, exc)
    return _done(request, slug, f"{target.user.display_name} is now {target.get_role_display()}.")


@require_POST
@login_required
def member_remove(request, slug, member_pk):
    membership = get_membership(request, slug, admin=True)
    target = get_object_or_404(
        Membership.objects.select_related("user"), workspace=membership.workspace, pk=member_pk
    )
    try:
        members.remove_member(membership=membership, target=target)
    except desk.NotAllowed as exc:
        return _refused(request, slug, exc)
    return _done(request, slug, f"{target.user.display_name} removed from the workspace.")


@require_POST
@login_required
def rating_save(request, slug, rating_pk=None):
    """Add a rating to the scale, or edit one (rating_pk)."""
    membership = get_membership(request, slug, admin=True)
    workspace = membership.workspace
    rating = get_object_or_404(Rating, workspace=workspace, pk=rating_pk) if rating_pk else None
    form = RatingForm(request.POST, instance=rating, workspace=workspace)
    if not form.is_valid():
        return _render(request, membership, status=400, rating_form=form)
    form.instance.workspace = workspace
    form.save()
    return _done(request, slug, f"Rating “{form.instance.label}” saved.")


@require_POST
@login_required
def rating_delete(request, slug, rating_pk):
    membership = get_membership(request, slug, admin=True)
    rating = get_object_or_404(Rating, workspace=membership.workspace, pk=rating_pk)
    try:
        rating.delete()
    except ProtectedError:
        return _refused(
            request, slug, desk.NotAllowed(f"“{rating}” is used by verdicts; rename it instead.")
        )
    return _done(request, slug, f"Rating “{rating.label}” removed.")


@require_POST
@login_required
def two_factor_save(request, slug):
    """Require two-factor sign-in of every member (or stop requiring it)."""
    membership = get_membership(request, slug, admin=True)
    form = _two_factor_form(request, membership.workspace, request.POST)
    if not form.is_valid():
        return _render(request, membership, status=400, two_factor_form=form)
    workspace = form.save()
    rule = "now requires" if workspace.require_two_factor else "no longer requires"
    return _done(request, slug, f"{workspace.name} {rule} two-factor sign-in.")
