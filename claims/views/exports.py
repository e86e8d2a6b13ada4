"""Bulk exports of the verdicts behind the claim queue's current filters."""

from itertools import islice

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.exports import FORMATS, export_response, invalid_claimreviews, workspace_verdicts
from claims.forms import QueueFilterForm
from claims.permissions import get_membership

CHECK_LIMIT = 500


def _selected_verdicts(request, membership):
    """Verdicts of the claims the queue shows with the same filters (never another desk's)."""
    form = QueueFilterForm(request.GET, membership=membership)
    claims = form.apply(membership.workspace.claims.all()).order_by()
    verdicts = workspace_verdicts(membership.workspace).filter(claim__in=claims.values("pk"))
    return form, verdicts.order_by("pk")


@require_GET
@login_required
def queue_export(request, slug):
    membership = get_membership(request, slug)
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        return HttpResponseBadRequest(f"Choose an export format: {', '.join(FORMATS)}.")
    _, verdicts = _selected_verdicts(request, membership)
    return export_response(verdicts, fmt, f"{membership.workspace.slug}-verdicts")


@require_GET
@login_required
def claimreview_check(request, slug):
    """Which selected verdicts a ClaimReview export would leave out, and why."""
    membership = get_membership(request, slug)
    form, verdicts = _selected_verdicts(request, membership)
    problems = list(islice(invalid_claimreviews(verdicts), CHECK_LIMIT))
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "problems": problems,
        "limit": CHECK_LIMIT,
        "querystring": form.querystring(),
    }
    return render(request, "claims/claimreview_check.html", context)
