"""extract_candidates on real and made-up articles: what is kept, in what order."""

import hashlib
import re

import pytest

import claims.extraction
from claims.extraction import Candidate, extract_candidates, split_sentences
from claims.extraction.candidates import (
    BELOW_THRESHOLD,
    NOTHING_CHECKABLE,
    OVER_CAP,
    SURE_SCORE,
)
from claims.extraction.model import MODEL_PATH, load_model

ICE = "On Friday, US Immigration and Customs Enforcement said it had arrested more than 7,200"
GUANTANAMO = "as many as 30,000 migrants would be shipped to the US naval base at Guantanamo"


def test_sample_article_yields_its_key_claims(sample_article):
    candidates = extract_candidates(sample_article)
    texts = [candidate.text for candidate in candidates]
    assert any(text.startswith(ICE) for text in texts)
    assert any(GUANTANAMO in text for text in texts)
    assert "With Post wires" not in texts
    for candidate in candidates:
        assert candidate.checkworthy
        assert sample_article[candidate.start : candidate.end] == candidate.text


def test_include_all_returns_every_sentence_with_its_verdict(sample_article):
    everything = extract_candidates(sample_article, include_all=True)
    sentences = split_sentences(sample_article)
    assert sorted((c.start, c.end, c.text) for c in everything) == [
        (s.start, s.end, s.text) for s in sentences
    ]
    byline = next(c for c in everything if c.text == "With Post wires")
    assert not byline.checkworthy
    assert {c for c in everything if c.checkworthy} == set(extract_candidates(sample_article))


def test_sorted_by_score_then_position():
    text = "Same sentence here, with 5 percent. Same sentence here, with 5 percent."
    first, second = extract_candidates(text, include_all=True)
    assert first.score == second.score
    assert (first.start, second.start) == (0, 36)
    candidates = extract_candidates("The deficit doubled to $3 trillion in 2020. Thanks. " * 3)
    keys = [(-c.score, c.start) for c in candidates]
    assert keys == sorted(keys)


def test_checkworthy_means_score_at_or_above_threshold_and_no_rule():
    threshold = load_model().threshold
    text = (
        "Unemployment fell to 3.7 percent in November, the Labor Department said.\n"
        "Did unemployment really fall to 3.7 percent in November?\n"
        "UNEMPLOYMENT FELL TO 3.7 PERCENT IN NOVEMBER, THE LABOR DEPARTMENT SAID\n"
        "By Jane Doe\n"
        "Subscribe to get the 3.7 percent unemployment report every month for $5."
    )
    claim, *rest = sorted(extract_candidates(text, include_all=True), key=lambda c: c.start)
    assert claim.checkworthy and claim.score >= threshold
    assert not any(candidate.checkworthy for candidate in rest)
    for candidate in rest:
        assert 0.0 <= candidate.score <= 1.0


def test_dateline_on_its_own_line_does_not_join_the_claim():
    text = "WASHINGTON (AP) —\nThe Senate voted 52-48 on Tuesday to pass a $1.2 trillion budget."
    (claim,) = extract_candidates(text)
    assert claim.text.startswith("The Senate voted")


@pytest.mark.parametrize("text", ["", "   \n\t", "\x00", "😀"])
def test_nothing_to_extract(text):
    assert extract_candidates(text) == []


def test_deterministic(sample_article):
    assert extract_candidates(sample_article, include_all=True) == extract_candidates(
        sample_article, include_all=True
    )


def test_candidate_is_frozen():
    candidate = Candidate(text="x", start=0, end=1, score=0.5, checkworthy=False)
    with pytest.raises(AttributeError):
        candidate.score = 1.0  # type: ignore[misc]


def test_model_version_is_a_short_hash_of_the_model_file():
    assert re.fullmatch(r"[0-9a-f]{12}", claims.extraction.MODEL_VERSION)
    digest = hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()
    assert digest.startswith(claims.extraction.MODEL_VERSION)


@pytest.fixture
def scores(monkeypatch):
    """Give sentences the scores of a dict (0.5 for the others) instead of the model's."""
    table: dict[str, float] = {}

    def fake(sentences):
        return [table.get(sentence, 0.5) for sentence in sentences]

    monkeypatch.setattr("claims.extraction.candidates.score_sentences", fake)
    return table


def numbered_claims(count: int) -> list[str]:
    return [f"Exports to country {n} fell {n + 1} percent in 2023." for n in range(count)]


def test_the_threshold_is_a_parameter(scores):
    scores["Exports fell 12 percent in 2023."] = 0.6
    text = "Exports fell 12 percent in 2023."
    assert [c.text for c in extract_candidates(text, threshold=0.55)] == [text]
    assert extract_candidates(text, threshold=0.65) == []
    (below,) = extract_candidates(text, threshold=0.65, include_all=True)
    assert below.reason == BELOW_THRESHOLD and below.score == 0.6


def test_at_most_a_third_of_the_possible_claims(scores):
    sentences = numbered_claims(9)
    for n, sentence in enumerate(sentences):
        scores[sentence] = 0.5 + n * 0.03  # all below SURE_SCORE
    text = "\n".join(sentences)
    chosen = extract_candidates(text, threshold=0.5)
    assert [c.text for c in chosen] == sentences[:5:-1]  # the best 3 of 9, best first
    over = [
        c for c in extract_candidates(text, threshold=0.5, include_all=True) if not c.checkworthy
    ]
    assert {c.reason for c in over} == {OVER_CAP}


def test_the_cap_rounds_up_and_counts_only_sentences_that_could_be_claims(scores):
    sentences = numbered_claims(4)
    furniture = ["By Jane Doe", "Read more: Exports in 2023", "Monday, 6 January 2020"]
    text = "\n".join([*furniture, *sentences, "Subscribe to our newsletter."])
    # 4 possible claims: ceil(4 / 3) = 2, whatever the furniture around them.
    assert len(extract_candidates(text, threshold=0.1)) == 2


def test_sure_scores_are_kept_beyond_the_cap(scores):
    sentences = numbered_claims(6)
    for sentence in sentences:
        scores[sentence] = SURE_SCORE
    text = "\n".join(sentences)
    assert len(extract_candidates(text, threshold=0.5)) == 6


def test_nothing_checkable_is_not_a_claim_unless_the_model_is_sure(scores):
    opinion = "That is a ridiculous approach to the whole affair."
    scores[opinion] = SURE_SCORE - 0.01
    (candidate,) = extract_candidates(opinion, threshold=0.5, include_all=True)
    assert candidate.cues == () and candidate.reason == NOTHING_CHECKABLE
    scores[opinion] = SURE_SCORE
    assert [c.text for c in extract_candidates(opinion, threshold=0.5)] == [opinion]


def test_candidates_carry_cues_and_needs_context(scores):
    text = "Coal generation fell 18 percent last year.\nThat\u2019s been driving down emissions."
    first, second = sorted(extract_candidates(text, include_all=True), key=lambda c: c.start)
    assert first.cues == ("number", "date", "comparison") and not first.needs_context
    assert second.cues == ("cause",) and second.needs_context
