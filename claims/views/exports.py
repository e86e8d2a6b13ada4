"""Bulk exports behind the claim queue's current filters: its verdicts, and its claims.

An empty selection is said, not downloaded: the member goes back to the queue with the same
filters and a message (an htmx request gets the message alone). File names say what is in
them and when: <workspace>-verdicts-<date>.json, <workspace>-claimreview-<date>.json,
<workspace>-claims-<date>.csv.
"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import reswap

from claims.claim_export import FORMATS as CLAIM_FORMATS
from claims.claim_export import claims_export_response
from claims.exports import FORMATS, export_response, invalid_claimreviews, workspace_verdicts
from claims.forms import QueueFilterForm
from claims.models import Verdict
from claims.permissions import get_membership

# The check page validates at most this many verdicts per request (the download itself checks
# every one as it streams), and lists at most LIST_LIMIT of those left out.
CHECK_LIMIT = 2000
LIST_LIMIT = 200


def _selected_claims(request, membership):
    """The claims the queue shows with the same filters, in its order (never another desk's)."""
    form = QueueFilterForm(request.GET, membership=membership)
    return form, form.apply(membership.workspace.claims.all())


def _selected_verdicts(request, membership):
    """Verdicts of the claims the queue shows with the same filters."""
    form, claims = _selected_claims(request, membership)
    claim_ids = claims.order_by().values("pk")
    verdicts = workspace_verdicts(membership.workspace).filter(claim__in=claim_ids)
    return form, verdicts.order_by("pk")


def download_name(workspace, what: str) -> str:
    """The stem of a download's file name, e.g. "daily-example-claimreview-2026-12-01"."""
    return f"{workspace.slug}-{what}-{timezone.localdate().isoformat()}"


def _nothing_to_export(request, slug, form, text):
    messages.info(request, text)
    if request.htmx:
        # Nothing to swap; the messages middleware adds the message out of band.
        return reswap(HttpResponse(), "none")
    return redirect(f"{reverse('claim_queue', args=[slug])}?{form.querystring()}")


@require_GET
@login_required
def queue_export(request, slug):
    membership = get_membership(request, slug)
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        return HttpResponseBadRequest(f"Choose an export format: {', '.join(FORMATS)}.")
    form, verdicts = _selected_verdicts(request, membership)
    if fmt == "claimreview" and not verdicts.filter(status=Verdict.Status.PUBLISHED).exists():
        text = "None of these claims has a published verdict, so there is no ClaimReview to export."
        return _nothing_to_export(request, slug, form, text)
    if not verdicts.exists():
        text = "None of these claims has a verdict yet, so there is nothing to export."
        return _nothing_to_export(request, slug, form, text)
    what = "claimreview" if fmt == "claimreview" else "verdicts"
    return export_response(verdicts, fmt, download_name(membership.workspace, what))


@require_GET
@login_required
def queue_claims_export(request, slug):
    """The claims the queue shows, with their status, people and dates, in the queue's order."""
    membership = get_membership(request, slug)
    fmt = request.GET.get("format", "")
    if fmt not in CLAIM_FORMATS:
        return HttpResponseBadRequest(f"Choose an export format: {', '.join(CLAIM_FORMATS)}.")
    form, claims = _selected_claims(request, membership)
    if not claims.exists():
        text = "No claims match these filters, so there is nothing to export."
        return _nothing_to_export(request, slug, form, text)
    return claims_export_response(claims, fmt, download_name(membership.workspace, "claims"))


def _check(verdicts) -> dict:
    """What the check page reports: how many verdicts it checked, and which fail and why."""
    total = verdicts.count()
    checked = min(total, CHECK_LIMIT)
    problems, reasons = [], Counter()
    invalid = 0
    left_out = invalid_claimreviews(verdicts[:CHECK_LIMIT]) if total else []
    for verdict, why in left_out:
        invalid += 1
        reasons.update(why)
        if len(problems) < LIST_LIMIT:
            problems.append((verdict, why))
    return {
        "total": total,
        "checked": checked,
        "valid": checked - invalid,
        "invalid": invalid,
        "reasons": reasons.most_common(),
        "problems": problems,
        "listed_all": len(problems) == invalid,
    }


@require_GET
@login_required
def claimreview_check(request, slug):
    """What a ClaimReview export of the selection would hold: how many checked, which fail, why."""
    membership = get_membership(request, slug)
    form, verdicts = _selected_verdicts(request, membership)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "check": _check(verdicts),
        "filters": form.active_filters(),
        "check_limit": CHECK_LIMIT,
        "querystring": form.querystring(),
    }
    return render(request, "claims/claimreview_check.html", context)
