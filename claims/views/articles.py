"""Articles: hand one over (paste, upload, URL), watch its extraction, add claims by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import curation, services
from claims.forms import ManualClaimForm, PasteForm, UploadForm, UrlForm
from claims.ingest.text import IngestError
from claims.models import Article, SentencePage
from claims.permissions import get_article, get_membership

SOURCES = {"paste": PasteForm, "upload": UploadForm, "url": UrlForm}
# Marked in one part of the text at most; a part of real prose has a few hundred sentences.
ARTICLE_PART_MAX_CLAIMS = 1000


@require_http_methods(["GET", "POST"])
@login_required
def article_new(request, slug):
    membership = get_membership(request, slug)
    source = request.POST.get("source") or request.GET.get("source") or "paste"
    if source not in SOURCES:
        return HttpResponseBadRequest("Unknown source.")
    form_class = SOURCES[source]
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = _submit(source, form, membership, request.user)
        except IngestError as exc:
            form.add_error("file" if source == "upload" else None, str(exc))
        except services.DuplicateArticle as dup:
            form.add_error(None, _duplicate_message(dup))
        else:
            messages.success(request, "Article added. Its claims are being extracted.")
            if request.htmx:
                return HttpResponseClientRedirect(article.get_absolute_url())
            return redirect(article)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "form": form,
        "source": source,
        "sources": [("paste", "Paste text"), ("upload", "Upload a file"), ("url", "From a URL")],
    }
    template = "claims/article_new.html"
    if request.htmx and not request.htmx.boosted:
        template += "#ingest-form"
    status = 422 if request.method == "POST" and request.htmx else 200
    return render(request, template, context, status=status)


def _submit(source, form, membership, user) -> Article:
    data = form.cleaned_data
    common = {"workspace": membership.workspace, "submitted_by": user}
    if source == "upload":
        return services.submit_upload(**common, upload=data["file"], details=data)
    if source == "url":
        return services.submit_article(
            **common, origin=Article.Origin.URL, source_url=data["url"], title=data["title"]
        )
    return services.submit_article(
        **common,
        origin=Article.Origin.PASTED,
        body=data["body"],
        title=data["title"],
        source_url=data["source_url"],
        outlet=data["outlet"],
        author=data["author"],
        published_date=data["published_date"],
    )


def _duplicate_message(dup: services.DuplicateArticle):
    what = "address" if dup.reason == "same address" else "text"
    return format_html(
        'This workspace already has an article with the same {}: <a href="{}">{}</a>.',
        what,
        dup.existing.get_absolute_url(),
        dup.existing,
    )


@require_GET
@login_required
def article_detail(request, slug, pk):
    """The article's text, a part at a time, with its claims marked; progress while pending."""
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    part = _number(request, "part", last=article.part_count)
    start, end = article.part_bounds(part)
    claims = list(
        article.claims.filter(start__lt=end, end__gt=start)
        .select_related("assignee", "match__verdict__rating")
        .defer("match__embedding", "match__search_vector")
        .order_by("start", "end")[: ARTICLE_PART_MAX_CLAIMS + 1]
    )
    whole = article.part_count == 1 and len(claims) <= ARTICLE_PART_MAX_CLAIMS
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "article": article,
        "claims": claims[:ARTICLE_PART_MAX_CLAIMS],
        "more_claims": len(claims) > ARTICLE_PART_MAX_CLAIMS,
        # One part holds every claim: counting them again would be a query for nothing.
        "claim_count": len(claims) if whole else article.claims.count(),
        "segments": article.segments(claims[:ARTICLE_PART_MAX_CLAIMS], start, end),
        "parts": _parts(part, article.part_count),
        # Browser selections count UTF-16 units from the start of the part shown.
        "part_offset_utf16": len(article.body[:start].encode("utf-16-le")) // 2,
        "duplicates": article.duplicates() if article.is_failed else [],
        "claim_form": ManualClaimForm(),
        # Who corrected which details, when (claims/curation.py); not read by the polled part.
        "details_history": SimpleLazyObject(lambda: curation.details_history(article)),
    }
    template = "claims/article_detail.html"
    if request.htmx and request.htmx.target == "article-body":
        template += "#article-body"
    return render(request, template, context)


def _number(request, name: str, *, last: int) -> int:
    """A page or part number from the query string, within 1..last (nonsense reads as 1)."""
    try:
        number = int(request.GET.get(name, 1))
    except ValueError:
        number = 1
    return min(max(number, 1), last)


def _parts(number: int, count: int) -> dict:
    return {
        "number": number,
        "count": count,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < count else None,
    }


@require_POST
@login_required
def article_retry(request, slug, pk):
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    if services.retry_extraction(article):
        messages.success(request, "Trying again. The page updates when it is done.")
    else:
        messages.info(request, "This article is not waiting for a retry.")
    return redirect(article)


@require_GET
@login_required
def article_sentences(request, slug, pk):
    """Every sentence of the article, a page at a time, so a reviewer can make any a claim.

    Sentences and scores are stored by the extraction task (SentencePage); a request reads one
    page of them, however long the article.
    """
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    count = article.sentence_pages.count()
    number = _number(request, "page", last=max(count, 1))
    page = article.sentence_pages.filter(number=number).first()
    # Articles extracted before sentences were stored get them from the worker, once.
    preparing = not count and bool(article.body) and not article.is_pending
    if preparing:
        services.request_sentences(article)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "article": article,
        "sentences": page.rows(article) if page else [],
        "pages": _parts(number, max(count, 1)),
        "first_number": (number - 1) * SentencePage.SIZE + 1,
        "preparing": preparing,
    }
    template = "claims/article_sentences.html"
    if request.htmx:
        template += "#sentence-list"
    return render(request, template, context)


@require_POST
@login_required
def claim_create(request, slug, pk):
    """Turn a sentence, or a span selected in the article text, into a claim."""
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    form = ManualClaimForm(request.POST, article=article)
    if form.is_valid():
        claim, created = services.add_manual_claim(
            article=article, user=request.user, start=form.start, end=form.end
        )
        if created:
            messages.success(request, "Claim added.")
        else:
            messages.info(request, "That passage is already a claim.")
        return redirect(claim)
    messages.error(request, " ".join(form.errors.get("__all__", ["That selection is invalid."])))
    return redirect(article)
