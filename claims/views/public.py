"""The public face of the desk, readable by anyone and by search engines: a published verdict,
the workspace's corrections log and its methodology (how it works, and its rating scale).

Everything readers see of a fact-check comes from its frozen public record
(claims/publication.py), never from the live rows, so nothing public changes silently; the
corrections shown are the approved ones only.
"""

import datetime

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from claims import publication
from claims.claimreview import (
    CLAIMREVIEW_SELECT_RELATED,
    ClaimReviewError,
    build_claimreview,
    is_web_url,
    json_ld_script,
    public_url,
)
from claims.models import Correction, Source, Verdict, Workspace

CORRECTIONS_PER_PAGE = 25
# A big article body or an embedding is never part of a public page.
_NOT_READ = ("claim__article__body", "claim__embedding", "claim__workspace__methodology")


def _public_workspace(slug: str) -> Workspace:
    """A workspace with a public face: something published, or a methodology written.

    A desk that has published nothing and said nothing is not announced to the world (its
    name, its scale), and reads exactly like one that does not exist.
    """
    published = Verdict.objects.filter(
        claim__workspace=OuterRef("pk"), status=Verdict.Status.PUBLISHED
    )
    return get_object_or_404(
        Workspace.objects.filter(Q(methodology__gt="") | Exists(published)), slug=slug
    )


@require_safe
def public_verdict(request, slug, pk):
    """One published verdict of the workspace `slug`, with its ClaimReview markup.

    Drafts, submitted verdicts and verdicts of another workspace are 404, exactly as if they
    did not exist. A published verdict whose markup would be invalid (no organisation set up,
    say) is still shown, without markup: readers need it even if search engines do not.
    """
    verdict = get_object_or_404(
        Verdict.objects.select_related(*CLAIMREVIEW_SELECT_RELATED).defer(*_NOT_READ),
        status=Verdict.Status.PUBLISHED,
        claim__workspace__slug=slug,
        pk=pk,
    )
    record = publication.current_record(verdict)
    corrections = publication.approved_corrections([verdict.pk])[verdict.pk]
    try:
        markup = json_ld_script(build_claimreview(verdict, corrections=corrections))
    except ClaimReviewError:
        markup = None
    context = {
        "workspace": verdict.claim.workspace,
        "verdict": verdict,
        "record": readable(record),
        "corrections": corrections,
        "canonical_url": public_url(verdict),
        "claimreview_script": markup,
    }
    return render(request, "claims/public_verdict.html", context)


@require_safe
def public_corrections(request, slug):
    """The workspace's corrections log: every approved correction, newest first."""
    workspace = _public_workspace(slug)
    rows = (
        Correction.objects.approved()
        .filter(verdict__claim__workspace=workspace, verdict__status=Verdict.Status.PUBLISHED)
        .order_by("-decided_at", "-pk")
        .values(
            *publication.CORRECTION_VALUES,
            # Keys of the frozen record (KT() does not follow the relation; F() does).
            restatement=F("verdict__public_record__claim__restatement"),
            claim_text=F("verdict__public_record__claim__text"),
            live_text=F("verdict__claim__text"),
        )
    )
    page = Paginator(rows, CORRECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    entries = [
        {
            **publication.correction_entry(row),
            "verdict_id": row["verdict_id"],
            "claim": row["restatement"] or row["claim_text"] or row["live_text"],
        }
        for row in page
    ]
    context = {"workspace": workspace, "page": page, "entries": entries}
    return render(request, "claims/public_corrections.html", context)


@require_safe
def public_methodology(request, slug):
    """How the workspace checks facts, in its own words, and what each rating means."""
    workspace = _public_workspace(slug)
    context = {
        "workspace": workspace,
        "organisation_link": workspace.organisation_url
        if is_web_url(workspace.organisation_url)
        else "",
        "ratings": workspace.ratings.order_by("position", "pk"),
    }
    return render(request, "claims/public_methodology.html", context)


# --- The record, ready for the template -----------------------------------------------------


def _date(value: str | None):
    return datetime.date.fromisoformat(value[:10]) if value else None


def _moment(value: str | None):
    return datetime.datetime.fromisoformat(value) if value else None


def readable(record: dict) -> dict:
    """The frozen record with dates as dates, addresses that are links only when they are web
    addresses, and stances in words: display only, nothing the record does not say."""
    claim, article = record["claim"], record["article"]
    stances = dict(Source.Stance.choices)
    return {
        **record,
        "claim": {
            **claim,
            "date": _date(claim.get("date")),
            "link": claim["appearance_url"] if is_web_url(claim.get("appearance_url")) else "",
            "is_article": claim.get("appearance_url") == article.get("url"),
        },
        "article": {
            **article,
            "published_date": _date(article.get("published_date")),
            "link": article["url"] if is_web_url(article.get("url")) else "",
        },
        "sources": [
            {
                **source,
                "link": source["url"] if is_web_url(source["url"]) else "",
                "stance_label": stances.get(source["stance"], source["stance"]),
            }
            for source in record.get("sources", [])
        ],
        "published_at": _moment(record.get("published_at")),
        "modified_at": _moment(record.get("modified_at")),
    }
