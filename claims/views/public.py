"""The public face of the desk: a published verdict, readable by anyone and by search engines."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from claims.claimreview import (
    CLAIMREVIEW_SELECT_RELATED,
    ClaimReviewError,
    build_claimreview,
    is_web_url,
    json_ld_script,
    public_url,
)
from claims.models import Verdict


@require_safe
def public_verdict(request, slug, pk):
    """One published verdict of the workspace `slug`, with its ClaimReview markup.

    Drafts, submitted verdicts and verdicts of another workspace are 404, exactly as if they
    did not exist. A published verdict whose markup would be invalid (no organisation set up,
    say) is still shown, without markup: readers need it even if search engines do not.
    """
    verdict = get_object_or_404(
        Verdict.objects.select_related(*CLAIMREVIEW_SELECT_RELATED),
        status=Verdict.Status.PUBLISHED,
        claim__workspace__slug=slug,
        pk=pk,
    )
    claim, article = verdict.claim, verdict.claim.article
    sources = list(claim.sources.order_by("created_at", "pk"))
    for source in sources:
        source.link = source.url if is_web_url(source.url) else ""
    try:
        markup = json_ld_script(build_claimreview(verdict))
    except ClaimReviewError:
        markup = None
    context = {
        "verdict": verdict,
        "claim": claim,
        "article": article,
        "article_link": article.source_url if is_web_url(article.source_url) else "",
        "organisation": claim.workspace.organisation_name or claim.workspace.name,
        "sources": sources,
        "corrections": verdict.corrections.select_related("old_rating", "new_rating"),
        "canonical_url": public_url(verdict),
        "claimreview_script": markup,
    }
    return render(request, "claims/public_verdict.html", context)
