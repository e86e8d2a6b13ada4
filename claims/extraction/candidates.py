"""Turn an article's plain text into ranked check-worthy claim candidates.

A sentence becomes a claim when all of these hold, checked in this order; the first that
fails is the candidate's ``reason``:

1. No rule in rules.py excludes it (page furniture, not prose, a question, a fragment, a
   heading). Text that is not prose is not even scored: its score is 0.
2. Its score is at or above the threshold (the workspace's ``claim_threshold``; by default
   the shipped model's own cut-off): BELOW_THRESHOLD.
3. It has something checkable: at least one cue (cues.py), unless the model is sure
   (score >= SURE_SCORE). Opinion and rhetoric ("That is a ridiculous approach") have none:
   NOTHING_CHECKABLE.
4. It is among the best-scoring third of the article: at most ``ceil(n / 3)`` claims, where
   n counts the sentences no rule excluded (the ones that could be claims at all). The
   scores may say otherwise: a sentence scoring SURE_SCORE or more is kept beyond the cap.
   The others: OVER_CAP.

The measured effect of each step on real news is printed by
``python -m claims.extraction.news_eval``.
"""

import bisect
import math
import re
from dataclasses import dataclass

from claims.extraction.cues import cues, needs_context
from claims.extraction.furniture import lead_furniture
from claims.extraction.model import load_model, score_sentences
from claims.extraction.rules import exclusion_reason
from claims.extraction.segment import split_sentences

# At most this share of an article's possible claims is selected...
MAX_SHARE = 1 / 3
# ...unless the model is at least this sure about more of them.
SURE_SCORE = 0.95

BELOW_THRESHOLD = "below threshold"
NOTHING_CHECKABLE = "nothing checkable"
OVER_CAP = "over the one-third cap"
SELECTION_REASONS = (BELOW_THRESHOLD, NOTHING_CHECKABLE, OVER_CAP)

_NON_SPACE = re.compile(r"\S")
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Candidate:
    """One sentence of an article with its check-worthiness; ``text == article[start:end]``.

    ``score`` is the model's probability, left as it is even when a rule or the selection
    overrides ``checkworthy``, so a reviewer can see what the model thought. ``reason`` says
    why a sentence is not check-worthy (None when it is); ``cues`` why it may be one;
    ``needs_context`` that it starts with a reference only the sentence before resolves.
    """

    text: str
    start: int
    end: int
    score: float
    checkworthy: bool
    reason: str | None = None
    cues: tuple[str, ...] = ()
    needs_context: bool = False


def default_threshold() -> float:
    """The shipped model's own cut-off, used when no workspace threshold is given."""
    return load_model().threshold


def extract_candidates(
    text: str, *, include_all: bool = False, threshold: float | None = None
) -> list[Candidate]:
    """Score every sentence of ``text``; return the check-worthy ones (all with include_all).

    Sorted by score, highest first; equal scores in article order.
    """
    if threshold is None:
        threshold = default_threshold()
    line_breaks = [match.start() for match in _LINE_BREAK.finditer(text)]
    spans, rule_reasons = [], []
    # Junk repeats itself ("a. a. a. ..." is 350,000 sentences in a megabyte): every rule,
    # score and cue is computed once per distinct sentence.
    reason_of: dict[tuple[str, bool], str | None] = {}
    for sentence in split_sentences(text):
        start = sentence.start + lead_furniture(sentence.text)
        start += len(text[start : sentence.end]) - len(text[start : sentence.end].lstrip())
        spans.append((start, sentence.end))
        key = (sentence.text, _alone_on_line(text, line_breaks, sentence.start, sentence.end))
        if key not in reason_of:
            reason_of[key] = exclusion_reason(key[0], alone_on_line=key[1])
        rule_reasons.append(reason_of[key])
    texts = [text[start:end] for start, end in spans]
    # Text that is not prose can be a megabyte of junk: scoring it would cost time for nothing.
    prose = list(
        dict.fromkeys(t for t, r in zip(texts, rule_reasons, strict=True) if r != "not prose")
    )
    score_of = dict(zip(prose, score_sentences(prose), strict=True))
    cues_of = {t: tuple(cues(t)) for t in prose}
    context_of = {t: needs_context(t) for t in prose}
    scores = [score_of.get(t, 0.0) for t in texts]
    cue_sets = [cues_of.get(t, ()) for t in texts]
    reasons = _select(rule_reasons, scores, cue_sets, threshold)
    candidates = [
        Candidate(
            text=texts[i],
            start=start,
            end=end,
            score=scores[i],
            checkworthy=reasons[i] is None,
            reason=reasons[i],
            cues=cue_sets[i],
            needs_context=context_of.get(texts[i], False),
        )
        for i, (start, end) in enumerate(spans)
    ]
    if not include_all:
        candidates = [candidate for candidate in candidates if candidate.checkworthy]
    return sorted(candidates, key=lambda candidate: (-candidate.score, candidate.start))


def _select(
    reasons: list[str | None],
    scores: list[float],
    cue_sets: list[tuple[str, ...]],
    threshold: float,
) -> list[str | None]:
    """Steps 2-4 of the module docstring: the final reason of every sentence."""
    reasons = list(reasons)
    possible = sum(reason is None for reason in reasons)
    for i, reason in enumerate(reasons):
        if reason is not None:
            continue
        if scores[i] < threshold:
            reasons[i] = BELOW_THRESHOLD
        elif scores[i] < SURE_SCORE and not cue_sets[i]:
            reasons[i] = NOTHING_CHECKABLE
    cap = math.ceil(possible * MAX_SHARE)
    selected = sorted((i for i, r in enumerate(reasons) if r is None), key=lambda i: -scores[i])
    for i in selected[cap:]:
        if scores[i] < SURE_SCORE:
            reasons[i] = OVER_CAP
    return reasons


def _alone_on_line(text: str, line_breaks: list[int], start: int, end: int) -> bool:
    """True if text[start:end] is a whole line of ``text`` (white space aside).

    ``line_breaks`` holds the offsets of every line break, in order.
    """
    at = bisect.bisect_left(line_breaks, start)
    line_start = line_breaks[at - 1] + 1 if at else 0
    line_end = line_breaks[at] if at < len(line_breaks) else len(text)
    # A search, not a slice: on a megabyte-long line a slice per sentence costs gigabytes.
    return not _NON_SPACE.search(text, line_start, start) and not _NON_SPACE.search(
        text, end, line_end
    )
