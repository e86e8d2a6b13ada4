"""Property tests: any text at all gives valid, exact, repeatable candidates."""

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.extraction import extract_candidates

# Arbitrary code points except surrogates, which cannot occur in text decoded from UTF-8.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=400)

words = st.sampled_from(
    [
        "The",
        "deficit",
        "Mr.",
        "U.S.",
        "rose",
        "5.3%",
        "$3 billion",
        "“quoted”",
        "—",
        "2024",
        "e.g.",
        "(AP)",
        "a.m.",
        "😀",
        "שלום",
        "\u00a0",
        "By",
        "Jane",
        "Subscribe",
        "WASHINGTON",
    ]
)
sentence = st.builds(
    lambda ws, end: " ".join(ws) + end,
    st.lists(words, min_size=1, max_size=12),
    st.sampled_from([".", "!", "?", "...", "", "?”", ".)"]),
)
article = st.lists(sentence, max_size=12).flatmap(
    lambda sentences: st.lists(
        st.sampled_from([" ", "  ", "\n", "\n\n", "\r\n", "\t"]),
        min_size=len(sentences),
        max_size=len(sentences),
    ).map(lambda gaps: "".join(s + g for s, g in zip(sentences, gaps, strict=True)))
)


def check(text: str) -> None:
    candidates = extract_candidates(text, include_all=True)
    previous_end = 0
    for candidate in sorted(candidates, key=lambda c: c.start):
        assert previous_end <= candidate.start < candidate.end <= len(text)
        assert text[candidate.start : candidate.end] == candidate.text
        assert 0.0 <= candidate.score <= 1.0
        previous_end = candidate.end
    assert candidates == extract_candidates(text, include_all=True)


@settings(deadline=None, max_examples=150)
@given(any_text)
def test_any_text(text):
    check(text)


@settings(deadline=None, max_examples=150)
@given(article)
def test_articles_made_of_sentences(text):
    check(text)
