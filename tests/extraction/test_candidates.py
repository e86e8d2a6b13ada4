"""extract_candidates on real and made-up articles: what is kept, in what order."""

import hashlib
import re

import pytest

import claims.extraction
from claims.extraction import Candidate, extract_candidates, split_sentences
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
