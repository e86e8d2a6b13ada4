"""The article's verdict report, on screen and as PDF, and the PDF renderer's fetch rules.

A report leads with a summary table (claim, rating, status, reviewer), then each claim in
full. It leaves out the claims nobody worked on (new, unassigned, no source, no verdict: the
extractor's picks nobody has looked at) unless asked for all of them (`all_claims`, ?all=1).
It covers at most REPORT_MAX_CLAIMS claims: those with a verdict first, then the most
check-worthy, shown in reading order. Past that bound its cost no longer grows with the
article (a million characters can hold thousands of machine-picked claims nobody has read);
the queue, filtered to the article, lists them all.

The PDF is built by the worker, never in a request: WeasyPrint needs seconds even for a short
report, and minutes for a long one. A member asks for it (ReportPdf, queued), the report page
shows its progress and then a download link; the PDF is kept until someone builds it again.
It holds the claims the member was looking at: ReportPdf.all_claims stores the choice, the
worker reads it, and the page says which claims the stored PDF covers.
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
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from kombu.exceptions import OperationalError

from claims.claimreview import is_web_url
from claims.models import Article, Claim, Correction, ReportPdf, Source, User

logger = logging.getLogger(__name__)

TEMPLATE = "claims/article_report.html"
REPORT_MAX_CLAIMS = 200


# Somebody worked on the claim: it moved on from new, has someone on it, a source or a verdict.
WORKED_ON = (
    ~Q(status=Claim.Status.NEW)
    | Q(assignee__isnull=False)
    | Q(verdict__isnull=False)
    | Exists(Source.objects.filter(claim=OuterRef("pk")))
)


def report_claims(article: Article, *, all_claims: bool = False) -> list[Claim]:
    """The report's claims in reading order, with their verdict, people and sources.

    Only those somebody worked on, unless `all_claims`. At most REPORT_MAX_CLAIMS: claims
    with a verdict first, then by check-worthiness. Four queries, however many claims:
    claims joined to their verdict and people, then sources, then approved corrections.
    """
    claims = article.claims.all() if all_claims else article.claims.filter(WORKED_ON)
    chosen = (
        claims.select_related(
            "assignee", "verdict__rating", "verdict__author", "verdict__approved_by"
        )
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by("created_at", "pk")),
            Prefetch(
                "verdict__corrections",
                # Proposed and rejected corrections never changed what readers see.
                queryset=Correction.objects.approved().select_related("old_rating", "new_rating"),
            ),
        )
        .annotate(unreviewed=ExpressionWrapper(Q(verdict__isnull=True), BooleanField()))
        .order_by("unreviewed", "-score", "start")[:REPORT_MAX_CLAIMS]
    )
    return sorted(chosen, key=lambda claim: (claim.start, claim.end))


def report_context(article: Article, *, all_claims: bool = False) -> dict:
    """What the report template shows, on screen and in the PDF."""
    claims = report_claims(article, all_claims=all_claims)
    for claim in claims:
        # A claim without a verdict has none cached; reading it would raise, not query.
        claim.report_verdict = verdict = getattr(claim, "verdict", None)
        claim.reviewer = (verdict.author if verdict else None) or claim.assignee
        for source in claim.sources.all():
            source.link = source.url if is_web_url(source.url) else ""
    counts = article.claims.aggregate(total=Count("pk"), worked=Count("pk", filter=WORKED_ON))
    eligible = counts["total"] if all_claims else counts["worked"]
    return {
        "article": article,
        "article_details": article_details(article),
        "claims": claims,
        "all_claims": all_claims,
        "claims_total": counts["total"],
        # Past REPORT_MAX_CLAIMS; and, unless all are shown, those nobody worked on.
        "claims_left_out": eligible - len(claims),
        "claims_untouched": 0 if all_claims else counts["total"] - counts["worked"],
        "generated_at": timezone.now(),
    }


def article_details(article: Article) -> list[dict]:
    """The article's outlet, author, date and address that it has, as {"text", "link"}.

    A list, so the template puts separators only between details that exist.
    """
    link = article.source_url if is_web_url(article.source_url) else ""
    date = article.published_date and dateformat.format(article.published_date, "j M Y")
    details = [article.outlet, article.author, date, article.source_url]
    return [
        {"text": text, "link": link if text == article.source_url else ""}
        for text in details
        if text and str(text).strip()
    ]


# --- The PDF, built by the worker -----------------------------------------------------------


def request_pdf(*, article: Article, user: User, all_claims: bool = False) -> ReportPdf:
    """Ask the worker for a fresh PDF of the article's report, sent once the transaction commits.

    `all_claims`: of every claim, or only of those somebody worked on. A PDF already waiting
    with the same choice is not asked for twice, unless it has waited longer than a task may
    run (its worker died). With the other choice it is asked for again: a build that started
    with the old choice then finds the row changed and leaves it to the new one (build_pdf).
    """
    from claims.tasks import build_report_pdf

    waited_too_long = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    with transaction.atomic():
        report, created = ReportPdf.objects.select_for_update().get_or_create(
            article=article, defaults={"requested_by": user}
        )
        same_choice = report.all_claims == all_claims
        if (
            not created
            and report.is_pending
            and same_choice
            and report.requested_at > waited_too_long
        ):
            return report
        report.status = ReportPdf.Status.QUEUED
        report.requested_by = user
        report.requested_at = timezone.now()
        report.error = ""
        report.all_claims = all_claims
        fields = ["status", "requested_by", "requested_at", "error", "all_claims"]
        report.save(update_fields=fields)

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
    context = {
        **report_context(article, all_claims=report.all_claims),
        "workspace": article.workspace,
        "for_pdf": True,
    }
    pdf = render_pdf(render_to_string(TEMPLATE, context))
    # Asked for again with the other choice meanwhile: that request's task builds it.
    ReportPdf.objects.filter(pk=report.pk, all_claims=report.all_claims).update(
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
