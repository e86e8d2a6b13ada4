"""Articles: hand one over (paste, upload, URL), watch its extraction, add claims by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import services
from claims.extraction import extract_candidates
from claims.forms import ManualClaimForm, PasteForm, UploadForm, UrlForm
from claims.ingest.text import IngestError
from claims.models import Article
from claims.permissions import get_article, get_membership

SOURCES = {"paste": PasteForm, "upload": UploadForm, "url": UrlForm}


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
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    claims = list(article.claims.select_related("assignee").order_by("start"))
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "article": article,
        "claims": claims,
        "segments": article.segments(claims),
        "duplicates": article.duplicates() if article.is_failed else [],
        "claim_form": ManualClaimForm(),
    }
    template = "claims/article_detail.html"
    if request.htmx and request.htmx.target == "article-body":
        template += "#article-body"
    return render(request, template, context)


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
    """Every sentence of the article, so a reviewer can make any of them a claim."""
    membership = get_membership(request, slug)
    article = get_article(membership, pk)
    taken = set(article.claims.values_list("start", "end"))
    sentences = [
        {"sentence": s, "is_claim": (s.start, s.end) in taken}
        for s in sorted(extract_candidates(article.body, include_all=True), key=lambda s: s.start)
    ]
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "article": article,
        "sentences": sentences,
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
