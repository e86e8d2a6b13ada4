"""The review workflow: assigning claims, evidence, comments, verdicts, approval, corrections.

Every function here is a write path shared by views, commands and tests. Each one checks the
actor's right to act (raising NotAllowed with a sentence to show them), changes the rows in one
transaction, records it in the activity log and notifies whoever must hear about it.

Concurrency: claims are taken with a conditional UPDATE (only if still unassigned) and verdicts
are saved with optimistic locking on `Verdict.version`, so two people acting at once never
silently overwrite each other; the loser gets Conflict.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.urls import reverse
from django.utils import timezone

from claims import matching
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
    Activity.objects.create(
        workspace_id=membership.workspace_id,
        actor=membership.user,
        verb=verb,
        article_id=claim.article_id if claim else None,
        claim=claim,
        verdict=verdict,
        detail=detail,
    )


def notify(*, recipient: User, claim: Claim, message: str) -> None:
    """Tell a member in the app and by email (sent after the transaction commits)."""
    message = _fit(message)
    Notification.objects.create(
        recipient=recipient, workspace_id=claim.workspace_id, claim=claim, message=message
    )
    link = settings.SITE_URL + reverse("claim_detail", args=[claim.workspace.slug, claim.pk])
    _email(recipient, message, link, quote=claim.text)


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
    return membership.is_editor or claim.assignee_id == membership.user_id


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
    if claim.status in (Claim.Status.PUBLISHED, Claim.Status.DISMISSED):
        raise NotAllowed(f"The claim is {claim.get_status_display().lower()}; reopen it first.")
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
            _log(membership, Activity.Verb.CLAIM_ASSIGNED, claim=claim, to=assignee.username)
            if assignee.pk != previous and assignee.pk != membership.user_id:
                notify(
                    recipient=assignee,
                    claim=claim,
                    message=f"{membership.user.display_name} assigned you a claim",
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
        _log(membership, Activity.Verb.CLAIM_ASSIGNED, claim=claim, to=membership.user.username)
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
        if status in (Claim.Status.IN_REVIEW, Claim.Status.PUBLISHED):
            raise NotAllowed("That status is set by submitting or publishing the verdict.")
        if claim.status == Claim.Status.PUBLISHED:
            raise NotAllowed("A published claim can only change through a correction.")
        if status == Claim.Status.DISMISSED:
            _require_editor(membership)
            if not dismissed_reason.strip():
                raise NotAllowed("Say why the claim is dismissed.")
            claim.dismissed_reason = dismissed_reason.strip()[:500]
        elif status in Claim.WORKING and claim.assignee_id is None:
            raise NotAllowed("Assign the claim to someone first.")
        if status == Claim.Status.NEW and claim.assignee_id is not None:
            raise NotAllowed("Unassign the claim to put it back to new.")
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


def add_source(*, membership: Membership, claim: Claim, **fields) -> Source:
    _require_work(membership, claim)
    with transaction.atomic():
        source = Source.objects.create(claim=claim, added_by=membership.user, **fields)
        _start_research(claim)
        _log(membership, Activity.Verb.SOURCE_ADDED, claim=claim, url=source.url)
    return source


def update_source(*, membership: Membership, source: Source, **fields) -> Source:
    _require_work(membership, source.claim)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(source, name, value)
        source.save()
        _log(membership, Activity.Verb.SOURCE_CHANGED, claim=source.claim, url=source.url)
    return source


def remove_source(*, membership: Membership, source: Source) -> None:
    _require_work(membership, source.claim)
    verdict = getattr(source.claim, "verdict", None)
    if verdict and verdict.status == Verdict.Status.PUBLISHED and source.claim.sources.count() == 1:
        raise NotAllowed("A published verdict needs at least one source; add another first.")
    with transaction.atomic():
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
                message=f"{membership.user.display_name} commented on your claim",
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
    changes only through correct_verdict.
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
                message=f"{membership.user.display_name} submitted a verdict for approval",
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
            message=f"{membership.user.display_name} sent your verdict back",
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
        _log(membership, Activity.Verb.VERDICT_PUBLISHED, claim=claim, verdict=verdict)
        notify(
            recipient=verdict.author,
            claim=claim,
            message=f"{membership.user.display_name} approved and published your verdict",
        )
        _carry_verdict(membership, verdict, claim, claim.duplicates.all())
        matching.point_matches_at(claim)
    return verdict


def correct_verdict(
    *,
    membership: Membership,
    verdict: Verdict,
    version: int,
    rating: Rating,
    summary: str,
    explanation: str,
    reason: str,
) -> Verdict:
    """An editor changes a published verdict; the correction stays visible to readers.

    The Correction row records who changed the text. `last_edited_by` is left as it was at
    approval: it guards approval, which a published verdict never goes through again, and
    the approving editor correcting their own approval would break the database's
    "approver is not the last editor" constraint.
    """
    _require_editor(membership)
    if verdict.status != Verdict.Status.PUBLISHED:
        raise NotAllowed("Only a published verdict takes corrections; edit the draft instead.")
    if not reason.strip():
        raise NotAllowed("Say why the verdict is corrected: readers will see it.")
    if rating.workspace_id != verdict.claim.workspace_id:
        raise NotAllowed("That rating is not on this workspace's scale.")
    old_rating, old_summary = verdict.rating, verdict.summary
    with transaction.atomic():
        updated = _versioned_update(
            verdict, version, rating=rating, summary=summary, explanation=explanation
        )
        Correction.objects.create(
            verdict=verdict,
            old_rating=old_rating,
            new_rating=rating,
            old_summary=old_summary,
            new_summary=summary,
            reason=reason.strip(),
            created_by=membership.user,
        )
        _log(
            membership,
            Activity.Verb.VERDICT_CORRECTED,
            claim=verdict.claim,
            verdict=verdict,
            old=str(old_rating),
            new=str(rating),
        )
        _carry_correction(membership, updated, reason=reason.strip())
    return updated


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
        verb, detail = Activity.Verb.CLAIM_ASSIGNED, {"to": assignee.username}
        if targets and assignee.pk != membership.user_id:
            Notification.objects.bulk_create(
                Notification(
                    recipient=assignee,
                    workspace_id=membership.workspace_id,
                    claim=claim,
                    message=_fit(f"{membership.user.display_name} assigned you a claim"),
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
    independence constraints hold as they did for it).

    The one write path for carrying a verdict across, on approval and on linking to an
    already published claim. Returns how many claims were published this way.
    """
    targets = list(duplicates.exclude(status__in=Claim.KEEPS_OWN_VERDICT).only("pk", "article_id"))
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
    drafted = set(Verdict.objects.filter(claim_id__in=ids).values_list("claim_id", flat=True))
    Verdict.objects.filter(claim_id__in=drafted).update(
        version=F("version") + 1, updated_at=now, **values
    )
    Verdict.objects.bulk_create(Verdict(claim_id=pk, **values) for pk in ids if pk not in drafted)
    Claim.objects.filter(pk__in=ids).update(status=Claim.Status.PUBLISHED, updated_at=now)
    evidence = list(original.sources.all())
    have = set(Source.objects.filter(claim_id__in=ids).values_list("claim_id", "url"))
    Source.objects.bulk_create(
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
    )
    _log_each(membership, Activity.Verb.VERDICT_PUBLISHED, targets, carried_from=original.pk)
    return len(ids)


def _carry_correction(membership: Membership, verdict: Verdict, *, reason: str) -> int:
    """A correction to an original reaches the verdicts carried from it to its duplicates
    (each gets its own visible Correction). Returns how many were corrected."""
    # Only verdicts carried from it (they keep its approval), not a linked claim's own verdict
    # that an editor approved separately.
    carried = list(
        Verdict.objects.filter(
            claim__duplicate_of_id=verdict.claim_id,
            status=Verdict.Status.PUBLISHED,
            approved_by_id=verdict.approved_by_id,
            approved_at=verdict.approved_at,
        ).select_related("claim")
    )
    if not carried:
        return 0
    Correction.objects.bulk_create(
        Correction(
            verdict=copy,
            old_rating_id=copy.rating_id,
            new_rating_id=verdict.rating_id,
            old_summary=copy.summary,
            new_summary=verdict.summary,
            reason=reason,
            created_by=membership.user,
        )
        for copy in carried
    )
    Verdict.objects.filter(pk__in=[copy.pk for copy in carried]).update(
        rating_id=verdict.rating_id,
        summary=verdict.summary,
        explanation=verdict.explanation,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    _log_each(
        membership,
        Activity.Verb.VERDICT_CORRECTED,
        [copy.claim for copy in carried],
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
