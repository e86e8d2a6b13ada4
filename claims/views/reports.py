"""Verdict reports for members: every claim of an article with its finding, on screen or as PDF."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from claims.claimreview import is_web_url
from claims.exports import article_report_claims, render_pdf, safe_filename
from claims.permissions import get_article, get_membership

TEMPLATE = "claims/article_report.html"


def _report_context(request, slug, pk) -> dict:
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    claims = article_report_claims(article)
    for claim in claims:
        # A claim without a verdict has none cached; reading it would raise, not query.
        claim.report_verdict = getattr(claim, "verdict", None)
        for source in claim.sources.all():
            source.link = source.url if is_web_url(source.url) else ""
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "article": article,
        "article_link": article.source_url if is_web_url(article.source_url) else "",
        "claims": claims,
        "generated_at": timezone.now(),
    }


@require_GET
@login_required
def article_report(request, slug, pk):
    context = _report_context(request, slug, pk)
    return render(request, TEMPLATE, context)


@require_GET
@login_required
def article_report_pdf(request, slug, pk):
    """The same report as a PDF download, rendered from the same template."""
    context = _report_context(request, slug, pk)
    html = render_to_string(TEMPLATE, {**context, "for_pdf": True}, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    article = context["article"]
    filename = safe_filename(f"report-{article.pk}-{article}", "pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
