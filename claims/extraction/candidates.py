"""Turn an article's plain text into ranked check-worthy claim candidates."""

from dataclasses import dataclass

from claims.extraction.model import load_model, score_sentences
from claims.extraction.rules import exclusion_reason
from claims.extraction.segment import split_sentences


@dataclass(frozen=True)
class Candidate:
    """One sentence of an article with its check-worthiness; ``text == article[start:end]``.

    ``score`` is the model's probability, left as it is even when a rule in rules.py overrides
    ``checkworthy``, so a reviewer can see what the model thought.
    """

    text: str
    start: int
    end: int
    score: float
    checkworthy: bool


def extract_candidates(text: str, *, include_all: bool = False) -> list[Candidate]:
    """Score every sentence of ``text``; return the check-worthy ones (all with include_all).

    Sorted by score, highest first; equal scores in article order.
    """
    sentences = split_sentences(text)
    scores = score_sentences([sentence.text for sentence in sentences])
    threshold = load_model().threshold
    candidates = [
        Candidate(
            text=sentence.text,
            start=sentence.start,
            end=sentence.end,
            score=score,
            checkworthy=score >= threshold and exclusion_reason(sentence.text) is None,
        )
        for sentence, score in zip(sentences, scores, strict=True)
    ]
    if not include_all:
        candidates = [candidate for candidate in candidates if candidate.checkworthy]
    return sorted(candidates, key=lambda candidate: (-candidate.score, candidate.start))
