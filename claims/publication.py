"""The public record of a verdict: everything a reader sees, frozen at publication.

A published fact-check must not change silently (IFCN principle 5). So when a verdict is
published, `freeze(verdict)` stores what readers see in `Verdict.public_record`, and the public
page, ClaimReview markup and the public feeds read that record, never the live rows. The record
changes only when a correction is approved (claims/desk.py), and `record_changes` says what
changed, for the correction's public history; `approved_corrections` reads that history the way
readers (the public page, ClaimReview's `correction`, the exports) see it.

`record_of(verdict)` builds the record from the live rows; it is also how the verdict form
previews the ClaimReview a verdict would get before anyone publishes it. It reads the verdict's
claim, article, workspace and rating (select_related them) and the claim's sources (one query,
or none when `sources` is given).

The record is plain JSON (format `RECORD_FORMAT`):

    {"format": 1,
     "claim": {"text", "restatement", "claimant", "claimant_kind", "date", "appearance_url"},
     "article": {"title", "outlet", "author", "url", "published_date"},
     "rating": {"label", "value", "description"} | None,
     "bounds": [worst, best] | None,          # the workspace's numeric scale at the time
     "summary", "explanation",
     "sources": [{"url", "title", "publisher", "excerpt", "stance"}],
     "organisation": {"name", "url"},
     "published_at": ISO datetime, "modified_at": ISO datetime | None}
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

RECORD_FORMAT = 1

# What a correction may change, in the words the public history uses.
FIELD_LABELS = {
    "rating": "Rating",
    "summary": "Summary",
    "explanation": "Explanation",
    "sources": "Sources",
    "claim.restatement": "Claim as reviewed",
    "claim.claimant": "Who made the claim",
    "claim.date": "When the claim was made",
    "claim.appearance_url": "Where the claim appeared",
    "claim.claimant_kind": "Made by a person or an organisation",
    # The article's details are re-read when a correction is approved: an edit made to them
    # since publication goes public with it, and is listed.
    "article.title": "Article title",
    "article.outlet": "Outlet",
    "article.author": "Article author",
    "article.published_date": "Article date",
    "article.url": "Article address",
    # Read live too when a correction is approved: a rating reworded or renumbered, or the
    # organisation renamed, since publication goes public with it, and is listed.
    "rating.description": "What the rating means",
    "rating.scale": "Rating on the numeric scale",
    "organisation.name": "Fact-checked by",
    "organisation.url": "Fact-checker's address",
}


RATING_DETAILS = ("rating.description", "rating.scale")

KIND_LABELS = {"person": "a person", "organization": "an organisation"}


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    return value.isoformat()


def source_entry(source) -> dict:
    return {
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "excerpt": source.excerpt,
        "stance": source.stance,
    }


def claim_entry(claim) -> dict:
    """The claim's public attribution; date and place default to the article's."""
    article = claim.article
    return {
        "text": " ".join(claim.text.split()),
        "restatement": " ".join(claim.restatement.split()),
        "claimant": claim.claimant.strip(),
        "claimant_kind": claim.claimant_kind,
        "date": _iso(claim.claim_date or article.published_date),
        "appearance_url": claim.appearance_url or article.source_url,
    }


def record_of(verdict, *, sources=None, bounds=None, published_at=None) -> dict:
    """The record readers would see if `verdict` were published now, from the live rows.

    `bounds` is the workspace's (worst, best) numeric scale; left out it is read (one query).
    """
    claim = verdict.claim
    article, workspace, rating = claim.article, claim.workspace, verdict.rating
    if sources is None:
        sources = claim.sources.order_by("created_at", "pk")
    if bounds is None:
        bounds = workspace.rating_bounds()
    return {
        "format": RECORD_FORMAT,
        "claim": claim_entry(claim),
        "article": {
            "title": article.title,
            "outlet": article.outlet,
            "author": article.author,
            "url": article.source_url,
            "published_date": _iso(article.published_date),
        },
        "rating": (
            {"label": rating.label, "value": rating.value, "description": rating.description}
            if rating is not None
            else None
        ),
        "bounds": list(bounds) if bounds else None,
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "sources": [source_entry(source) for source in sources],
        "organisation": {
            "name": workspace.organisation_name or workspace.name,
            "url": workspace.organisation_url,
        },
        "published_at": _iso(published_at or verdict.published_at),
        "modified_at": _iso(verdict.modified_at),
    }


def current_record(verdict) -> dict:
    """What readers see of a published verdict now: its frozen record. A verdict published
    without one (rows made by hand; migration 0008 froze the older ones) falls back to the
    record its live rows would give, so it is never shown half-empty."""
    return verdict.public_record or record_of(verdict)


def freeze(verdict, **kwargs) -> dict:
    """Store the verdict's public record from the live rows (call inside the transaction that
    publishes it or approves a correction) and return it."""
    record = record_of(verdict, **kwargs)
    type(verdict).objects.filter(pk=verdict.pk).update(public_record=record)
    verdict.public_record = record
    return record


def _flat(record: dict) -> dict:
    rating = record.get("rating") or {}
    claim = record.get("claim") or {}
    article = record.get("article") or {}
    return {
        "rating": rating.get("label", ""),
        "summary": record.get("summary", ""),
        "explanation": record.get("explanation", ""),
        "sources": [
            (s["url"], s["title"], s["publisher"], s["excerpt"], s["stance"])
            for s in record.get("sources", [])
        ],
        "claim.restatement": claim.get("restatement", ""),
        "claim.claimant": claim.get("claimant", ""),
        "claim.date": claim.get("date") or "",
        "claim.appearance_url": claim.get("appearance_url", ""),
        "claim.claimant_kind": KIND_LABELS.get(claim.get("claimant_kind", ""), ""),
        "article.title": article.get("title", ""),
        "article.outlet": article.get("outlet", ""),
        "article.author": article.get("author", ""),
        "article.published_date": article.get("published_date") or "",
        "article.url": article.get("url", ""),
        "rating.description": rating.get("description", ""),
        "rating.scale": _scale(rating.get("value"), record.get("bounds")),
        "organisation.name": (record.get("organisation") or {}).get("name", ""),
        "organisation.url": (record.get("organisation") or {}).get("url", ""),
    }


def _scale(value, bounds) -> str:
    """ClaimReview's ratingValue on its scale, e.g. "2 (1 to 5)" ("" off the scale)."""
    if value is None:
        return ""
    return f"{value} ({bounds[0]} to {bounds[1]})" if bounds else str(value)


def record_changes(old: dict, new: dict) -> list[dict]:
    """What a reader would see changed between two records: [{"field", "label", "old", "new"}].

    Sources are summarised as the URLs added and removed, and "excerpt changed" for a source
    kept with a different quotation or title.
    """
    before, after = _flat(old), _flat(new)
    changes = []
    for field, label in FIELD_LABELS.items():
        if before[field] == after[field]:
            continue
        if field in RATING_DETAILS and before["rating"] != after["rating"]:
            continue  # a new rating brings its own meaning and value: "Rating" says it
        if field == "sources":
            changes.append({"field": field, "label": label, **_source_changes(old, new)})
        else:
            changes.append(
                {"field": field, "label": label, "old": before[field], "new": after[field]}
            )
    return changes


def fingerprint(changes: list[dict]) -> str:
    """A short digest of `changes` (record_changes, without the page's source details): what
    an approver saw, so approval can refuse to publish anything else."""
    shown = [{k: v for k, v in change.items() if k != "details"} for change in changes]
    text = json.dumps(shown, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _source_changes(old: dict, new: dict) -> dict:
    old_sources = {s["url"]: s for s in old.get("sources", [])}
    new_sources = {s["url"]: s for s in new.get("sources", [])}
    added = [url for url in new_sources if url not in old_sources]
    removed = [url for url in old_sources if url not in new_sources]
    edited = [
        url for url in new_sources if url in old_sources and new_sources[url] != old_sources[url]
    ]
    parts = []
    if added:
        parts.append("added " + ", ".join(added))
    if removed:
        parts.append("removed " + ", ".join(removed))
    if edited:
        parts.append("changed the details of " + ", ".join(edited))
    return {
        "old": "",
        "new": "; ".join(parts),
        "added": added,
        "removed": removed,
        "edited": edited,
    }


# --- The public history of corrections -------------------------------------------------------

# What a public correction entry is read from (Correction.objects.approved().values(...)).
CORRECTION_VALUES = (
    "verdict_id",
    "decided_at",
    "created_at",
    "reason",
    "changes",
    "old_rating__label",
    "new_rating__label",
    "old_summary",
    "new_summary",
)


def correction_entry(row: dict) -> dict:
    """An approved correction as readers see it: {"date", "changes", "reason"}.

    `row` holds CORRECTION_VALUES. Corrections approved before the two-person workflow
    (migration 0008) have no `changes` list; what they changed is read from the rating and
    summary they kept.
    """
    changes = row["changes"] or _legacy_changes(row)
    return {
        "date": row["decided_at"] or row["created_at"],
        "changes": changes,
        "reason": row["reason"],
    }


def _legacy_changes(row: dict) -> list[dict]:
    changes = []
    old_rating, new_rating = row["old_rating__label"] or "", row["new_rating__label"] or ""
    if old_rating != new_rating:
        changes.append({"field": "rating", "label": "Rating", "old": old_rating, "new": new_rating})
    if row["old_summary"] != row["new_summary"]:
        changes.append(
            {
                "field": "summary",
                "label": "Summary",
                "old": row["old_summary"],
                "new": row["new_summary"],
            }
        )
    return changes


def approved_corrections(verdict_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The approved corrections of these verdicts, oldest first, by verdict id: one query.

    Proposed and rejected corrections never changed what readers see, so they are not here.
    """
    from claims.models import Correction

    by_verdict = defaultdict(list)
    rows = Correction.objects.approved().filter(verdict_id__in=list(verdict_ids))
    for row in rows.values(*CORRECTION_VALUES):
        by_verdict[row["verdict_id"]].append(correction_entry(row))
    return by_verdict


# Fields whose old and new text are paragraphs: a sentence about them only says they changed.
LONG_FIELDS = ("explanation",)


def change_text(change: dict) -> str:
    """One change in a sentence: "Rating: “True” → “Mostly true”"."""
    if change["field"] in LONG_FIELDS:
        return f"{change['label']} rewritten"
    if not change.get("old"):
        return f"{change['label']}: {change['new'] or 'removed'}"
    return f"{change['label']}: “{change['old']}” → “{change['new'] or 'none'}”"


def correction_text(entry: dict) -> str:
    """A correction as one paragraph: what changed, then why (ClaimReview's CorrectionComment)."""
    changed = "; ".join(change_text(change) for change in entry["changes"])
    return f"{changed}. {entry['reason']}" if changed else entry["reason"]
