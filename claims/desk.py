"""The review workflow: assigning claims, evidence, comments, verdicts, approval, corrections.

Publishing freezes what readers see (claims/publication.py). From then on the verdict's rating,
summary, explanation and sources change only through a correction: one member proposes the new
state (propose_correction), a different editor approves it (approve_correction) and only then do
the live rows and the public record change; or it is rejected or withdrawn (reject_correction).

Every function here is a write path shared by views, commands and tests. Each one checks the
actor's right to act (raising NotAllowed with a sentence to show them), changes the rows in one
transaction, records it in the activity log and notifies whoever must hear about it.

Concurrency: claims are taken with a conditional UPDATE (only if still unassigned) and verdicts
are saved with optimistic locking on `Verdict.version`, so two people acting at once never
silently overwrite each other; the loser gets Conflict.
"""

import copy
import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from claims import matching, publication
from claims.models import (
    Activity,
    Claim,
    Comment,
    Correction,
    Membership,
    Notification,
    Rating,
    Source,
    User,
    Verdict,
    web_url,
    without_bidi_controls,
)

# "Leave this field as it is", where None means "clear it".
KEEP = object()


class NotAllowed(Exception):
    """The actor may not do this; the message says why, in the newsroom's words."""


class Gone(NotAllowed):
    """What the actor was working on was deleted meanwhile (an admin removed its article)."""


class Conflict(Exception):
    """Someone else changed the row first. `current` is its state now."""

    def __init__(self, message: str, current=None):
        super().__init__(message)
        self.current = current


def _log(membership: Membership, verb: str, *, claim=None, verdict=None, **detail) -> None:
    Activity.record(
        verb,
        workspace_id=membership.workspace_id,
        actor=membership.user,
        claim=claim,
        verdict=verdict,
        detail=detail,
    )


def notify(*, recipient: User, claim: Claim, message: str, after: str = "") -> None:
    """Tell a member in the app and by email (sent after the transaction commits).

    `message` leads and the claim is named after it, then `after` and the due date:
    "Ana assigned you “The council said the bridge cost…” (due 3 Dec)".
    """
    message = _about(claim, message, after)
    Notification.objects.create(
        recipient=recipient, workspace_id=claim.workspace_id, claim=claim, message=message
    )
    link = settings.SITE_URL + reverse("claim_detail", args=[claim.workspace.slug, claim.pk])
    _email(recipient, message, link, quote=claim.text)


def _about(claim: Claim, lead: str, after: str = "") -> str:
    """A notification's text: who did what, to which claim, and when it is due."""
    quote = Truncator(" ".join(claim.text.split())).chars(60)
    text = f"{lead} “{quote}”" + (f" {after}" if after else "")
    if claim.due_date and claim.status not in (Claim.Status.PUBLISHED, Claim.Status.DISMISSED):
        year = "" if claim.due_date.year == timezone.localdate().year else " Y"
        text += f" (due {date_format(claim.due_date, 'j M' + year)})"
    return _fit(text)


def _fit(message: str, limit: int = 300) -> str:
    """Names can be long; a notification's message must fit its column."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _email(recipient: User, message: str, link: str, *, quote: str = "") -> None:
    if not recipient.email:
        return
    body = f"{message}\n\n“{quote}”\n\nOpen it: {link}\n" if quote else f"{message}\n\n{link}\n"
    transaction.on_commit(
        lambda: send_mail(
            subject=f"[Fact-check desk] {message}"[:200],
            message=body,
            from_email=None,
            recipient_list=[recipient.email],
            fail_silently=True,
        )
    )


# --- Permissions about one claim ------------------------------------------------------------


def can_work_on(membership: Membership, claim: Claim) -> bool:
    """Editors work on any claim; reviewers only on claims assigned to them."""
    return membership.can_work_on(claim)


def _require_work(membership: Membership, claim: Claim) -> None:
    if not can_work_on(membership, claim):
        raise NotAllowed("Only the claim's assignee or an editor can do that.")


def _require_editor(membership: Membership) -> None:
    if not membership.is_editor:
        raise NotAllowed("Only an editor can do that.")


# --- Assignment -----------------------------------------------------------------------------


def assign_claim(
    *,
    membership: Membership,
    claim: Claim,
    assignee: User | None,
    due_date: datetime.date | None = None,
    priority: int | None = None,
) -> Claim:
    """An editor assigns, reassigns or (assignee=None) unassigns a claim."""
    _require_editor(membership)
    if refusal := claim.assignment_refusal():
        raise NotAllowed(refusal)
    if (
        assignee is not None
        and not Membership.objects.filter(user=assignee, workspace_id=claim.workspace_id).exists()
    ):
        raise NotAllowed("That person is not a member of this workspace.")
    previous = claim.assignee_id
    with transaction.atomic():
        claim.assignee = assignee
        if assignee is None:
            claim.status = Claim.Status.NEW
        elif claim.status == Claim.Status.NEW:
            claim.status = Claim.Status.ASSIGNED
        if due_date is not None:
            claim.due_date = due_date
        if priority is not None:
            claim.priority = priority
        claim.save(update_fields=["assignee", "status", "due_date", "priority", "updated_at"])
        if assignee is None:
            _log(membership, Activity.Verb.CLAIM_UNASSIGNED, claim=claim)
        else:
            _log(
                membership,
                Activity.Verb.CLAIM_ASSIGNED,
                claim=claim,
                to=assignee.username,
                to_name=assignee.display_name,
            )
            if assignee.pk != previous and assignee.pk != membership.user_id:
                notify(
                    recipient=assignee,
                    claim=claim,
                    message=f"{membership.user.display_name} assigned you",
                )
    return claim


def take_claim(*, membership: Membership, claim: Claim) -> Claim:
    """A member takes an unassigned claim for themselves. Exactly one of two racers wins."""
    with transaction.atomic():
        taken = Claim.objects.filter(
            pk=claim.pk,
            assignee__isnull=True,
            status=Claim.Status.NEW,
        ).update(
            assignee=membership.user,
            status=Claim.Status.ASSIGNED,
            updated_at=timezone.now(),
        )
        claim.refresh_from_db()
        if not taken:
            who = claim.assignee.display_name if claim.assignee else None
            raise Conflict(
                f"{who} took this claim first." if who else "This claim can't be taken now.",
                current=claim,
            )
        _log(
            membership,
            Activity.Verb.CLAIM_ASSIGNED,
            claim=claim,
            to=membership.user.username,
            to_name=membership.user.display_name,
        )
    return claim


def update_claim(
    *,
    membership: Membership,
    claim: Claim,
    status: str | None = None,
    priority: int | None = None,
    due_date: datetime.date | None = KEEP,
    dismissed_reason: str = "",
) -> Claim:
    """Change a claim's status, priority or due date (due_date=None clears it).

    Statuses that belong to the verdict workflow (in review, published) are reached only by
    submitting and publishing a verdict, never set directly.
    """
    _require_work(membership, claim)
    changes = {}
    if status is not None and status != claim.status:
        # The moves are data on the model (Claim.TRANSITIONS), read by the status form too.
        if refusal := claim.move_refusal(membership, status):
            raise NotAllowed(refusal)
        if status == Claim.Status.DISMISSED:
            if not dismissed_reason.strip():
                raise NotAllowed("Say why the claim is dismissed.")
            claim.dismissed_reason = dismissed_reason.strip()[:500]
        else:
            claim.dismissed_reason = ""  # reopened
        changes["status"] = (claim.status, status)
        claim.status = status
    if priority is not None and priority != claim.priority:
        changes["priority"] = (claim.priority, priority)
        claim.priority = priority
    if due_date is not KEEP and due_date != claim.due_date:
        changes["due_date"] = (str(claim.due_date or ""), str(due_date or ""))
        claim.due_date = due_date
    if not changes:
        return claim
    with transaction.atomic():
        claim.save(
            update_fields=["status", "priority", "due_date", "dismissed_reason", "updated_at"]
        )
        verb = (
            Activity.Verb.CLAIM_DISMISSED
            if claim.status == Claim.Status.DISMISSED and "status" in changes
            else Activity.Verb.CLAIM_UPDATED
        )
        _log(membership, verb, claim=claim, changes=changes, reason=claim.dismissed_reason)
    return claim


# --- Sources and comments -------------------------------------------------------------------


def _start_research(claim: Claim) -> None:
    """Working on evidence or a draft moves an assigned claim on to 'researching'."""
    if claim.status == Claim.Status.ASSIGNED:
        claim.status = Claim.Status.RESEARCHING
        claim.save(update_fields=["status", "updated_at"])


SOURCES_LOCKED = "This fact-check is published: propose a correction to change its sources."


def sources_locked(claim: Claim) -> bool:
    """Whether the claim's sources are frozen with its published verdict (one query)."""
    return Verdict.objects.filter(claim_id=claim.pk, status=Verdict.Status.PUBLISHED).exists()


def _require_sources_open(claim: Claim) -> None:
    """A published verdict's evidence is what readers were shown: it changes by correction only.

    Call inside the transaction: the row lock makes a source change wait for a publication
    under way, which then freezes the sources as they are once it is done."""
    status = (
        Verdict.objects.select_for_update()
        .filter(claim_id=claim.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status == Verdict.Status.PUBLISHED:
        raise NotAllowed(SOURCES_LOCKED)


def add_source(*, membership: Membership, claim: Claim, **fields) -> Source:
    _require_work(membership, claim)
    with transaction.atomic():
        _require_sources_open(claim)
        source = Source.objects.create(claim=claim, added_by=membership.user, **fields)
        _start_research(claim)
        _log(membership, Activity.Verb.SOURCE_ADDED, claim=claim, url=source.url)
    return source


def update_source(*, membership: Membership, source: Source, **fields) -> Source:
    _require_work(membership, source.claim)
    with transaction.atomic():
        _require_sources_open(source.claim)
        for name, value in fields.items():
            setattr(source, name, value)
        source.save()
        _log(membership, Activity.Verb.SOURCE_CHANGED, claim=source.claim, url=source.url)
    return source


def remove_source(*, membership: Membership, source: Source) -> None:
    _require_work(membership, source.claim)
    with transaction.atomic():
        _require_sources_open(source.claim)
        _log(membership, Activity.Verb.SOURCE_REMOVED, claim=source.claim, url=source.url)
        source.delete()


def add_comment(*, membership: Membership, claim: Claim, body: str) -> Comment:
    """Any member may comment; the assignee hears about comments from others."""
    with transaction.atomic():
        comment = Comment.objects.create(claim=claim, author=membership.user, body=body)
        _log(membership, Activity.Verb.COMMENTED, claim=claim)
        if claim.assignee_id and claim.assignee_id != membership.user_id:
            notify(
                recipient=claim.assignee,
                claim=claim,
                message=f"{membership.user.display_name} commented on",
            )
    return comment


# --- Verdicts -------------------------------------------------------------------------------


def _versioned_update(verdict: Verdict, expected_version: int, **values) -> Verdict:
    """Write `values` only if nobody saved since `expected_version`; else raise Conflict."""
    updated = Verdict.objects.filter(pk=verdict.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    current = (
        Verdict.objects.select_related("rating", "author", "approved_by", "last_edited_by")
        .filter(pk=verdict.pk)
        .first()
    )
    if current is None:
        raise Gone("This verdict was deleted with its article while you were working on it.")
    if not updated:
        editor = (current.last_edited_by or current.author).display_name
        raise Conflict(
            f"Someone saved this verdict while you were editing (now version {current.version},"
            f" last written by {editor}). Your text is kept below: compare and save again.",
            current=current,
        )
    return current


def save_verdict(
    *,
    membership: Membership,
    claim: Claim,
    rating: Rating | None,
    summary: str,
    explanation: str,
    version: int | None,
) -> Verdict:
    """Save the draft (creating it on first save). `version` is what the form was loaded at.

    A submitted verdict can still be edited by an editor before approval; a published one
    changes only through a correction (propose_correction, approve_correction).
    """
    _require_work(membership, claim)
    if rating is not None and rating.workspace_id != claim.workspace_id:
        raise NotAllowed("That rating is not on this workspace's scale.")
    verdict = Verdict.objects.filter(claim=claim).first()
    if verdict is None:
        if version:
            raise Conflict("The verdict was deleted while you were editing.")
        try:
            with transaction.atomic():
                verdict = Verdict.objects.create(
                    claim=claim,
                    rating=rating,
                    summary=summary,
                    explanation=explanation,
                    author=membership.user,
                    last_edited_by=membership.user,
                )
                _start_research(claim)
                _log(membership, Activity.Verb.VERDICT_SAVED, claim=claim, verdict=verdict)
        except IntegrityError:
            current = Verdict.objects.get(claim=claim)
            raise Conflict(
                "Someone started this verdict at the same time. Your text is kept below.",
                current=current,
            ) from None
        return verdict
    if verdict.status == Verdict.Status.PUBLISHED:
        raise NotAllowed("This verdict is published: change it with a correction.")
    if verdict.status == Verdict.Status.SUBMITTED and not membership.is_editor:
        raise NotAllowed("The verdict is waiting for an editor; it can't be edited now.")
    values = {"rating": rating, "summary": summary, "explanation": explanation}
    if _changes_text(verdict, **values):
        # Saving the text unchanged does not make it yours (nor launder someone else's).
        values["last_edited_by"] = membership.user
    with transaction.atomic():
        verdict = _versioned_update(verdict, version or 0, **values)
        _start_research(claim)
        _log(membership, Activity.Verb.VERDICT_SAVED, claim=claim, verdict=verdict)
    return verdict


def _changes_text(verdict: Verdict, *, rating, summary: str, explanation: str) -> bool:
    return (
        verdict.rating_id != (rating.pk if rating else None)
        or verdict.summary != summary
        or verdict.explanation != explanation
    )


def submit_verdict(*, membership: Membership, verdict: Verdict, version: int) -> Verdict:
    """The assignee hands the draft to the editors; the submitter becomes its author."""
    claim = verdict.claim
    _require_work(membership, claim)
    if verdict.status != Verdict.Status.DRAFT:
        raise NotAllowed("Only a draft can be submitted.")
    if verdict.rating_id is None or not verdict.summary.strip():
        raise NotAllowed("Choose a rating and write a summary before submitting.")
    with transaction.atomic():
        verdict = _versioned_update(
            verdict, version, status=Verdict.Status.SUBMITTED, author=membership.user
        )
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.IN_REVIEW)
        claim.status = Claim.Status.IN_REVIEW
        _log(membership, Activity.Verb.VERDICT_SUBMITTED, claim=claim, verdict=verdict)
        for editor in _editors(claim, exclude=membership.user_id):
            notify(
                recipient=editor,
                claim=claim,
                message=f"{membership.user.display_name} submitted the verdict on",
                after="for approval",
            )
    return verdict


def _editors(claim: Claim, *, exclude: int):
    return User.objects.filter(
        memberships__workspace_id=claim.workspace_id,
        memberships__role__in=["editor", "admin"],
        is_active=True,
    ).exclude(pk=exclude)


def return_verdict(*, membership: Membership, verdict: Verdict, version: int, comment: str):
    """An editor sends a submitted verdict back to its author with a comment."""
    _require_editor(membership)
    if verdict.status != Verdict.Status.SUBMITTED:
        raise NotAllowed("Only a submitted verdict can be sent back.")
    if not comment.strip():
        raise NotAllowed("Say what needs to change.")
    claim = verdict.claim
    with transaction.atomic():
        verdict = _versioned_update(verdict, version, status=Verdict.Status.DRAFT)
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.RESEARCHING)
        claim.status = Claim.Status.RESEARCHING
        Comment.objects.create(claim=claim, author=membership.user, body=comment.strip())
        _log(membership, Activity.Verb.VERDICT_RETURNED, claim=claim, verdict=verdict)
        notify(
            recipient=verdict.author,
            claim=claim,
            message=f"{membership.user.display_name} sent back your verdict on",
        )
    return verdict


def publish_verdict(*, membership: Membership, verdict: Verdict, version: int) -> Verdict:
    """An editor approves and publishes: never a text they wrote or last changed (the
    version check makes sure the text approved is the one they read); never without a source.
    """
    _require_editor(membership)
    claim = verdict.claim
    if verdict.status != Verdict.Status.SUBMITTED:
        raise NotAllowed("Only a submitted verdict can be approved.")
    if refusal := verdict.approval_conflict(membership.user_id):
        raise NotAllowed(refusal)
    if not claim.sources.exists():
        raise NotAllowed("Add at least one source before publishing.")
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                verdict = _versioned_update(
                    verdict,
                    version,
                    status=Verdict.Status.PUBLISHED,
                    approved_by=membership.user,
                    approved_at=now,
                    published_at=now,
                )
        except IntegrityError:
            # The text became theirs after `verdict` was read: the database's constraint
            # (verdict_not_approved_by_last_editor) has the last word.
            refusal = Verdict.objects.get(pk=verdict.pk).approval_conflict(membership.user_id)
            if not refusal:
                raise
            raise NotAllowed(refusal) from None
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PUBLISHED)
        claim.status = Claim.Status.PUBLISHED
        verdict.claim = claim
        publication.freeze(verdict)
        _log(membership, Activity.Verb.VERDICT_PUBLISHED, claim=claim, verdict=verdict)
        notify(
            recipient=verdict.author,
            claim=claim,
            message=f"{membership.user.display_name} approved and published your verdict on",
        )
        _carry_verdict(membership, verdict, claim, claim.duplicates.all())
        matching.point_matches_at(claim)
    return verdict


# --- Corrections ----------------------------------------------------------------------------

SELF_APPROVAL = "Another editor must approve your correction."
OPEN_PROPOSAL = (
    "Another correction to this verdict is waiting for approval: an editor approves or"
    " rejects it before a new one can be proposed."
)
SOURCE_DETAILS = ("title", "publisher", "excerpt", "stance")
CHANGED_SINCE_SEEN = (
    "What this correction would change for readers changed since you opened it (the article,"
    " the rating scale or the organisation was edited): read it again before approving."
)


def _require_in_workspace(membership: Membership, claim: Claim) -> None:
    if claim.workspace_id != membership.workspace_id:
        raise NotAllowed("That claim is not in this workspace.")


def proposed_record(verdict: Verdict, proposed: dict, *, rating: Rating | None = None) -> dict:
    """The public record a proposed correction would give `verdict`, built without saving
    anything (for the diff a pending correction shows). Reads the proposed rating unless given;
    the verdict's claim, article and workspace should be select_related."""
    if rating is None:
        rating = Rating.objects.filter(pk=proposed.get("rating")).first()
    draft = copy.copy(verdict)
    draft.rating = rating
    draft.summary = proposed.get("summary", "")
    draft.explanation = proposed.get("explanation", "")
    if "claim" in proposed:
        draft.claim = copy.copy(verdict.claim)
        for name, value in _attribution_fields(proposed["claim"]).items():
            setattr(draft.claim, name, value)
    sources = [Source(**entry) for entry in proposed.get("sources", [])]
    # The scale as it is now (one query), as approval freezes it: the diff shows what goes out.
    return publication.record_of(draft, sources=sources)


def _attribution_fields(stored: dict) -> dict:
    """A proposal's attribution (JSON) as Claim field values."""
    values = dict(stored)
    if values.get("claim_date"):
        values["claim_date"] = datetime.date.fromisoformat(values["claim_date"])
    return values


def _proposed_attribution(claim: Claim, attribution: dict | None) -> dict | None:
    """The proposed attribution as JSON, or None when the proposal leaves it as it is."""
    if attribution is None:
        return None
    try:
        values = claim.attribution_values(**attribution)
    except ValueError as exc:
        raise NotAllowed(str(exc)) from None
    if values["claim_date"] is not None:
        values["claim_date"] = values["claim_date"].isoformat()
    return values


def _clean_sources(sources) -> list[dict]:
    """The proposed evidence as the rows would store it; NotAllowed names the first problem."""
    cleaned, seen = [], set()
    for entry in sources:
        url = str(entry.get("url") or "").strip()
        title = without_bidi_controls(str(entry.get("title") or "").strip())
        publisher = without_bidi_controls(str(entry.get("publisher") or "").strip())
        stance = entry.get("stance") or Source.Stance.CONTEXT
        if not url:
            raise NotAllowed("Every source needs its address.")
        if not web_url(url) or len(url) > 2000:
            raise NotAllowed(
                f"“{url[:100]}” is not a web address starting with http:// or https://."
            )
        if url in seen:
            raise NotAllowed(f"{url} is listed twice: keep it once.")
        if len(title) > 500 or len(publisher) > 200:
            raise NotAllowed("A source's title is at most 500 characters, its publisher 200.")
        if stance not in Source.Stance.values:
            raise NotAllowed("Say whether each source supports, refutes or gives context.")
        seen.add(url)
        cleaned.append(
            {
                "url": url,
                "title": title,
                "publisher": publisher,
                "excerpt": str(entry.get("excerpt") or "").strip(),
                "stance": stance,
            }
        )
    if not cleaned:
        raise NotAllowed("A published verdict needs at least one source.")
    return cleaned


def _arranged(live: list[Source], proposed: list[dict]) -> list[dict]:
    """The proposed sources in the order readers will see them once applied: the kept ones
    where they are, then the new ones."""
    wanted = {entry["url"]: entry for entry in proposed}
    live_urls = list(dict.fromkeys(source.url for source in live))
    kept = [wanted[url] for url in live_urls if url in wanted]
    return kept + [entry for url, entry in wanted.items() if url not in live_urls]


def propose_correction(
    *,
    membership: Membership,
    verdict: Verdict,
    version: int,
    rating: Rating | None,
    summary: str,
    explanation: str,
    sources: list[dict],
    reason: str,
    attribution: dict | None = None,
) -> Correction:
    """Whoever works on the claim proposes a new state for its published verdict: rating,
    summary, explanation, the full list of sources (dicts of url, title, publisher,
    excerpt, stance) and, optionally, the claim's attribution (the keyword arguments of
    Claim.attribution_values: who made it, when, where, the restatement). Nothing public
    changes until a different editor approves it.

    On approval a live source whose address is not in `sources` is removed, one whose address
    is takes the proposed details, and the others are added. `version` is the verdict's version
    the proposal was made against; approval refuses it once the verdict has moved on.
    """
    claim = verdict.claim
    _require_in_workspace(membership, claim)
    _require_work(membership, claim)
    if verdict.status != Verdict.Status.PUBLISHED:
        raise NotAllowed("Only a published verdict takes corrections; edit the draft instead.")
    reason = (reason or "").strip()
    if not reason:
        raise NotAllowed("Say why the verdict is corrected: readers will see it.")
    if rating is None:
        raise NotAllowed("Choose the rating the corrected verdict gives.")
    if rating.workspace_id != claim.workspace_id:
        raise NotAllowed("That rating is not on this workspace's scale.")
    if len(summary) > 280:
        raise NotAllowed("The summary is at most 280 characters.")
    cleaned = _clean_sources(sources)
    if version != verdict.version:
        raise Conflict(
            f"This verdict changed while you were writing (now version {verdict.version})."
            " Your correction is kept below: check it against the verdict and propose again.",
            current=verdict,
        )
    proposed = {
        "version": verdict.version,
        "rating": rating.pk,
        "summary": summary,
        "explanation": explanation,
        "sources": _arranged(list(claim.sources.all()), cleaned),
    }
    if (claim_values := _proposed_attribution(claim, attribution)) is not None:
        proposed["claim"] = claim_values
    would_be = proposed_record(verdict, proposed, rating=rating)
    if not publication.record_changes(publication.current_record(verdict), would_be):
        raise NotAllowed(
            "Nothing would change: edit the rating, the text, the sources or the attribution first."
        )
    if verdict.corrections.proposed().exists():
        raise Conflict(OPEN_PROPOSAL)
    with transaction.atomic():
        try:
            with transaction.atomic():
                correction = Correction.objects.create(
                    verdict=verdict,
                    proposed=proposed,
                    reason=reason,
                    created_by=membership.user,
                    old_rating=verdict.rating,
                    new_rating=rating,
                    old_summary=verdict.summary,
                    new_summary=summary,
                )
        except IntegrityError:
            # Someone proposed one a moment ago (correction_one_open_per_verdict).
            raise Conflict(OPEN_PROPOSAL) from None
        _log(
            membership,
            Activity.Verb.CORRECTION_PROPOSED,
            claim=claim,
            verdict=verdict,
            correction=correction.pk,
        )
        for editor in _editors(claim, exclude=membership.user_id):
            notify(
                recipient=editor,
                claim=claim,
                message=f"{membership.user.display_name} proposed a correction to the verdict on",
            )
    return correction


def _undecided(correction: Correction) -> None:
    if correction.status != Correction.Status.PROPOSED:
        raise NotAllowed(
            f"This correction was already decided: {correction.get_status_display().lower()}."
        )


def approve_correction(
    *, membership: Membership, correction: Correction, seen: str | None = None
) -> Verdict:
    """An editor other than its proposer approves a correction: the live rows take the proposed
    state, the public record is frozen anew with what changed for readers, and the verdicts
    carried from this one to its duplicates are corrected alike.

    `seen` is the fingerprint of the changes the approver was shown (the claim page sends it):
    if what would go out differs (the article, the scale or the organisation edited since),
    nothing is approved and Conflict says to read it again."""
    _require_editor(membership)
    if correction.created_by_id == membership.user_id:
        raise NotAllowed(SELF_APPROVAL)
    _undecided(correction)
    verdict = Verdict.objects.select_related(
        "rating", "claim__article", "claim__workspace", "approved_by"
    ).get(pk=correction.verdict_id)
    claim = verdict.claim
    _require_in_workspace(membership, claim)
    proposed = correction.proposed
    stale = (
        "The verdict changed since this correction was proposed: reject it and propose the"
        " correction again."
    )
    if verdict.status != Verdict.Status.PUBLISHED or verdict.version != proposed.get("version"):
        raise NotAllowed(stale)
    rating = Rating.objects.filter(pk=proposed.get("rating"), workspace_id=claim.workspace_id)
    rating = rating.first()
    if rating is None:
        raise NotAllowed("The proposed rating was removed from the scale: reject the correction.")
    old_record = publication.current_record(verdict)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                decided = Correction.objects.filter(
                    pk=correction.pk, status=Correction.Status.PROPOSED
                ).update(
                    status=Correction.Status.APPROVED, decided_by=membership.user, decided_at=now
                )
        except IntegrityError:
            # correction_not_self_approved has the last word.
            raise NotAllowed(SELF_APPROVAL) from None
        if not decided:
            correction.refresh_from_db()
            _undecided(correction)
        try:
            updated = _versioned_update(
                verdict,
                proposed["version"],
                rating=rating,
                summary=proposed["summary"],
                explanation=proposed["explanation"],
                modified_at=now,
            )
        except Conflict:
            raise NotAllowed(stale) from None
        source_changes = _apply_sources(claim, proposed["sources"], correction, now)
        if "claim" in proposed:
            # The attribution is the claim's own: it is not carried to linked duplicates.
            values = _attribution_fields(proposed["claim"])
            Claim.objects.filter(pk=claim.pk).update(updated_at=now, **values)
            for name, value in values.items():
                setattr(claim, name, value)
        updated.claim = claim
        new_record = publication.freeze(updated)
        changes = publication.record_changes(old_record, new_record)
        if seen is not None and publication.fingerprint(changes) != seen:
            raise Conflict(CHANGED_SINCE_SEEN)
        values = {
            "changes": changes,
            "old_rating": verdict.rating,
            "new_rating": rating,
            "old_summary": verdict.summary,
            "new_summary": updated.summary,
        }
        Correction.objects.filter(pk=correction.pk).update(**values)
        _log(
            membership,
            Activity.Verb.VERDICT_CORRECTED,
            claim=claim,
            verdict=updated,
            old=str(verdict.rating),
            new=str(rating),
            correction=correction.pk,
        )
        _carry_correction(membership, updated, correction, source_changes, now)
        if correction.created_by_id:
            notify(
                recipient=correction.created_by,
                claim=claim,
                message=f"{membership.user.display_name} approved and published your correction on",
            )
    correction.refresh_from_db()
    return updated


def _apply_sources(claim: Claim, proposed: list[dict], correction: Correction, now) -> dict:
    """Make the claim's live sources the proposed ones; returns what changed by address:
    {"removed": [url], "edited": [entry], "added": [entry]} (for the carried copies)."""
    wanted = {entry["url"]: entry for entry in proposed}
    kept, edited, removed = set(), [], []
    for source in claim.sources.all():
        entry = wanted.get(source.url)
        if entry is None or source.url in kept:
            removed.append(source)
            continue
        kept.add(source.url)
        if any(getattr(source, name) != entry[name] for name in SOURCE_DETAILS):
            for name in SOURCE_DETAILS:
                setattr(source, name, entry[name])
            source.updated_at = now
            edited.append(source)
    Source.objects.filter(pk__in=[source.pk for source in removed]).delete()
    Source.objects.bulk_update(edited, [*SOURCE_DETAILS, "updated_at"])
    added = [entry for url, entry in wanted.items() if url not in kept]
    Source.objects.bulk_create(
        Source(claim=claim, added_by_id=correction.created_by_id, **entry) for entry in added
    )
    return {
        "removed": [source.url for source in removed if source.url not in kept],
        "edited": [wanted[source.url] for source in edited],
        "added": added,
    }


def reject_correction(*, membership: Membership, correction: Correction, note: str = "") -> None:
    """An editor rejects a proposed correction, saying why (any editor, the proposer too);
    or whoever proposed it withdraws it. Nothing public changes."""
    own = correction.created_by_id == membership.user_id
    if not (own or membership.is_editor):
        raise NotAllowed("Only an editor, or whoever proposed it, can reject a correction.")
    claim = correction.verdict.claim
    _require_in_workspace(membership, claim)
    _undecided(correction)
    note = (note or "").strip()
    if not note and not own:
        raise NotAllowed("Say why the correction is rejected: whoever proposed it will read it.")
    with transaction.atomic():
        decided = Correction.objects.filter(
            pk=correction.pk, status=Correction.Status.PROPOSED
        ).update(
            status=Correction.Status.REJECTED,
            decided_by=membership.user,
            decided_at=timezone.now(),
            decision_note=note or "Withdrawn by whoever proposed it.",
        )
        if not decided:
            correction.refresh_from_db()
            _undecided(correction)
        _log(
            membership,
            Activity.Verb.CORRECTION_REJECTED,
            claim=claim,
            verdict=correction.verdict,
            correction=correction.pk,
            withdrawn=own,
        )
        if correction.created_by_id and not own:
            notify(
                recipient=correction.created_by,
                claim=claim,
                message=f"{membership.user.display_name} rejected your correction on",
            )
    correction.refresh_from_db()


# --- Bulk actions from the queue ------------------------------------------------------------


def bulk_update(
    *,
    membership: Membership,
    claims,
    action: str,
    assignee: User | None = None,
    priority: int | None = None,
    reason: str = "",
    original: int | None = None,
) -> tuple[int, int]:
    """Apply one queue action to many claims with set-based updates; returns (done, skipped).

    `claims` is a queryset already scoped to the workspace. Claims the member may not act on
    (a reviewer's bulk action on others' claims, a published claim) are skipped, not errors.
    """
    claims = claims.filter(workspace_id=membership.workspace_id)
    selected = set(claims.values_list("pk", flat=True))
    if not membership.is_editor:
        if action not in ("priority", "researching"):
            raise NotAllowed("Only an editor can do that to several claims at once.")
        claims = claims.filter(assignee=membership.user)
    if action == "duplicate":
        return _bulk_link(membership, claims, selected, original)
    claims = claims.open()
    now = timezone.now()
    if action == "assign":
        if assignee is None:
            raise NotAllowed("Choose who to assign the claims to.")
        if not Membership.objects.filter(
            user=assignee, workspace_id=membership.workspace_id
        ).exists():
            raise NotAllowed("That person is not a member of this workspace.")
        targets = list(claims.select_related("workspace"))
        claims.filter(status=Claim.Status.NEW).update(
            assignee=assignee, status=Claim.Status.ASSIGNED, updated_at=now
        )
        claims.exclude(status=Claim.Status.NEW).update(assignee=assignee, updated_at=now)
        verb = Activity.Verb.CLAIM_ASSIGNED
        detail = {"to": assignee.username, "to_name": assignee.display_name}
        if targets and assignee.pk != membership.user_id:
            Notification.objects.bulk_create(
                Notification(
                    recipient=assignee,
                    workspace_id=membership.workspace_id,
                    claim=claim,
                    message=_about(claim, f"{membership.user.display_name} assigned you"),
                )
                for claim in targets
            )
            _email(
                assignee,
                f"{membership.user.display_name} assigned you {len(targets)} claims",
                settings.SITE_URL + reverse("my_claims", args=[targets[0].workspace.slug]),
            )
    elif action == "unassign":
        claims = claims.exclude(status=Claim.Status.IN_REVIEW)
        targets = list(claims)
        claims.update(assignee=None, status=Claim.Status.NEW, updated_at=now)
        verb, detail = Activity.Verb.CLAIM_UNASSIGNED, {}
    elif action == "priority":
        if priority not in Claim.Priority.values:
            raise NotAllowed("Choose a priority.")
        targets = list(claims)
        claims.update(priority=priority, updated_at=now)
        verb, detail = Activity.Verb.CLAIM_UPDATED, {"priority": priority}
    elif action == "researching":
        claims = claims.filter(assignee__isnull=False, status=Claim.Status.ASSIGNED)
        targets = list(claims)
        claims.update(status=Claim.Status.RESEARCHING, updated_at=now)
        verb, detail = Activity.Verb.CLAIM_UPDATED, {"status": "researching"}
    elif action == "dismiss":
        if not reason.strip():
            raise NotAllowed("Say why the claims are dismissed.")
        claims = claims.exclude(status=Claim.Status.IN_REVIEW)
        targets = list(claims)
        claims.update(
            status=Claim.Status.DISMISSED, dismissed_reason=reason.strip()[:500], updated_at=now
        )
        verb, detail = Activity.Verb.CLAIM_DISMISSED, {"reason": reason.strip()[:500]}
    else:
        raise NotAllowed("Unknown action.")
    Activity.objects.bulk_create(
        Activity(
            workspace_id=membership.workspace_id,
            actor=membership.user,
            verb=verb,
            article_id=claim.article_id,
            claim=claim,
            detail={**detail, "bulk": True},
        )
        for claim in targets
    )
    return len(targets), len(selected) - len(targets)


def _bulk_link(membership, claims, selected: set[int], original_id: int | None):
    """The queue's "link as duplicates": the named original, else the selected claim that is
    published (or, failing that, the oldest)."""
    if original_id is not None:
        original = Claim.objects.filter(workspace_id=membership.workspace_id, pk=original_id)
        if not original.exists():
            raise NotAllowed(f"There is no claim #{original_id} in this workspace.")
    else:
        original = claims.order_by(
            Case(When(status=Claim.Status.PUBLISHED, then=0), default=1), "pk"
        )
    original = original.select_related("duplicate_of").first()
    if original is None:
        raise NotAllowed("None of the selected claims is in this workspace.")
    done = link_duplicates(membership=membership, original=original, claims=claims)
    return done, len(selected - {original.pk}) - done


# --- Duplicates -----------------------------------------------------------------------------


def link_duplicates(*, membership: Membership, original: Claim, claims) -> int:
    """An editor marks claims as duplicates of `original`; returns how many were linked.

    Links stay one level deep: a claim linked to a duplicate is linked to its original, and
    claims that had duplicates hand them over. The original's verdict carries across when an
    editor approves it (publish_verdict), or at once if it is already published. Published,
    dismissed and in-review claims (their own verdict waits for an editor) are left alone.
    """
    _require_editor(membership)
    if original.workspace_id != membership.workspace_id:
        raise NotAllowed("That claim is not in this workspace.")
    if original.duplicate_of_id:
        original = original.duplicate_of
    if original.status == Claim.Status.DISMISSED:
        raise NotAllowed("The original claim is dismissed; link to a claim the desk checks.")
    targets = list(
        claims.filter(workspace_id=membership.workspace_id)
        .exclude(pk=original.pk)
        .exclude(status__in=Claim.KEEPS_OWN_VERDICT)
        .only("pk", "article_id")
    )
    ids = [claim.pk for claim in targets]
    if not ids:
        return 0
    with transaction.atomic():
        Claim.objects.filter(duplicate_of__in=ids).update(duplicate_of=original)
        Claim.objects.filter(pk__in=ids).update(duplicate_of=original, updated_at=timezone.now())
        _log_each(membership, Activity.Verb.DUPLICATE_LINKED, targets, original=original.pk)
        verdict = Verdict.objects.filter(claim=original, status=Verdict.Status.PUBLISHED).first()
        if verdict:
            # All its open duplicates: the targets and the claims they handed over.
            _carry_verdict(membership, verdict, original, original.duplicates.all())
    return len(ids)


def unlink_duplicate(*, membership: Membership, claim: Claim) -> None:
    """An editor says a linked claim is not a duplicate after all."""
    _require_editor(membership)
    if claim.duplicate_of_id is None:
        raise NotAllowed("This claim is not linked as a duplicate.")
    if claim.status == Claim.Status.PUBLISHED:
        raise NotAllowed("The verdict was already carried across: change it with a correction.")
    with transaction.atomic():
        original = claim.duplicate_of_id
        Claim.objects.filter(pk=claim.pk).update(duplicate_of=None, updated_at=timezone.now())
        claim.duplicate_of = None
        _log(membership, Activity.Verb.DUPLICATE_UNLINKED, claim=claim, original=original)


def _carry_verdict(membership: Membership, verdict: Verdict, original: Claim, duplicates) -> int:
    """Publish the original's verdict on its open linked duplicates: same rating, summary,
    explanation and sources, approved by the editor who approved the original (so the
    independence constraints hold as they did for it). Each copy gets its own public record:
    its own claim and attribution, and its sources once the original's are copied.

    The one write path for carrying a verdict across, on approval and on linking to an
    already published claim. Returns how many claims were published this way.
    """
    targets = list(
        duplicates.exclude(status__in=Claim.KEEPS_OWN_VERDICT)
        .select_related("article")
        .defer("search_vector", "article__body", "article__search_vector")
    )
    ids = [claim.pk for claim in targets]
    if not ids:
        return 0
    now = timezone.now()
    values = {
        "rating_id": verdict.rating_id,
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "status": Verdict.Status.PUBLISHED,
        "author_id": verdict.author_id,
        "last_edited_by_id": verdict.last_edited_by_id,
        "approved_by_id": verdict.approved_by_id,
        "approved_at": verdict.approved_at,
        "published_at": now,
    }
    evidence = list(original.sources.all())
    sources = _sources_by_claim(ids)
    have = {(pk, source.url) for pk, rows in sources.items() for source in rows}
    copied = [
        Source(
            claim_id=pk,
            url=source.url,
            title=source.title,
            publisher=source.publisher,
            excerpt=source.excerpt,
            stance=source.stance,
            added_by_id=source.added_by_id,
        )
        for pk in ids
        for source in evidence
        if (pk, source.url) not in have
    ]
    for source in copied:
        sources[source.claim_id].append(source)  # after the copy's own, as they will sort
    workspace, rating = original.workspace, verdict.rating
    bounds = workspace.rating_bounds() or ()
    records = {}
    for claim in targets:
        claim.workspace = workspace
        shown = Verdict(claim=claim, **values)
        shown.rating = rating
        records[claim.pk] = publication.record_of(shown, sources=sources[claim.pk], bounds=bounds)
    drafted = set(Verdict.objects.filter(claim_id__in=ids).values_list("claim_id", flat=True))
    for pk in drafted:
        Verdict.objects.filter(claim_id=pk).update(
            version=F("version") + 1, updated_at=now, public_record=records[pk], **values
        )
    Verdict.objects.bulk_create(
        Verdict(claim_id=pk, public_record=records[pk], **values) for pk in ids if pk not in drafted
    )
    Claim.objects.filter(pk__in=ids).update(status=Claim.Status.PUBLISHED, updated_at=now)
    Source.objects.bulk_create(copied)
    _log_each(membership, Activity.Verb.VERDICT_PUBLISHED, targets, carried_from=original.pk)
    return len(ids)


def _sources_by_claim(claim_ids) -> defaultdict:
    """The live sources of these claims, in the order readers see them (one query)."""
    grouped = defaultdict(list)
    for source in Source.objects.filter(claim_id__in=claim_ids).order_by("created_at", "pk"):
        grouped[source.claim_id].append(source)
    return grouped


def _carry_correction(
    membership: Membership, verdict: Verdict, correction: Correction, sources: dict, now
) -> int:
    """An approved correction to an original reaches the verdicts carried from it to its
    duplicates: the same rating, text and source changes (`sources`, from _apply_sources),
    each copy's public record frozen anew and its own approved Correction, approved by the
    same editor. Returns how many were corrected."""
    # Only verdicts carried from it (they keep its approval), not a linked claim's own verdict
    # that an editor approved separately.
    carried = list(
        Verdict.objects.filter(
            claim__duplicate_of_id=verdict.claim_id,
            status=Verdict.Status.PUBLISHED,
            approved_by_id=verdict.approved_by_id,
            approved_at=verdict.approved_at,
        ).select_related("rating", "claim__article")
    )
    if not carried:
        return 0
    ids = [duplicate.claim_id for duplicate in carried]
    workspace = verdict.claim.workspace
    bounds = verdict.public_record.get("bounds") or ()
    before = _sources_by_claim(ids)
    old_records = {}
    for duplicate in carried:
        duplicate.claim.workspace = workspace
        old_records[duplicate.pk] = duplicate.public_record or publication.record_of(
            duplicate, sources=before[duplicate.claim_id], bounds=bounds
        )
    Source.objects.filter(claim_id__in=ids, url__in=sources["removed"]).delete()
    for entry in sources["edited"]:
        Source.objects.filter(claim_id__in=ids, url=entry["url"]).update(
            **{name: entry[name] for name in SOURCE_DETAILS}, updated_at=now
        )
    have = {(pk, source.url) for pk, rows in before.items() for source in rows}
    Source.objects.bulk_create(
        Source(claim_id=pk, added_by_id=correction.created_by_id, **entry)
        for pk in ids
        for entry in sources["added"]
        if (pk, entry["url"]) not in have
    )
    after = _sources_by_claim(ids)
    corrections = []
    for duplicate in carried:
        old_rating, old_summary = duplicate.rating, duplicate.summary
        duplicate.rating, duplicate.summary = verdict.rating, verdict.summary
        duplicate.explanation, duplicate.modified_at = verdict.explanation, now
        record = publication.record_of(duplicate, sources=after[duplicate.claim_id], bounds=bounds)
        Verdict.objects.filter(pk=duplicate.pk).update(
            rating_id=verdict.rating_id,
            summary=verdict.summary,
            explanation=verdict.explanation,
            modified_at=now,
            public_record=record,
            version=F("version") + 1,
            updated_at=now,
        )
        corrections.append(
            Correction(
                verdict=duplicate,
                status=Correction.Status.APPROVED,
                proposed={"carried_from": correction.pk},
                changes=publication.record_changes(old_records[duplicate.pk], record),
                old_rating=old_rating,
                new_rating=verdict.rating,
                old_summary=old_summary,
                new_summary=verdict.summary,
                reason=correction.reason,
                created_by_id=correction.created_by_id,
                created_at=correction.created_at,
                decided_by=membership.user,
                decided_at=now,
            )
        )
    Correction.objects.bulk_create(corrections)
    _log_each(
        membership,
        Activity.Verb.VERDICT_CORRECTED,
        [duplicate.claim for duplicate in carried],
        carried_from=verdict.claim_id,
    )
    return len(carried)


def _log_each(membership: Membership, verb: str, claims, **detail) -> None:
    Activity.objects.bulk_create(
        Activity(
            workspace_id=membership.workspace_id,
            actor=membership.user,
            verb=verb,
            article_id=claim.article_id,
            claim_id=claim.pk,
            detail=detail,
        )
        for claim in claims
    )
