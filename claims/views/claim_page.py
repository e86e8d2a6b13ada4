"""The claim page and its forms: assignment, sources, comments, verdict and its workflow.

Every form works as a plain POST (redirect back to the claim page) and over htmx, where the
view answers with the section it changed (a partial of claim_detail.html) and refreshed copies
of the header and history swapped out of band.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import claimreview, desk, matching, publication
from claims.attribution import initial as attribution_initial
from claims.attribution import section as attribution_section
from claims.forms import (
    AssignForm,
    ClaimStatusForm,
    CommentForm,
    CorrectionDecisionForm,
    CorrectionForm,
    CorrectionSourceFormSet,
    ReturnForm,
    SourceForm,
    VerdictForm,
    VersionForm,
)
from claims.models import Activity, Claim, Correction, Source, Verdict
from claims.permissions import get_claim, get_membership

TEMPLATE = "claims/claim_detail.html"
CHECK_FORM = "Check the form: something is missing or not right."


def claim_context(membership, claim, **overrides) -> dict:
    """Everything the claim page shows, in a fixed number of queries."""
    workspace = membership.workspace
    verdict = (
        Verdict.objects.filter(claim=claim)
        .select_related("rating", "author", "approved_by", "last_edited_by")
        .first()
    )
    article = claim.article
    before, text, after = claim.context(article.body)
    # A claim that starts "That's been driving down..." needs the sentence it refers to.
    preceding = claim.preceding_sentence(article.body) if claim.needs_context else ""
    can_work = desk.can_work_on(membership, claim)
    verdict_editable = can_work and (
        verdict is None
        or verdict.status == Verdict.Status.DRAFT
        or (verdict.status == Verdict.Status.SUBMITTED and membership.is_editor)
    )
    initial = {"version": verdict.version if verdict else 0}
    sources = list(claim.sources.select_related("added_by"))
    if verdict:
        initial.update(
            rating=verdict.rating_id, summary=verdict.summary, explanation=verdict.explanation
        )
    context = {
        "membership": membership,
        "workspace": workspace,
        "claim": claim,
        "article": article,
        "before": before,
        "preceding": "" if preceding in before else preceding,
        "claim_text": text,
        "after": after,
        "verdict": verdict,
        "sources": sources,
        "comments": claim.comments.select_related("author"),
        "history": Activity.objects.filter(claim=claim).select_related("actor")[:50],
        "related": article.claims.exclude(pk=claim.pk).order_by("-score")[:10],
        # Evaluated only where the template shows it, not for the sections htmx swaps.
        "matches": SimpleLazyObject(lambda: matching.matches_for(claim)),
        "can_link_here": membership.is_editor and claim.status not in Claim.KEEPS_OWN_VERDICT,
        "can_link_others": membership.is_editor and claim.status != Claim.Status.DISMISSED,
        "can_work": can_work,
        "can_take": claim.assignee_id is None and claim.status == Claim.Status.NEW,
        "verdict_editable": verdict_editable,
        # Sending back needs an editor other than the author; approving also needs one who
        # did not change the text (the note below says why the button is missing).
        "can_return": (
            membership.is_editor
            and verdict is not None
            and verdict.status == Verdict.Status.SUBMITTED
            and verdict.author_id != membership.user_id
        ),
        "can_approve": verdict is not None and membership.can_approve(verdict) and bool(sources),
        "approval_note": _approval_note(membership, verdict, sources),
        # What the verdict's ClaimReview would be (or is), and what to fix, with links.
        "claimreview": (
            claimreview.publication_problems(verdict, claim=claim, workspace=workspace)
            if verdict
            else None
        ),
        "source_form": SourceForm(),
        "comment_form": CommentForm(),
        "assign_form": AssignForm(
            workspace=workspace,
            initial={
                "assignee": claim.assignee_id,
                "due_date": claim.due_date,
                "priority": claim.priority,
            },
        ),
        "status_form": ClaimStatusForm(claim=claim, membership=membership),
        # Said before the click: why there is no move to make, or why assigning is refused.
        "status_hint": claim.status_hint(membership),
        "assignment_refusal": claim.assignment_refusal(),
        "verdict_form": VerdictForm(workspace=workspace, initial=initial),
        "return_form": ReturnForm(initial={"version": initial["version"]}),
        "version": initial["version"],
        "today": timezone.localdate(),
        # Who made the claim, when and where (claims/attribution.py, claims/views/attribution.py).
        "attribution": attribution_section(membership, claim, verdict),
        **_correction_context(membership, claim, verdict, sources, can_work, initial),
    }
    context.update(overrides)
    return context


def pending_changes(verdict, correction) -> list[dict]:
    """What a proposed correction would change for readers, with the old and new details of
    each source it edits (the verdict's claim, article and workspace loaded)."""
    old = publication.current_record(verdict)
    new = desk.proposed_record(verdict, correction.proposed)
    changes = publication.record_changes(old, new)
    before = {source["url"]: source for source in old.get("sources", [])}
    after = {source["url"]: source for source in new.get("sources", [])}
    for change in changes:
        if change["field"] == "sources":
            change["details"] = [
                {
                    "url": url,
                    "fields": [
                        (name, before[url][name], after[url][name])
                        for name in ("title", "publisher", "excerpt", "stance")
                        if before[url][name] != after[url][name]
                    ],
                }
                for url in change["edited"]
            ]
    return changes


def _approval_note(membership, verdict, sources) -> str:
    """Why an editor gets no "Approve" button, said before the click ("" when they do)."""
    if verdict is None or not membership.is_editor or verdict.status != Verdict.Status.SUBMITTED:
        return ""
    if conflict := verdict.approval_conflict(membership.user_id):
        return conflict
    return "" if sources else "Add at least one source before approving: readers need evidence."


def _correction_context(membership, claim, verdict, sources, can_work, initial) -> dict:
    """The corrections part of the verdict section: the approved history, the pending proposal
    with what it would change for readers, who may decide it, and the form to propose one.
    Two queries for a published verdict (three while a proposal waits), none otherwise."""
    if verdict is None or verdict.status != Verdict.Status.PUBLISHED:
        return {"corrections": [], "pending": None, "sources_locked": False}
    corrections = list(verdict.corrections.select_related("created_by", "decided_by"))
    pending = next((c for c in corrections if c.status == Correction.Status.PROPOSED), None)
    verdict.claim, claim.workspace = claim, membership.workspace
    own = pending is not None and pending.created_by_id == membership.user_id
    return {
        "corrections": [c for c in corrections if c.status == Correction.Status.APPROVED],
        "pending": pending,
        "pending_changes": (changes := pending_changes(verdict, pending) if pending else []),
        # What the approver is shown: approving sends it back (desk.approve_correction).
        "pending_seen": publication.fingerprint(changes),
        "can_decide": pending is not None and membership.is_editor and not own,
        "can_withdraw": own,
        "sources_locked": True,
        "can_propose": can_work and pending is None,
        "correction_form": CorrectionForm(
            workspace=membership.workspace, initial={**initial, **_attribution_initial(claim)}
        ),
        "correction_sources": CorrectionSourceFormSet(
            prefix="sources",
            initial=[{"keep": True, **publication.source_entry(s)} for s in sources],
        ),
        "decision_form": CorrectionDecisionForm(),
    }


def _attribution_initial(claim) -> dict:
    """A correction starts from the attribution readers see: the confirmed claimant only (a
    correction must not confirm the extractor's guess in passing)."""
    return {**attribution_initial(claim), "claimant": claim.claimant}


def respond(request, membership, claim, section: str, *, status=200, also=(), **overrides):
    """Answer a claim-page form: over htmx, the changed section plus the page header, history
    and the `also` regions it changed too as out-of-band swaps (one response, no follow-up
    requests); else back to the page.
    """
    if request.htmx:
        claim.refresh_from_db()
        context = claim_context(membership, claim, **overrides)
        html = render_to_string(f"{TEMPLATE}#{section}", context, request=request)
        context["oob"] = True
        for region in ("claim-header", "claim-history", *also):
            html += render_to_string(f"{TEMPLATE}#{region}", context, request=request)
        return HttpResponse(html, status=status)
    if status >= 400:
        context = claim_context(membership, claim, **overrides)
        return render(request, TEMPLATE, context, status=status)
    return redirect(claim)


def _load(request, slug, pk):
    membership = get_membership(request, slug)
    return membership, get_claim(membership, pk)


def _refused(request, membership, claim, section, exc):
    messages.error(request, str(exc))
    return respond(request, membership, claim, section, status=403)


def _run(
    request,
    membership,
    claim,
    section,
    action,
    success,
    /,
    *,
    on_conflict=None,
    keep=None,
    also=(),
    **kwargs,
):
    """Call a desk write path as `membership` and answer the form: the changed section with
    `success` as the message (and the `also` regions it changed), the refusal (403) or the
    conflict (409, showing what is there now). `keep` is the context that keeps what the user
    typed when refused: their forms, bound.
    """
    try:
        action(membership=membership, **kwargs)
    except desk.Gone as exc:
        # Nothing is left to show on this page: go back to the queue, saying why.
        messages.error(request, str(exc))
        queue = reverse("claim_queue", args=[membership.workspace.slug])
        return HttpResponseClientRedirect(queue) if request.htmx else redirect(queue)
    except desk.Conflict as exc:
        if on_conflict:
            return on_conflict(exc)
        messages.error(request, str(exc))
        overrides = {"conflict": exc.current, **(keep or {})}
        return respond(request, membership, claim, section, status=409, **overrides)
    except desk.NotAllowed as exc:
        messages.error(request, str(exc))
        return respond(request, membership, claim, section, status=403, **(keep or {}))
    messages.success(request, success)
    return respond(request, membership, claim, section, also=also)


# Its regions change in place (htmx): Back must fetch the page again, not show it as first
# loaded, with forms for a state gone by (a verdict published since, say).
@require_GET
@never_cache
@login_required
def claim_detail(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    request.user.notifications.filter(claim=claim, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(request, TEMPLATE, claim_context(membership, claim))


# --- Assignment and status ------------------------------------------------------------------


@require_POST
@login_required
def claim_assign(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    form = AssignForm(request.POST, workspace=membership.workspace)
    if not form.is_valid():
        return respond(request, membership, claim, "assignment", status=400, assign_form=form)
    who = form.cleaned_data["assignee"]
    return _run(
        request,
        membership,
        claim,
        "assignment",
        desk.assign_claim,
        f"Assigned to {who.display_name}." if who else "Unassigned.",
        claim=claim,
        assignee=who,
        due_date=form.cleaned_data["due_date"],
        priority=form.cleaned_data["priority"],
    )


@require_POST
@login_required
def claim_take(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    return _run(
        request,
        membership,
        claim,
        "assignment",
        desk.take_claim,
        "The claim is yours.",
        claim=claim,
    )


@require_POST
@login_required
def claim_status(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    if not membership.can_work_on(claim):
        refusal = desk.NotAllowed(claim.move_refusal(membership, claim.status))
        return _refused(request, membership, claim, "assignment", refusal)
    form = ClaimStatusForm(request.POST, claim=claim, membership=membership)
    if not form.is_valid():
        return respond(request, membership, claim, "assignment", status=400, status_form=form)
    status = form.cleaned_data["status"]
    return _run(
        request,
        membership,
        claim,
        "assignment",
        desk.update_claim,
        f"Status: {Claim.Status(status).label}.",
        claim=claim,
        status=status,
        dismissed_reason=form.cleaned_data["dismissed_reason"],
    )


# --- Sources and comments -------------------------------------------------------------------


@require_POST
@login_required
def source_add(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    form = SourceForm(request.POST)
    if not form.is_valid():
        messages.error(request, CHECK_FORM)
        return respond(request, membership, claim, "sources", status=400, source_form=form)
    return _run(
        request,
        membership,
        claim,
        "sources",
        desk.add_source,
        "Source added.",
        claim=claim,
        **form.cleaned_data,
    )


@require_http_methods(["GET", "POST"])
@login_required
def source_edit(request, slug, pk, source_pk):
    membership, claim = _load(request, slug, pk)
    source = get_object_or_404(Source, claim=claim, pk=source_pk)
    if not desk.can_work_on(membership, claim):
        return _refused(
            request,
            membership,
            claim,
            "sources",
            desk.NotAllowed("Only the claim's assignee or an editor can edit sources."),
        )
    if desk.sources_locked(claim):
        return _refused(request, membership, claim, "sources", desk.NotAllowed(desk.SOURCES_LOCKED))
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        return _run(
            request,
            membership,
            claim,
            "sources",
            desk.update_source,
            "Source updated.",
            source=source,
            **form.cleaned_data,
        )
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "claim": claim,
        "source": source,
        "form": form,
    }
    template = "claims/source_edit.html"
    if request.htmx:
        template += "#source-form"
    return render(request, template, context, status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def source_delete(request, slug, pk, source_pk):
    membership, claim = _load(request, slug, pk)
    source = get_object_or_404(Source.objects.select_related("claim"), claim=claim, pk=source_pk)
    return _run(
        request, membership, claim, "sources", desk.remove_source, "Source removed.", source=source
    )


@require_POST
@login_required
def comment_add(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return respond(request, membership, claim, "comments", status=400, comment_form=form)
    desk.add_comment(membership=membership, claim=claim, body=form.cleaned_data["body"])
    return respond(request, membership, claim, "comments")


# --- Verdict --------------------------------------------------------------------------------


def _verdict_of(claim):
    return get_object_or_404(Verdict.objects.select_related("claim__workspace"), claim=claim)


@require_POST
@login_required
def verdict_save(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    form = VerdictForm(request.POST, workspace=membership.workspace)
    if not form.is_valid():
        messages.error(request, CHECK_FORM)
        return respond(request, membership, claim, "verdict", status=400, verdict_form=form)
    data = form.cleaned_data
    return _run(
        request,
        membership,
        claim,
        "verdict",
        desk.save_verdict,
        "Verdict saved.",
        on_conflict=lambda exc: _conflict(request, membership, claim, exc, form, "verdict_form"),
        claim=claim,
        rating=data["rating"],
        summary=data["summary"],
        explanation=data["explanation"],
        version=data["version"],
    )


def _conflict(request, membership, claim, exc, form, form_name):
    """Keep the user's text in the form and show what is there now, to merge by hand."""
    messages.error(request, str(exc))
    current = exc.current
    data = request.POST.copy()
    # Saving again after reading the current version is a deliberate overwrite.
    data["version"] = current.version if current else 0
    form = form.__class__(data, workspace=membership.workspace)
    form.is_valid()
    return respond(
        request, membership, claim, "verdict", status=409, conflict=current, **{form_name: form}
    )


def _workflow(request, slug, pk, action, success, also=()):
    """Submit / publish: a version-checked step of the verdict's workflow."""
    membership, claim = _load(request, slug, pk)
    verdict = _verdict_of(claim)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was incomplete; reload the page.")
        return respond(request, membership, claim, "verdict", status=400)
    return _run(
        request,
        membership,
        claim,
        "verdict",
        action,
        success,
        also=also,
        verdict=verdict,
        version=form.cleaned_data["version"],
    )


@require_POST
@login_required
def verdict_submit(request, slug, pk):
    return _workflow(request, slug, pk, desk.submit_verdict, "Submitted. An editor will review it.")


@require_POST
@login_required
def verdict_publish(request, slug, pk):
    # Published, its sources are frozen: their section loses its controls.
    return _workflow(
        request, slug, pk, desk.publish_verdict, "Approved and published.", also=("sources",)
    )


@require_POST
@login_required
def verdict_return(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    verdict = _verdict_of(claim)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, CHECK_FORM)
        return respond(request, membership, claim, "verdict", status=400, return_form=form)
    return _run(
        request,
        membership,
        claim,
        "verdict",
        desk.return_verdict,
        "Sent back to the author with your comment.",
        also=("comments",),
        keep={"return_form": form},
        verdict=verdict,
        version=form.cleaned_data["version"],
        comment=form.cleaned_data["comment"],
    )


# --- Corrections of a published verdict -----------------------------------------------------


@require_POST
@login_required
def verdict_correct(request, slug, pk):
    """Propose a correction (the URL kept its name from when an editor corrected alone)."""
    membership, claim = _load(request, slug, pk)
    verdict = _verdict_of(claim)
    form = CorrectionForm(request.POST, workspace=membership.workspace)
    sources = CorrectionSourceFormSet(request.POST, prefix="sources")
    keep = {"correction_form": form, "correction_sources": sources, "correction_open": True}
    if not (form.is_valid() and sources.is_valid()):
        messages.error(request, CHECK_FORM)
        return respond(request, membership, claim, "verdict", status=400, **keep)
    data = form.cleaned_data
    return _run(
        request,
        membership,
        claim,
        "verdict",
        desk.propose_correction,
        "Correction proposed. Readers see it once another editor approves it.",
        keep=keep,
        verdict=verdict,
        version=data["version"] or 0,
        rating=data["rating"],
        summary=data["summary"],
        explanation=data["explanation"],
        sources=sources.proposed_sources(),
        reason=data["reason"],
        attribution=form.attribution(),
    )


def _correction_of(claim, correction_pk):
    return get_object_or_404(
        Correction.objects.select_related("verdict__claim", "created_by"),
        verdict__claim=claim,
        pk=correction_pk,
    )


@require_POST
@login_required
def correction_approve(request, slug, pk, correction_pk):
    membership, claim = _load(request, slug, pk)
    correction = _correction_of(claim, correction_pk)
    return _run(
        request,
        membership,
        claim,
        "verdict",
        desk.approve_correction,
        "Correction approved and published.",
        also=("sources",),
        correction=correction,
        # What the page showed the approver; a POST without it (no page) publishes nothing.
        seen=request.POST.get("seen", ""),
    )


@require_POST
@login_required
def correction_reject(request, slug, pk, correction_pk):
    membership, claim = _load(request, slug, pk)
    correction = _correction_of(claim, correction_pk)
    form = CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, CHECK_FORM)
        return respond(request, membership, claim, "verdict", status=400, decision_form=form)
    withdrawn = correction.created_by_id == membership.user_id
    return _run(
        request,
        membership,
        claim,
        "verdict",
        desk.reject_correction,
        "Correction withdrawn." if withdrawn else "Correction rejected; its proposer is told why.",
        keep={"decision_form": form},
        correction=correction,
        note=form.cleaned_data["note"],
    )
