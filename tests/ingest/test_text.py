"""normalise_text and the metadata tidying every extracted article goes through."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.ingest import IngestError, normalise_text
from claims.ingest.text import MAX_METADATA_CHARS, make_article


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cafe\u0301", "Café"),  # NFC: e + combining accent becomes one character
        ("one\r\ntwo\rthree\n", "one\ntwo\nthree"),
        ("a\x00b\x07c\x1bd\x7fe\x85f", "abcdef"),
        ("keep\ttabs\there", "keep\ttabs\there"),
        ("trailing   \nspaces\t\n", "trailing\nspaces"),
        ("a\n\n\nb", "a\n\nb"),
        ("a\n \n\t\n  \n\nb", "a\n\nb"),
        ("a\n\nb", "a\n\nb"),
        ("page one\x0cpage two", "page one\npage two"),
        ("line\u2028separated", "line\nseparated"),
        ("\n\n  padded  \n\n", "padded"),
        ("\x00\x01\r\n \t", ""),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


@given(st.text())
def test_normalised_text_has_the_promised_shape(raw):
    text = normalise_text(raw)

    assert normalise_text(text) == text
    assert "\r" not in text
    assert "\n\n\n" not in text
    assert not any(ord(char) < 0x20 and char not in "\t\n" for char in text)
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert text == text.strip()


def test_make_article_refuses_empty_text():
    with pytest.raises(IngestError, match="No readable text"):
        make_article(" \n\t ")


def test_make_article_tidies_metadata():
    article = make_article(
        "Body.",
        title="  Breaking:\n  the  claim\x00 ",
        author="A" * 2000,
        outlet="Daily\tBugle",
    )

    assert article.title == "Breaking: the claim"
    assert article.author == "A" * MAX_METADATA_CHARS
    assert article.outlet == "Daily Bugle"
