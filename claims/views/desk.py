"""The desk: choosing a workspace, its dashboard, the verdict page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_safe

from claims.models import Claim, Correction, Invitation, Membership
from claims.permissions import SESSION_WORKSPACE_KEY, get_membership, get_verdict
from claims.views.claim_page import pending_changes

DASHBOARD_ARTICLES = 20
DASHBOARD_CLAIMS = 25


@require_safe
@login_required
def home(request):
    """Send the user to the workspace they used last, or let them choose.

    HEAD answers as GET does, here and on the pages it leads to: uptime monitors use HEAD.
    """
    memberships = Membership.objects.filter(user=request.user).select_related("workspace")
    slug = request.session.get(SESSION_WORKSPACE_KEY)
    if slug and any(m.workspace.slug == slug for m in memberships):
        return redirect("dashboard", slug)
    if len(memberships) == 1:
        return redirect("dashboard", memberships[0].workspace.slug)
    return redirect("workspace_list")


@require_safe
@login_required
def workspace_list(request):
    """The user's workspaces, and the invitations by user name waiting for their answer."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("workspace")
        .order_by("workspace__name")
    )
    invitations = Invitation.objects.waiting_for(request.user).select_related(
        "workspace", "invited_by"
    )
    context = {"memberships": memberships, "invitations": invitations}
    return render(request, "claims/workspace_list.html", context)


@require_safe
@login_required
def dashboard(request, slug):
    membership = get_membership(request, slug)
    workspace = membership.workspace
    # Article bodies (up to a million characters) stay in the database: grouping and joining
    # on them cost seconds per long article.
    articles = (
        workspace.articles.select_related("submitted_by")
        .defer("body", "search_vector")
        .annotate(claim_count=Count("claims"))
        .order_by("-created_at", "-pk")[:DASHBOARD_ARTICLES]
    )
    claims = (
        workspace.claims.exclude(status=Claim.Status.DISMISSED)
        .select_related("article", "assignee")
        .defer("search_vector", "article__body", "article__search_vector")
        .order_by("-score", "pk")[:DASHBOARD_CLAIMS]
    )
    context = {
        "membership": membership,
        "workspace": workspace,
        "articles": articles,
        "claims": claims,
    }
    return render(request, "claims/dashboard.html", context)


@require_GET
@login_required
def verdict_detail(request, slug, pk):
    membership = get_membership(request, slug)
    verdict = get_verdict(membership, pk)
    verdict.claim.workspace = membership.workspace
    corrections = list(
        verdict.corrections.select_related("old_rating", "new_rating", "created_by", "decided_by")
    )
    pending = next((c for c in corrections if c.status == Correction.Status.PROPOSED), None)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "verdict": verdict,
        "claim": verdict.claim,
        # Oldest first: what readers were shown, then what each correction changed.
        "corrections": [c for c in corrections if c.status != Correction.Status.PROPOSED],
        "pending": pending,
        "pending_changes": pending_changes(verdict, pending) if pending else [],
    }
    return render(request, "claims/verdict_detail.html", context)
