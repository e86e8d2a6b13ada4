"""News-page furniture is never a claim; claims that look like furniture still are.

Most furniture lines here are copied from the articles of the news development set
(claims/extraction/data/news/), as they appear there.
"""

import time

import pytest

from claims.extraction import extract_candidates
from claims.extraction.furniture import lead_furniture, not_prose
from claims.extraction.rules import exclusion_reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # Datelines and bare dates.
        ("Monday, 6 January 2020", "date"),
        ("-     24 July 2015", "date"),
        ("posted on April 21, 2015, at 11:29 a.m.", "date"),
        ("October 22, 2019 report", "date"),
        ("Updated 10:02 GMT January 6, 2020", "date"),
        ("Update July 3rd, 8:05AM ET: Added ARKit explanation and tweet.", "update note"),
        # Captions, photo and copyright credits.
        ("(Credit: Clayton Aldern / Grist)", "caption or credit"),
        ("Photograph: Jane Doe/Getty Images", "caption or credit"),
        ("Demonstrators march in Caracas on Saturday. REUTERS/Carlos Barria", "caption or credit"),
        ("pic.twitter.com/U7PMa4oNGN", "caption or credit"),
        ("© Thomson Reuters 2020", "copyright line"),
        ("Copyright 2020 The Associated Press. All rights reserved.", "copyright line"),
        # Republication and standards lines.
        ("This article originally appeared on VICE US.", "republication note"),
        ("This article is republished from The Conversation.", "republication note"),
        ("Our Standards: The Thomson Reuters Trust Principles.", "standards line"),
        # Newsletter and app prompts.
        (
            "Sign up for our newsletter to get the best of VICE delivered to your inbox daily.",
            "call to action",
        ),
        ("Submit your letter to the editor via this form.", "call to action"),
        ("Get the app for breaking news alerts on 3 continents.", "call to action"),
        ("Get our newsletter for the latest on 2024 races.", "call to action"),
        # "Read more" lists and links.
        ("Read more: Recognizing Germany colonial crimes: Work in progress", "call to action"),
        ("Read more:", "call to action"),
        ("Read the full transcript of his interview", "call to action"),
        ("Related: Chicago is America's most segregated city", "call to action"),
        ("[Read: Tunisia sends most foreign fighters to Islamic State in Syria]", "call to action"),
        ("[Bardo museum houses amazing Roman treasures]", "link"),
        ("Continue reading the main story", "call to action"),
        # Sub-headlines: short whole lines without final punctuation.
        ("Meta Outage Sparks Surge in Downdetector Reports", "sub-headline"),
        ("Freedom fighters replace colonial leaders", "sub-headline"),
        ("Tunisia sends most foreign fighters to Islamic State in Syria", "sub-headline"),
        ("DISAPPOINTING NIGHT FOR \u2018IRISHMAN\u2019", "all-caps headline"),
        # Credits.
        ("With Post wires", "byline"),
        ("Analysis: Jon Sopel, BBC News, Washington", "byline"),
        ("Heba Habib contributed to this report.", "byline"),
        ("Additional reporting by Steve Gorman; Editing by Marguerita Choy", "byline"),
        # List markers and fragments.
        ("- 941 comments", "fragment"),
        ("* Kenya trip", "fragment"),
    ],
)
def test_furniture_line_is_excluded(line, reason):
    assert exclusion_reason(line, alone_on_line=True) == reason


@pytest.mark.parametrize(
    "line",
    [
        # Claims that start like furniture, or are short, or have no full stop.
        "Photographs of the flood reached 2 million people, the agency said.",
        "Credit card debt rose 8% in 2023, the Fed said.",
        "Monday's vote cut the budget by $3 billion.",
        "Updated figures show 7,200 arrests in nine days.",
        "Our standards of living fell 4% last year, the statistics office said.",
        "Related charges were filed against 12 people on Friday.",
        "The newsletter industry grew 40% in 2023, according to Substack.",
        "Unemployment fell to 3.7%.",
        # A bullet point is not a sub-headline: this one is a claim.
        "- Despite racial tensions, the US is becoming more diverse and more tolerant",
        # A long line without final punctuation is left to the model.
        "Fire season in the Amazon runs from August through October, with its peak coming in"
        " mid-September, and the smoke is already so bad that it can be seen from space",
    ],
)
def test_claims_that_look_like_furniture_are_not_excluded(line):
    assert exclusion_reason(line, alone_on_line=True) is None


def test_a_short_line_is_a_sub_headline_only_when_it_is_a_whole_line():
    line = "Meta Outage Sparks Surge in Downdetector Reports"
    assert exclusion_reason(line, alone_on_line=True) == "sub-headline"
    assert exclusion_reason(line, alone_on_line=False) is None


@pytest.mark.parametrize(
    ("sentence", "furniture"),
    [
        ("* The deficit doubled in 2020.", "* "),
        ("-  The deficit doubled in 2020.", "-  "),
        ("• The deficit doubled in 2020.", "• "),
        ("LOS ANGELES (Reuters) - South Korean thriller won.", "LOS ANGELES (Reuters) - "),
        ("CAIRO — Gunmen opened fire on visitors.", "CAIRO — "),
        ("- WASHINGTON (AP) — The Senate voted 52-48.", "- WASHINGTON (AP) — "),
        ("The deficit doubled in 2020.", ""),
        ("US - China talks resumed.", ""),
        ("-5 degrees was the low.", ""),
        ("- ", ""),
    ],
)
def test_lead_furniture_is_measured(sentence, furniture):
    assert sentence[: lead_furniture(sentence)] == furniture


def test_claims_never_start_with_a_list_marker_or_a_dateline():
    text = (
        "* Unemployment fell to 3.7 percent in November, the Labor Department said.\n"
        "LOS ANGELES (Reuters) - Ticket sales rose 40 percent to $2 billion in 2019, the"
        " studio said.\n"
    )
    claims = sorted(extract_candidates(text, include_all=True), key=lambda c: c.start)
    assert [c.text[:12] for c in claims] == ["Unemployment", "Ticket sales"]
    for claim in claims:
        assert text[claim.start : claim.end] == claim.text


@pytest.mark.parametrize(
    "text",
    [
        "Finland\t1\t2.3\t4.5\tNorway\t2\t2.1\t4.4",
        "Finland | 1 | 2.3 | 4.5 | Norway | 2",
        "Alice Smith, Bob Jones, Carol White, Dan Brown, Eve Black, Frank Green",
        "alpha beta gamma " * 30,
        "Jane Doe and John Smith and Mary Major and " * 10,
    ],
    ids=["tab-row", "pipe-row", "names", "no-punctuation", "long-names"],
)
def test_text_that_is_not_prose(text):
    assert not_prose(text.strip())
    assert exclusion_reason(text) == "not prose"


@pytest.mark.parametrize(
    "text",
    [
        "Tunisian Prime Minister Habib Essid said that foreigners from Italy, Poland, Germany"
        " and Spain were killed.",
        "The vote was 52-48, 60-40 and 51-49, the clerk said.",
        # A long sentence with commas and a full stop is prose.
        "And the Redonda ground dragon, a rare, six-inch, all-black lizard, is even bolder: I"
        " stop walking for a few seconds and lean against the rusted remains of a cable head,"
        " and an entire lounge of them emerges and runs across my sneakers, over and over,"
        " until the sun goes down behind the cliffs and the birds return to their nests.",
    ],
)
def test_prose_is_prose(text):
    assert not not_prose(text)


def test_a_megabyte_line_without_punctuation_yields_no_claims_quickly(monkeypatch):
    scored = []

    def spy(sentences):
        scored.extend(sentences)
        return [0.99] * len(sentences)

    monkeypatch.setattr("claims.extraction.candidates.score_sentences", spy)
    text = " ".join(["alpha", "beta", "gamma"] * 60_000)  # 1 MB, one line, no punctuation
    started = time.perf_counter()
    assert extract_candidates(text) == []
    everything = extract_candidates(text, include_all=True)
    elapsed = time.perf_counter() - started
    assert {c.reason for c in everything} == {"not prose"}
    assert {c.score for c in everything} == {0.0}
    assert scored == []  # never handed to the model, however sure it would have been
    assert elapsed < 5  # about 0.3 s on one core: no pathological segmentation cost


def test_a_megabyte_line_among_real_sentences_keeps_the_real_claims(monkeypatch):
    monkeypatch.setattr(
        "claims.extraction.candidates.score_sentences", lambda sentences: [0.95] * len(sentences)
    )
    junk = " ".join(["alpha", "beta", "gamma"] * 60_000)
    text = f"The deficit doubled to $3 trillion in 2020.\n{junk}\nExports fell 12% in May."
    texts = [c.text for c in extract_candidates(text)]
    assert texts == ["The deficit doubled to $3 trillion in 2020.", "Exports fell 12% in May."]
