"""Linking a claim as a duplicate of another, from the claim page's matches."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from claims import desk
from claims.forms import DuplicateForm
from claims.models import Claim
from claims.permissions import get_claim, get_membership


@require_POST
@login_required
def claim_duplicate(request, slug, pk):
    """Editors: mark this claim a duplicate of claim `original`, or unlink it (empty)."""
    membership = get_membership(request, slug, editor=True)
    claim = get_claim(membership, pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = claim.get_absolute_url()
    form = DuplicateForm(request.POST, claim=claim)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect(back)
    try:
        if form.cleaned_data["original"] is None:
            desk.unlink_duplicate(membership=membership, claim=claim)
            messages.success(request, "Unlinked: the claim is no longer a duplicate.")
        else:
            original = get_claim(membership, form.cleaned_data["original"])
            desk.link_duplicates(
                membership=membership, original=original, claims=Claim.objects.filter(pk=pk)
            )
            messages.success(request, _linked_message(claim))
    except desk.NotAllowed as exc:
        messages.error(request, str(exc))
    return redirect(back)


def _linked_message(claim: Claim) -> str:
    claim.refresh_from_db(fields=["duplicate_of", "status"])
    if claim.duplicate_of_id is None:
        return "Not linked: a published, dismissed or in-review claim keeps its own verdict."
    if claim.status == Claim.Status.PUBLISHED:
        return (
            f"Linked as a duplicate of #{claim.duplicate_of_id}: "
            "its published verdict now applies here too."
        )
    return (
        f"Linked as a duplicate of #{claim.duplicate_of_id}. "
        "Its verdict carries across when an editor approves it."
    )
