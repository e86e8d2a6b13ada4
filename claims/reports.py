"""The article's verdict report, on screen and as PDF, and the PDF renderer's fetch rules.

A report covers at most REPORT_MAX_CLAIMS claims: those with a verdict first, then the most
check-worthy, shown in reading order. Past that bound its cost no longer grows with the
article (a million characters can hold thousands of machine-picked claims nobody has read);
the queue, filtered to the article, lists them all.

The PDF is built by the worker, never in a request: WeasyPrint needs seconds even for a short
report, and minutes for a long one. A member asks for it (ReportPdf, queued), the report page
shows its progress and then a download link; the PDF is kept until someone builds it again.
"""

import datetime
import functools
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError

from claims.claimreview import is_web_url
from claims.models import Article, Claim, Correction, ReportPdf, Source, User

logger = logging.getLogger(__name__)

TEMPLATE = "claims/article_report.html"
REPORT_MAX_CLAIMS = 200


def report_claims(article: Article) -> list[Claim]:
    """The report's claims in reading order, with their verdict, people and sources.

    At most REPORT_MAX_CLAIMS: claims with a verdict first, then by check-worthiness. Four
    queries, however many claims: claims joined to their verdict and people, then sources,
    then corrections.
    """
    chosen = (
        article.claims.select_related(
            "assignee", "verdict__rating", "verdict__author", "verdict__approved_by"
        )
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by("created_at", "pk")),
            Prefetch(
                "verdict__corrections",
                queryset=Correction.objects.select_related("old_rating", "new_rating"),
            ),
        )
        .annotate(unreviewed=ExpressionWrapper(Q(verdict__isnull=True), BooleanField()))
        .order_by("unreviewed", "-score", "start")[:REPORT_MAX_CLAIMS]
    )
    return sorted(chosen, key=lambda claim: (claim.start, claim.end))


def report_context(article: Article) -> dict:
    """What the report template shows, on screen and in the PDF."""
    claims = report_claims(article)
    for claim in claims:
        # A claim without a verdict has none cached; reading it would raise, not query.
        claim.report_verdict = getattr(claim, "verdict", None)
        for source in claim.sources.all():
            source.link = source.url if is_web_url(source.url) else ""
    total = article.claims.count()
    return {
        "article": article,
        "article_link": article.source_url if is_web_url(article.source_url) else "",
        "claims": claims,
        "claims_left_out": total - len(claims),
        "generated_at": timezone.now(),
    }


# --- The PDF, built by the worker -----------------------------------------------------------


def request_pdf(*, article: Article, user: User) -> ReportPdf:
    """Ask the worker for a fresh PDF of the article's report, sent once the transaction commits.

    A PDF already waiting is not asked for twice, unless it has waited longer than a task may
    run (its worker died).
    """
    from claims.tasks import build_report_pdf

    waited_too_long = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    with transaction.atomic():
        report, created = ReportPdf.objects.select_for_update().get_or_create(
            article=article, defaults={"requested_by": user}
        )
        if not created and report.is_pending and report.requested_at > waited_too_long:
            return report
        report.status = ReportPdf.Status.QUEUED
        report.requested_by = user
        report.requested_at = timezone.now()
        report.error = ""
        report.save(update_fields=["status", "requested_by", "requested_at", "error"])

    def send():
        try:
            build_report_pdf.delay(article.pk)
        except OperationalError:
            logger.warning("Task queue unreachable; PDF of article %s not sent", article.pk)
            ReportPdf.objects.filter(pk=report.pk).update(
                status=ReportPdf.Status.FAILED,
                error="The background worker couldn't be reached. Try again in a moment.",
            )

    transaction.on_commit(send)
    return report


def build_pdf(article_id: int) -> None:
    """Build the PDF a member asked for (called by the task); a PDF not waiting is left alone."""
    report = (
        ReportPdf.objects.select_related("article__workspace")
        .defer("pdf")
        .filter(article_id=article_id, status=ReportPdf.Status.QUEUED)
        .first()
    )
    if report is None:
        return
    article = report.article
    context = {**report_context(article), "workspace": article.workspace, "for_pdf": True}
    pdf = render_pdf(render_to_string(TEMPLATE, context))
    ReportPdf.objects.filter(pk=report.pk).update(
        status=ReportPdf.Status.DONE, pdf=pdf, error="", built_at=timezone.now()
    )


def fail_pdf(article_id: int, reason: str) -> None:
    """Mark the waiting PDF failed; a finished one (a redelivered task failing late) stays."""
    ReportPdf.objects.filter(article_id=article_id, status=ReportPdf.Status.QUEUED).update(
        status=ReportPdf.Status.FAILED, error=reason
    )


def static_file_for_url(url: str) -> Path | None:
    """The local file behind one of our static URLs; None for any other URL.

    This is what lets the PDF renderer load our stylesheet while fetching nothing else: no
    other host (server-side request forgery), no file:// path, no data: URL.
    """
    prefix = urljoin(settings.SITE_URL + "/", settings.STATIC_URL)
    url = url.split("#")[0].split("?")[0]
    if not url.startswith(prefix) or urlsplit(url).netloc != urlsplit(prefix).netloc:
        return None
    name = unquote(url[len(prefix) :])
    if not name or "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    try:
        if staticfiles_storage.exists(name):
            # Collected files, including the hashed names the manifest storage hands out.
            return Path(staticfiles_storage.path(name))
        found = finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError, OSError, ValueError):
        # A path that escapes the static folders, or storage without local files: not ours.
        return None
    return Path(found) if found else None


def render_pdf(html: str) -> bytes:
    """The HTML rendered to PDF by WeasyPrint, which may load only our own static files."""
    # Imported here: WeasyPrint takes a second to load Pango, and only this view needs it.
    from weasyprint import HTML

    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_fetcher()())
    return document.write_pdf()


@functools.cache
def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """Serves our static files from disk and refuses every other URL."""

        def fetch(self, url, headers=None):
            path = static_file_for_url(url)
            if path is None:
                raise ValueError(f"Refused to fetch {url[:200]}: reports load only our files.")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesOnly
