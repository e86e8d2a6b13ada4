"""A claim's attribution: who made it, when and where, and the short restatement that
ClaimReview publishes as claimReviewed.

One write path (attribute_claim) for the claim page, commands and tests. The extractor's guess
(Claim.suggested_claimant, from claims/extraction/attribution.py) is only a suggestion: the
claim page offers it pre-filled, and saving the form is what confirms it as Claim.claimant.

Rules:
- whoever can work on the claim (its assignee, any editor) sets its attribution;
- not once the verdict is published: readers see the frozen public record, which changes only
  through a correction (claims/desk.py); nor, for reviewers, while the verdict waits for an
  editor's approval (as with the verdict's own text);
- the date and address default to the article's: a value equal to the article's is stored as
  empty, so correcting the article's details later carries through to its claims.
"""

import datetime

from django.db import transaction
from django.db.models import Count
from django.utils.functional import SimpleLazyObject

from claims import desk
from claims.desk import NotAllowed
from claims.models import (
    Activity,
    Claim,
    Membership,
    Verdict,
    one_line,
    web_url,
)

# How many earlier claimants the claimant field offers as completions.
CLAIMANT_CHOICES = 50

PUBLISHED = "This fact-check is published: propose a correction to change its attribution."
AWAITING_EDITOR = "The verdict is waiting for an editor; its attribution can't be changed now."

FIELDS = Claim.ATTRIBUTION_FIELDS


def refusal(membership: Membership, claim: Claim, verdict: Verdict | None) -> str:
    """Why `membership` may not change the claim's attribution now ("" when they may)."""
    if not desk.can_work_on(membership, claim):
        return "Only the claim's assignee or an editor can change its attribution."
    status = verdict.status if verdict else None
    if status == Verdict.Status.PUBLISHED:
        return PUBLISHED
    if status == Verdict.Status.SUBMITTED and not membership.is_editor:
        return AWAITING_EDITOR
    return ""


def attribute_claim(
    *,
    membership: Membership,
    claim: Claim,
    claimant: str,
    claimant_kind: str,
    claim_date: datetime.date | None,
    appearance_url: str,
    restatement: str,
) -> Claim:
    """Set who made the claim, when, where, and its restatement; log what changed (old -> new).

    Saving unchanged values changes and logs nothing. Raises NotAllowed (see `refusal`, or an
    address that is not http(s), or an unknown kind).
    """
    verdict = Verdict.objects.filter(claim=claim).only("status").first()
    if reason := refusal(membership, claim, verdict):
        raise NotAllowed(reason)
    try:
        new = claim.attribution_values(
            claimant=claimant,
            claimant_kind=claimant_kind,
            claim_date=claim_date,
            appearance_url=appearance_url,
            restatement=restatement,
        )
    except ValueError as exc:
        raise NotAllowed(str(exc)) from None
    changes = {
        name: [_logged(getattr(claim, name)), _logged(value)]
        for name, value in new.items()
        if getattr(claim, name) != value
    }
    if not changes:
        return claim
    with transaction.atomic():
        # Read again under the verdict's row lock: a publication under way finishes first, and
        # then what it froze is not changed behind readers' backs.
        verdict = Verdict.objects.select_for_update().filter(claim=claim).only("status").first()
        if reason := refusal(membership, claim, verdict):
            raise NotAllowed(reason)
        for name, value in new.items():
            setattr(claim, name, value)
        claim.save(update_fields=[*FIELDS, "updated_at"])
        Activity.record(
            Activity.Verb.CLAIM_ATTRIBUTED,
            workspace_id=claim.workspace_id,
            actor=membership.user,
            claim=claim,
            detail={"changes": changes},
        )
    return claim


def _logged(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value or ""


# --- What the claim page shows -------------------------------------------------------------


def suggestion_fields(sentence: str, preceding: str = "") -> dict:
    """Claim fields for the extractor's guess at who made the claim ({} when it has none):
    what extraction and a claim added by hand store with the new claim."""
    from claims.extraction.attribution import suggest_claimant

    found = suggest_claimant(sentence, preceding)
    if found is None:
        return {}
    name, kind = found
    return {"suggested_claimant": one_line(name, 300), "claimant_kind": kind}


def initial(claim: Claim) -> dict:
    """The form's values: the claim's own, else the suggestion and the article's defaults."""
    article = claim.article
    return {
        "claimant": claim.claimant or claim.suggested_claimant,
        "claimant_kind": claim.claimant_kind,
        "claim_date": claim.claim_date or article.published_date,
        "appearance_url": claim.appearance_url or article.source_url,
        "restatement": claim.restatement or _restatement_from(claim.text),
    }


def _restatement_from(text: str) -> str:
    """A first restatement: the sentence without its attribution, quotation marks and asides
    (claims/extraction/attribution.py restatement), cut at a word only to fit the field."""
    from claims.extraction.attribution import restatement

    text = restatement(text) or " ".join(text.split())
    if len(text) <= 280:
        return text
    return text[:279].rsplit(" ", 1)[0] + "…"


def earlier_claimants(workspace_id: int) -> list[str]:
    """The workspace's confirmed claimants, most often named first (one query, bounded)."""
    return list(
        Claim.objects.filter(workspace_id=workspace_id)
        .exclude(claimant="")
        .values("claimant")
        .annotate(uses=Count("pk"))
        .order_by("-uses", "claimant")
        .values_list("claimant", flat=True)[:CLAIMANT_CHOICES]
    )


def section(membership: Membership, claim: Claim, verdict: Verdict | None, *, form=None) -> dict:
    """What the attribution section of the claim page shows (`form`: a bound form to show
    again with its errors)."""
    from claims.forms import AttributionForm

    reason = refusal(membership, claim, verdict)
    return {
        "form": form or AttributionForm(initial=initial(claim)),
        "editable": not reason,
        "refusal": reason if desk.can_work_on(membership, claim) else "",
        # Offered, not confirmed: the form says so until someone saves it.
        "suggested": bool(claim.suggested_claimant and not claim.claimant),
        # Read only when the form is shown: one query for the autocompletion list.
        "claimants": SimpleLazyObject(lambda: earlier_claimants(claim.workspace_id)),
        "date": claim.claim_date or claim.article.published_date,
        "url": web_url(claim.appearance_url or claim.article.source_url),
    }
