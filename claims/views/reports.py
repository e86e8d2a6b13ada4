"""Verdict reports for members: the article's claims with their findings, on screen or as PDF.

The PDF is built by the worker (claims/reports.py): a member asks for it here, the report
page shows its progress, and the download serves the stored file.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from claims import reports
from claims.exports import safe_filename
from claims.models import ReportPdf
from claims.permissions import get_article, get_membership


def _report_pdf(article) -> ReportPdf | None:
    return ReportPdf.objects.filter(article=article).defer("pdf").first()


def _report_url(slug, pk, all_claims: bool) -> str:
    return reverse("article_report", args=[slug, pk]) + ("?all=1" if all_claims else "")


@require_GET
@login_required
def article_report(request, slug, pk):
    """The report; ?all=1 adds the claims nobody worked on."""
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    all_claims = request.GET.get("all") == "1"
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "report_pdf": _report_pdf(article),
        "all_claims": all_claims,
        "report_url": _report_url(slug, pk, all_claims),
        "other_view_url": _report_url(slug, pk, not all_claims),
    }
    if request.htmx and request.htmx.target == "report-pdf":
        return render(request, reports.TEMPLATE + "#report-pdf", {**context, "article": article})
    report = reports.report_context(article, all_claims=all_claims)
    return render(request, reports.TEMPLATE, {**context, **report})


@require_POST
@login_required
def article_report_pdf_build(request, slug, pk):
    """Ask the worker for a PDF of the report as shown (all claims or those worked on)."""
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    all_claims = request.POST.get("all") == "1"
    report_pdf = reports.request_pdf(article=article, user=request.user, all_claims=all_claims)
    if request.htmx:
        context = {
            "workspace": membership.workspace,
            "article": article,
            "report_pdf": report_pdf,
            "all_claims": all_claims,
            "report_url": _report_url(slug, pk, all_claims),
        }
        return render(request, reports.TEMPLATE + "#report-pdf", context)
    messages.success(request, "The PDF is being built. Its download link appears here.")
    return redirect(_report_url(slug, pk, all_claims) + "#report-pdf")


@require_GET
@login_required
def article_report_pdf(request, slug, pk):
    """The PDF the worker built; until there is one, the report page, which offers to build it."""
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    report_pdf = ReportPdf.objects.filter(article=article, status=ReportPdf.Status.DONE).first()
    if report_pdf is None:
        messages.info(request, "There is no PDF of this report yet. Build it here.")
        return redirect(reverse("article_report", args=[slug, pk]) + "#report-pdf")
    response = HttpResponse(bytes(report_pdf.pdf), content_type="application/pdf")
    filename = safe_filename(f"report-{article.pk}-{article}", "pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
