"""schema.org ClaimReview markup of a verdict, as Google's fact-check rules want it.

A published verdict's markup is built from its frozen public record (claims/publication.py),
never from the live rows: editing the article, the claim, the sources, the workspace or the
rating scale afterwards changes nothing search engines were told. Only an approved correction
freezes a new record, and the markup then says so (`dateModified`, and each approved
correction as a schema.org `correction`). An unpublished verdict's markup is a preview built
from the live rows (`publication.record_of`): that is how the verdict form warns, before
anyone publishes, that the markup would be invalid or weak (`publication_problems`).

Search engines show a fact check from this JSON-LD, so we only emit it when every field they
require is there and sensible: `validate_claimreview` lists, in words an editor can act on, why
a verdict cannot have markup, and `build_claimreview` refuses such a verdict.

A frozen record holds everything the markup reads, so building it runs no query but the one for
the approved corrections (none when `corrections=` is given). A preview reads the workspace's
rating bounds (one query, for a numeric rating, unless `bounds=` is given).
"""

import datetime
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from claims import publication
from claims.models import Claim, ClaimantKind, Verdict

# What building a preview (or a record for a verdict published without one) reads.
CLAIMREVIEW_SELECT_RELATED = ("claim__article", "claim__workspace", "rating")

# Google asks for claimReviewed "less than 75 characters" so it does not wrap on a phone: the
# claim's restatement is written for that, and past it we only warn. Past the hard limit the
# text is no longer "a short summary of the claim" but a paragraph, and we refuse.
CLAIM_REVIEWED_ADVISED_LENGTH = Claim.RESTATEMENT_ADVISED_LENGTH
CLAIM_REVIEWED_MAX_LENGTH = 500
SUMMARY_MAX_LENGTH = Verdict._meta.get_field("summary").max_length

# Marks "compute the bounds from the verdict's workspace", since None is a meaningful bound.
_FROM_WORKSPACE = object()

# The escapes Django's json_script uses: inside <script> the HTML parser only looks for
# "</script", so "<" must never appear literally, and "&", ">" are escaped for older parsers.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

# Where each kind of problem is fixed, and what the link to it says.
FIX_LABELS = {
    "organisation": "Workspace settings (admins)",
    "scale": "Rating scale (admins)",
    "article": "Edit the article",
    "attribution": "Claim attribution",
    "verdict": "The verdict",
    "site": "",  # SITE_URL: the server's configuration, nothing to click
}


class ClaimReviewError(ValueError):
    """The verdict cannot have valid markup; `reasons` says why, one sentence each."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Problem:
    """Why the markup would be invalid (`blocking`) or weak, and where that is fixed."""

    message: str
    fix: str
    blocking: bool = True
    fix_url: str = ""

    @property
    def fix_label(self) -> str:
        return FIX_LABELS[self.fix]


@dataclass(frozen=True)
class ClaimReviewCheck:
    """What the verdict form shows about the verdict's markup (see publication_problems)."""

    published: bool
    public_url: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # The markup as it would be published now (indented JSON), when there are no errors.
    preview: str = ""


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


# --- What the markup is built from ----------------------------------------------------------


def record_for(verdict: Verdict, *, bounds=_FROM_WORKSPACE) -> dict:
    """The public record the markup is built from.

    A published verdict's is the one frozen at publication (or at its last approved
    correction). Any other verdict gets the record it would have if published now, from the
    live rows: a preview. `bounds` is the workspace's (worst, best) numeric rating, or None for
    a scale without numbers; left out, it is read when a numeric rating needs it.
    """
    if verdict.status == Verdict.Status.PUBLISHED and verdict.public_record:
        return verdict.public_record
    rating = verdict.rating
    if rating is None or rating.value is None:
        bounds = ()  # a label-only rating never needs the scale
    elif bounds is _FROM_WORKSPACE:
        bounds = None  # record_of reads it
    else:
        bounds = bounds or ()
    # ClaimReview does not list the evidence, so no query for the sources.
    return publication.record_of(verdict, sources=(), bounds=bounds)


def claim_reviewed(record: dict) -> str:
    """claimReviewed: the claim's short restatement, or its sentence when it has none."""
    claim = record["claim"]
    return claim.get("restatement") or claim["text"]


# --- Problems -------------------------------------------------------------------------------


def record_problems(record: dict) -> list[Problem]:
    """What keeps a record's markup from being valid (blocking) or good (warnings)."""
    claim, article = record["claim"], record["article"]
    problems = _claim_reviewed_problems(record)
    if not claim.get("claimant"):
        problems.append(
            Problem(
                "No confirmed claimant: the markup will not say who made the claim (it never "
                "names the article's journalist instead).",
                "attribution",
                blocking=False,
            )
        )
    if not claim.get("date"):
        problems.append(
            Problem(
                "Nobody has said when the claim was made, and the article has no date.",
                "attribution",
                blocking=False,
            )
        )
    appearance = claim.get("appearance_url") or ""
    # The claim's own address, if it has one, else the article's (record_of's default).
    where = "attribution" if appearance and appearance != article["url"] else "article"
    if not appearance:
        problems.append(
            Problem(
                "The article has no URL, so nothing says where the claim appeared: give the "
                "article its address, or the claim the address where it appeared.",
                "article",
            )
        )
    elif not is_web_url(appearance):
        problems.append(
            Problem("The address where the claim appeared is not an http(s) address.", where)
        )
    summary = record.get("summary") or ""
    if len(summary) > SUMMARY_MAX_LENGTH:
        problems.append(
            Problem(
                f"The summary is {len(summary)} characters long; "
                f"at most {SUMMARY_MAX_LENGTH} are allowed.",
                "verdict",
            )
        )
    problems += _organisation_problems(record["organisation"])
    if not is_web_url(settings.SITE_URL):
        problems.append(
            Problem("SITE_URL is not an absolute http(s) address, so no public URL exists.", "site")
        )
    if record.get("rating") is None:
        problems.append(Problem("The verdict has no rating.", "verdict"))
    else:
        problems += _rating_problems(record["rating"], record.get("bounds"))
    return problems


def _claim_reviewed_problems(record: dict) -> list[Problem]:
    text = claim_reviewed(record)
    restated = bool(record["claim"].get("restatement"))
    if not text:
        return [Problem("The claim has no text.", "attribution")]
    if len(text) > CLAIM_REVIEWED_MAX_LENGTH:
        return [
            Problem(
                f"The claim is {len(text)} characters long; ClaimReview takes a short "
                f"statement of at most {CLAIM_REVIEWED_MAX_LENGTH}: write a short restatement.",
                "attribution",
            )
        ]
    if len(text) <= CLAIM_REVIEWED_ADVISED_LENGTH:
        return []
    if restated:
        message = (
            f"The restatement is {len(text)} characters long; search results show claims under "
            f"{CLAIM_REVIEWED_ADVISED_LENGTH} best."
        )
    else:
        message = (
            f"The claim is {len(text)} characters long and has no restatement, so the whole "
            f"sentence is published; search results show claims under "
            f"{CLAIM_REVIEWED_ADVISED_LENGTH} best: write a short restatement."
        )
    return [Problem(message, "attribution", blocking=False)]


def _organisation_problems(organisation: dict) -> list[Problem]:
    if not organisation.get("name"):
        return [
            Problem(
                "The workspace has no organisation name to publish as the fact-checker.",
                "organisation",
            )
        ]
    if not organisation.get("url"):
        return [Problem("The workspace has no organisation URL.", "organisation")]
    if not is_web_url(organisation["url"]):
        return [
            Problem("The workspace's organisation URL is not an http(s) address.", "organisation")
        ]
    return []


def _rating_problems(rating: dict, bounds) -> list[Problem]:
    if not (rating.get("label") or "").strip():
        return [Problem("The rating has no label.", "scale")]
    if rating.get("value") is None:
        return []
    if not bounds:
        return [
            Problem(
                f"The rating “{rating['label']}” has a value but the workspace's scale has no "
                "numeric values.",
                "scale",
            )
        ]
    worst, best = bounds
    if not 1 <= worst < best:
        return [
            Problem(
                "The rating scale needs at least two numeric values, the lowest at least 1 "
                f"(it runs from {worst} to {best}).",
                "scale",
            )
        ]
    if not worst <= rating["value"] <= best:
        return [
            Problem(
                f"The rating's value {rating['value']} lies outside the scale ({worst} to {best}).",
                "scale",
            )
        ]
    return []


def _live_problems(verdict: Verdict) -> list[Problem]:
    """What only the live rows tell, for a verdict not yet frozen."""
    problems = []
    rating, workspace = verdict.rating, verdict.claim.workspace
    if rating is not None and rating.workspace_id != verdict.claim.workspace_id:
        problems.append(Problem("The rating belongs to another workspace's scale.", "verdict"))
    if not workspace.organisation_name:
        problems.append(
            Problem(
                f"The workspace has no organisation name, so the markup names “{workspace.name}” "
                "as the fact-checker.",
                "organisation",
                blocking=False,
            )
        )
    return problems


def _checked(verdict: Verdict, bounds, *, preview: bool = False) -> tuple[dict, list[Problem]]:
    """The record and all its problems. Markup needs a published verdict, unless this is the
    preview of what publishing would give."""
    record = record_for(verdict, bounds=bounds)
    published = verdict.status == Verdict.Status.PUBLISHED
    problems = []
    if not published and not preview:
        problems.append(
            Problem(
                f"The verdict is not published (it is {verdict.get_status_display()}).",
                "verdict",
            )
        )
    elif published and not record.get("published_at"):
        problems.append(Problem("The verdict has no publication date.", "verdict"))
    if not (published and verdict.public_record):
        problems += _live_problems(verdict)
    return record, problems + record_problems(record)


def validate_claimreview(verdict: Verdict, *, bounds=_FROM_WORKSPACE) -> list[str]:
    """Why this verdict cannot have ClaimReview markup; an empty list when it can."""
    _, problems = _checked(verdict, bounds)
    return [p.message for p in problems if p.blocking]


def claimreview_warnings(verdict: Verdict, *, bounds=_FROM_WORKSPACE) -> list[str]:
    """Advice that does not block the markup: things search engines display less well."""
    _, problems = _checked(verdict, bounds)
    return [p.message for p in problems if not p.blocking]


def publication_problems(verdict: Verdict, *, claim=None, workspace=None) -> ClaimReviewCheck:
    """What the verdict form says about the verdict's ClaimReview, each problem with a link
    to where it is fixed.

    Before publication: the errors that would leave the fact-check without markup and the
    warnings that make it weak, on the record it would get now, with a preview of the markup.
    After: the same about the published record. `claim` and `workspace`, when the caller has
    them loaded, spare the queries for them (one more reads the rating bounds of a preview).
    """
    if claim is not None:
        verdict.claim = claim
        if workspace is not None:
            claim.workspace = workspace
    published = verdict.status == Verdict.Status.PUBLISHED
    record, problems = _checked(verdict, _FROM_WORKSPACE, preview=True)
    problems = [_with_link(p, verdict) for p in problems]
    errors = [p for p in problems if p.blocking]
    url = public_url(verdict)
    preview = ""
    if not errors and not published:
        preview = json.dumps(
            markup_of(record, url=url, corrections=[]), indent=2, ensure_ascii=False
        )
    return ClaimReviewCheck(
        published=published,
        public_url=url,
        errors=errors,
        warnings=[p for p in problems if not p.blocking],
        preview=preview,
    )


def _with_link(problem: Problem, verdict: Verdict) -> Problem:
    claim = verdict.claim
    slug = claim.workspace.slug
    urls = {
        "organisation": lambda: reverse("workspace_settings", args=[slug]),
        "scale": lambda: reverse("workspace_settings", args=[slug]) + "#scale-heading",
        "article": lambda: reverse("article_edit", args=[slug, claim.article_id]),
        "attribution": lambda: reverse("claim_detail", args=[slug, claim.pk]) + "#attribution",
        "verdict": lambda: reverse("claim_detail", args=[slug, claim.pk]) + "#verdict",
        "site": lambda: "",
    }
    return Problem(problem.message, problem.fix, problem.blocking, urls[problem.fix]())


# --- Building -------------------------------------------------------------------------------


def build_claimreview(
    verdict: Verdict, *, bounds=_FROM_WORKSPACE, url: str = "", corrections=None
) -> dict:
    """The ClaimReview object for a published verdict, ready for json.dumps.

    Raises ClaimReviewError (with the reasons of `validate_claimreview`) rather than produce
    markup a search engine would reject or, worse, show wrongly. `url` is the verdict's public
    URL when the caller already has it; `corrections` its approved corrections as
    `publication.approved_corrections` gives them (read, one query, when left out).
    """
    record, problems = _checked(verdict, bounds)
    if reasons := [p.message for p in problems if p.blocking]:
        raise ClaimReviewError(reasons)
    if corrections is None:
        corrections = publication.approved_corrections([verdict.pk])[verdict.pk]
    return markup_of(record, url=url or public_url(verdict), corrections=corrections)


def markup_of(record: dict, *, url: str, corrections: list[dict]) -> dict:
    """The ClaimReview of a public record (checked with record_problems first)."""
    organisation = record["organisation"]
    published = _moment(record.get("published_at")) or timezone.now()
    markup = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim_reviewed(record),
        "datePublished": timezone.localtime(published).date().isoformat(),
        "author": {
            "@type": "Organization",
            "name": organisation["name"],
            "url": organisation["url"],
        },
        "reviewRating": _review_rating(record["rating"], record.get("bounds")),
        "itemReviewed": _item_reviewed(record),
    }
    if record.get("summary"):
        markup["reviewBody"] = record["summary"]
    modified = _moment(record.get("modified_at"))
    if corrections:
        latest = max(entry["date"] for entry in corrections)
        modified = max(modified, latest) if modified else latest
        markup["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": publication.correction_text(entry),
                "datePublished": timezone.localtime(entry["date"]).date().isoformat(),
            }
            for entry in corrections
        ]
    if modified:
        markup["dateModified"] = timezone.localtime(modified).isoformat(timespec="seconds")
    return markup


def _moment(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _review_rating(rating: dict, bounds) -> dict:
    review_rating = {"@type": "Rating", "alternateName": rating["label"]}
    # Misleading, Unverifiable…: outside the numeric scale, so a label and no numbers at all;
    # a made-up number would rank them on a scale they are not part of.
    if rating.get("value") is not None:
        worst, best = bounds
        review_rating |= {"ratingValue": rating["value"], "bestRating": best, "worstRating": worst}
    return review_rating


def _item_reviewed(record: dict) -> dict:
    """The claim: who made it (never the article's journalist), when, and where it appeared."""
    claim, article = record["claim"], record["article"]
    item = {"@type": "Claim"}
    if claim.get("claimant"):
        kind = (
            "Organization" if claim.get("claimant_kind") == ClaimantKind.ORGANIZATION else "Person"
        )
        item["author"] = {"@type": kind, "name": claim["claimant"]}
    if claim.get("date"):
        item["datePublished"] = claim["date"]
    appearance = {"@type": "CreativeWork", "url": claim["appearance_url"]}
    # The article's details describe the appearance only when it is the article itself.
    if claim["appearance_url"] == article["url"]:
        if article.get("title"):
            appearance["headline"] = article["title"]
        if article.get("author"):
            appearance["author"] = {"@type": "Person", "name": article["author"]}
        if article.get("published_date"):
            appearance["datePublished"] = article["published_date"]
    item["appearance"] = [appearance]
    return item


def json_ld(markup: dict) -> str:
    """The markup as JSON that is safe inside a <script> element (no "</script>" breakout)."""
    return json.dumps(markup, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def json_ld_script(markup: dict) -> SafeString:
    """A `<script type="application/ld+json">` element holding the markup.

    Browsers never execute this type, so the site's CSP (no inline scripts) is not affected.
    """
    return mark_safe(f'<script type="application/ld+json">{json_ld(markup)}</script>')  # noqa: S308
