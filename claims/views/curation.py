"""Correcting the desk's data in the app: an article's details, deleting an article or a comment.

The write paths are in claims/curation.py. Each form works as a plain POST and over htmx:
the article forms answer htmx with their partial, or a client redirect once done; removing a
comment answers with the claim page's comments section.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import curation
from claims.desk import NotAllowed
from claims.forms import ArticleMetadataForm
from claims.models import Comment
from claims.permissions import get_article, get_claim, get_membership
from claims.views.claim_page import respond


def _done(request, url, text):
    messages.success(request, text)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@login_required
def article_edit(request, slug, pk):
    """Editors correct the title, address, outlet, author and date; the text stays."""
    membership = get_membership(request, slug, editor=True)
    article = get_article(membership, pk)
    form = ArticleMetadataForm(request.POST or None, initial=curation.details_of(article))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            changes = curation.correct_article(
                membership=membership, article=article, **form.cleaned_data
            )
        except curation.DuplicateAddress as dup:
            form.add_error("source_url", _duplicate(dup.existing))
        except NotAllowed as exc:
            form.add_error(None, str(exc))
            status = 403
        else:
            text = "Article details corrected." if changes else "Nothing to change."
            return _done(request, article.get_absolute_url(), text)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "article": article,
        "form": form,
        "refusal": curation.correction_refusal(article),
        "details_history": curation.details_history(article),
    }
    template = "claims/article_edit.html"
    if request.htmx and not request.htmx.boosted:
        template += "#article-form"
    return render(request, template, context, status=status)


def _duplicate(existing):
    return format_html(
        'Another article of this workspace has this address: <a href="{}">{}</a>.',
        existing.get_absolute_url(),
        existing,
    )


@require_http_methods(["GET", "POST"])
@login_required
def article_delete(request, slug, pk):
    """GET: what goes with the article. POST (from that page): delete it, admins only."""
    membership = get_membership(request, slug, admin=True)
    article = get_article(membership, pk)
    if request.method == "GET":
        return _delete_page(request, membership, article)
    if request.POST.get("confirm") != "delete":
        messages.error(request, "Confirm the deletion with the button on this page.")
        return _delete_page(request, membership, article, status=400)
    name = str(article)
    try:
        summary = curation.delete_article(membership=membership, article=article)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return _delete_page(request, membership, article, status=403)
    claims = f"{summary.claims} claim{pluralize(summary.claims)}"
    return _done(
        request, reverse("dashboard", args=[slug]), f"“{name}” deleted, with its {claims}."
    )


def _delete_page(request, membership, article, status=200):
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "article": article,
        "summary": curation.deletion_summary(article),
    }
    template = "claims/article_delete.html"
    if request.htmx and not request.htmx.boosted:
        template += "#delete-form"
    return render(request, template, context, status=status)


@require_POST
@login_required
def comment_delete(request, slug, pk, comment_pk):
    membership = get_membership(request, slug)
    claim = get_claim(membership, pk)
    comment = get_object_or_404(
        Comment.objects.select_related("author", "claim"), claim=claim, pk=comment_pk
    )
    try:
        curation.remove_comment(membership=membership, comment=comment)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return respond(request, membership, claim, "comments", status=403)
    messages.success(request, "Comment removed.")
    return respond(request, membership, claim, "comments")
