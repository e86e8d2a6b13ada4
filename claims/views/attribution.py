"""The attribution section of the claim page: who made the claim, when, where, its restatement.

The write path is claims/attribution.py. The form works as a plain POST (back to the claim page)
and over htmx, where the answer is the section (claim_detail.html#attribution) with the page's
header and history swapped out of band, as every claim-page form does (claim_page.respond).
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_POST

from claims import attribution
from claims.forms import AttributionForm
from claims.models import Verdict
from claims.views.claim_page import _load, _run, respond


@require_POST
@login_required
def claim_attribution(request, slug, pk):
    membership, claim = _load(request, slug, pk)
    form = AttributionForm(request.POST)
    if not form.is_valid():
        verdict = Verdict.objects.filter(claim=claim).only("status").first()
        section = attribution.section(membership, claim, verdict, form=form)
        return respond(request, membership, claim, "attribution", status=400, attribution=section)
    return _run(
        request,
        membership,
        claim,
        "attribution",
        attribution.attribute_claim,
        "Attribution saved.",
        claim=claim,
        **form.cleaned_data,
    )
