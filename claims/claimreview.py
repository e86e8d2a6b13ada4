"""schema.org ClaimReview markup for published verdicts, as Google's fact-check rules want it.

Search engines show a fact check from this JSON-LD, so we only emit it when every field they
require is there and sensible: `validate_claimreview` lists, in words an editor can act on, why
a verdict cannot have markup yet, and `build_claimreview` refuses such a verdict.

Everything here is a pure function of model instances. Load the verdict with
`CLAIMREVIEW_SELECT_RELATED` so reading it runs no queries; the rating scale's bounds are the
one thing that needs the database (`Workspace.rating_bounds()`), so callers that build markup
for many verdicts pass `bounds=` computed once per workspace.
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from claims.models import Verdict

# What reading a verdict's markup touches: select_related these (or more) to stay query-free.
CLAIMREVIEW_SELECT_RELATED = ("claim__article", "claim__workspace", "rating")

# Google asks for claimReviewed "less than 75 characters" so it does not wrap on a phone; claims
# are whole sentences and often longer, so past that we only warn. Past the hard limit the
# text is no longer "a short summary of the claim" but a paragraph, and we refuse.
CLAIM_REVIEWED_ADVISED_LENGTH = Verdict.SUMMARY_ADVISED_LENGTH
CLAIM_REVIEWED_MAX_LENGTH = 500
SUMMARY_MAX_LENGTH = Verdict._meta.get_field("summary").max_length

# Marks "compute the bounds from the verdict's workspace", since None is a meaningful bound.
_FROM_WORKSPACE = object()

# The escapes Django's json_script uses: inside <script> the HTML parser only looks for
# "</script", so "<" must never appear literally, and "&", ">" are escaped for older parsers.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


class ClaimReviewError(ValueError):
    """The verdict cannot have valid markup; `reasons` says why, one sentence each."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def is_web_url(url: str) -> bool:
    """An absolute http(s) address: the only kind we link to or publish.

    A stored URL is not proof of a web address (rows can arrive without form validation), and
    `javascript:` in an href or in markup is how an escaped page still runs code.
    """
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def public_url(verdict: Verdict) -> str:
    """The absolute address of the verdict's public page (SITE_URL, not the request's host)."""
    return verdict_public_url(verdict.claim.workspace.slug, verdict.pk)


def verdict_public_url(slug: str, pk: int) -> str:
    return settings.SITE_URL + reverse("public_verdict", args=[slug, pk])


def claim_reviewed(verdict: Verdict) -> str:
    """The claim as published: its text with runs of whitespace (line breaks) made one space."""
    return " ".join(verdict.claim.text.split())


def validate_claimreview(verdict: Verdict, *, bounds=_FROM_WORKSPACE) -> list[str]:
    """Why this verdict cannot have ClaimReview markup; an empty list when it can.

    `bounds` is the workspace's (worst, best) numeric rating, or None for a scale without
    numbers; left out, it is read from the workspace (one query, only for a numeric rating).
    """
    claim, article = verdict.claim, verdict.claim.article
    workspace, rating = claim.workspace, verdict.rating
    reasons = []
    if verdict.status != Verdict.Status.PUBLISHED:
        reasons.append(f"The verdict is not published (it is {verdict.get_status_display()}).")
    elif verdict.published_at is None:
        reasons.append("The verdict has no publication date.")
    text = claim_reviewed(verdict)
    if not text:
        reasons.append("The claim has no text.")
    elif len(text) > CLAIM_REVIEWED_MAX_LENGTH:
        reasons.append(
            f"The claim is {len(text)} characters long; ClaimReview takes a short statement "
            f"of at most {CLAIM_REVIEWED_MAX_LENGTH}."
        )
    if len(verdict.summary) > SUMMARY_MAX_LENGTH:
        reasons.append(
            f"The summary is {len(verdict.summary)} characters long; "
            f"at most {SUMMARY_MAX_LENGTH} are allowed."
        )
    if not article.source_url:
        reasons.append("The article has no URL, so readers cannot see where the claim appeared.")
    elif not is_web_url(article.source_url):
        reasons.append("The article's URL is not an http(s) address.")
    if not workspace.organisation_name:
        reasons.append("The workspace has no organisation name to publish as the fact-checker.")
    if not workspace.organisation_url:
        reasons.append("The workspace has no organisation URL.")
    elif not is_web_url(workspace.organisation_url):
        reasons.append("The workspace's organisation URL is not an http(s) address.")
    if not is_web_url(settings.SITE_URL):
        reasons.append("SITE_URL is not an absolute http(s) address, so no public URL exists.")
    if rating is None:
        reasons.append("The verdict has no rating.")
    else:
        reasons += _rating_problems(verdict, bounds)
    return reasons


def _rating_problems(verdict: Verdict, bounds) -> list[str]:
    rating = verdict.rating
    if rating.workspace_id != verdict.claim.workspace_id:
        return ["The rating belongs to another workspace's scale."]
    if not rating.label.strip():
        return ["The rating has no label."]
    if rating.value is None:
        return []
    bounds = _bounds(verdict, bounds)
    if bounds is None:
        return [
            f"The rating “{rating.label}” has a value but the workspace's scale has no "
            "numeric values."
        ]
    worst, best = bounds
    if not 1 <= worst < best:
        return [
            "The rating scale needs at least two numeric values, the lowest at least 1 "
            f"(it runs from {worst} to {best})."
        ]
    if not worst <= rating.value <= best:
        return [f"The rating's value {rating.value} lies outside the scale ({worst} to {best})."]
    return []


def claimreview_warnings(verdict: Verdict) -> list[str]:
    """Advice that does not block the markup: things search engines display less well."""
    warnings = []
    length = len(claim_reviewed(verdict))
    if CLAIM_REVIEWED_ADVISED_LENGTH < length <= CLAIM_REVIEWED_MAX_LENGTH:
        warnings.append(
            f"The claim is {length} characters long; search results show claims under "
            f"{CLAIM_REVIEWED_ADVISED_LENGTH} best."
        )
    return warnings


def build_claimreview(verdict: Verdict, *, bounds=_FROM_WORKSPACE, url: str = "") -> dict:
    """The ClaimReview object for a published verdict, ready for json.dumps.

    Raises ClaimReviewError (with the reasons of `validate_claimreview`) rather than produce
    markup a search engine would reject or, worse, show wrongly. `url` is the verdict's
    public URL when the caller already has it.
    """
    if verdict.rating is not None and verdict.rating.value is not None:
        bounds = _bounds(verdict, bounds)
    reasons = validate_claimreview(verdict, bounds=bounds)
    if reasons:
        raise ClaimReviewError(reasons)
    claim, article = verdict.claim, verdict.claim.article
    workspace = claim.workspace
    markup = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url or public_url(verdict),
        "claimReviewed": claim_reviewed(verdict),
        "datePublished": timezone.localtime(verdict.published_at).date().isoformat(),
        "author": {
            "@type": "Organization",
            "name": workspace.organisation_name,
            "url": workspace.organisation_url,
        },
        "reviewRating": _review_rating(verdict.rating, bounds),
        "itemReviewed": _item_reviewed(article),
    }
    if verdict.summary:
        markup["reviewBody"] = verdict.summary
    return markup


def _review_rating(rating, bounds) -> dict:
    review_rating = {"@type": "Rating", "alternateName": rating.label}
    # Misleading, Unverifiable…: outside the numeric scale, so a label and no numbers at all;
    # a made-up number would rank them on a scale they are not part of.
    if rating.value is not None:
        worst, best = bounds
        review_rating |= {"ratingValue": rating.value, "bestRating": best, "worstRating": worst}
    return review_rating


def _item_reviewed(article) -> dict:
    appearance = {"@type": "CreativeWork", "url": article.source_url}
    claim = {"@type": "Claim", "appearance": [appearance]}
    if article.title:
        appearance["headline"] = article.title
    if article.author:
        person = {"@type": "Person", "name": article.author}
        appearance["author"] = person
        claim["author"] = dict(person)
    if article.published_date:
        appearance["datePublished"] = article.published_date.isoformat()
        claim["datePublished"] = article.published_date.isoformat()
    return claim


def _bounds(verdict: Verdict, bounds):
    if bounds is _FROM_WORKSPACE:
        return verdict.claim.workspace.rating_bounds()
    return bounds


def json_ld(markup: dict) -> str:
    """The markup as JSON that is safe inside a <script> element (no "</script>" breakout)."""
    return json.dumps(markup, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def json_ld_script(markup: dict) -> SafeString:
    """A `<script type="application/ld+json">` element holding the markup.

    Browsers never execute this type, so the site's CSP (no inline scripts) is not affected.
    """
    return mark_safe(f'<script type="application/ld+json">{json_ld(markup)}</script>')  # noqa: S308
