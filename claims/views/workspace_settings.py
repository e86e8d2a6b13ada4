"""Workspace settings for admins: organisation, members and roles, the rating scale."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from claims import desk
from claims.forms import MemberAddForm, MemberRoleForm, OrganisationForm, RatingForm
from claims.models import Membership, Rating
from claims.permissions import get_membership


def _render(request, membership, status=200, **forms):
    workspace = membership.workspace
    context = {
        "membership": membership,
        "workspace": workspace,
        "organisation_form": forms.get("organisation_form") or OrganisationForm(instance=workspace),
        "member_form": forms.get("member_form") or MemberAddForm(),
        "rating_form": forms.get("rating_form") or RatingForm(workspace=workspace),
        "members": workspace.memberships.select_related("user").order_by("user__username"),
        "ratings": workspace.ratings.annotate(uses=Count("verdicts")),
        "roles": MemberRoleForm.base_fields["role"].choices,
    }
    return render(request, "claims/workspace_settings.html", context, status=status)


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
def member_add(request, slug):
    membership = get_membership(request, slug, admin=True)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, status=400, member_form=form)
    try:
        added, invited = desk.add_member(
            membership=membership, who=form.cleaned_data["who"], role=form.cleaned_data["role"]
        )
    except desk.NotAllowed as exc:
        return _refused(request, slug, exc)
    note = " An invitation email is on its way." if invited else ""
    return _done(request, slug, f"{added.user.display_name} added.{note}")


@require_POST
@login_required
def member_role(request, slug, member_pk):
    membership = get_membership(request, slug, admin=True)
    target = get_object_or_404(Membership, workspace=membership.workspace, pk=member_pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _refused(request, slug, desk.NotAllowed("Choose a role."))
    try:
        desk.change_role(membership=membership, target=target, role=form.cleaned_data["role"])
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
        desk.remove_member(membership=membership, target=target)
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
