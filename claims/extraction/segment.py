"""Split an article's plain text into sentences with exact character offsets.

Every line is its own paragraph: headlines, bylines ("By Jane Doe", "With Post wires") and
datelines ("WASHINGTON (AP) —") sit on lines of their own in extracted article text, and must
never glue onto the sentence that follows. The cost is that hard-wrapped plain text (a sentence
broken across lines at 72 columns) is split at each line break; text extracted from web pages
puts one paragraph per line, so we accept that.

Each paragraph is segmented with pysbd. pysbd is used only for *where* sentences start: its
sentences are located in the original text by searching forward from a cursor, and each of our
sentences runs from one located start to the next. So offsets are always exact, no character
is ever dropped (pysbd's own ``char_span`` mode loses sentences when text repeats), and a
pysbd sentence we cannot locate simply merges into its neighbour.

pysbd's boundaries are then checked against two mistakes seen on real pages
(``_is_false_boundary``): a full stop that starts a word ("files in .zip or .rar format", a
file extension or a domain) and "a.m."/"p.m." followed by a time zone or a weekday ("10 a.m.
Eastern Time").

pysbd's cost grows faster than linearly with the length of the text it is given, and it runs
at roughly 150,000 characters a second on news prose. So long paragraphs are cut into chunks
of at most ``CHUNK_CHARS`` before pysbd sees them, and a document only gets pysbd for its first
``PYSBD_BUDGET_CHARS`` characters; past that (book-length input, or junk such as a megabyte
without punctuation) a plain punctuation regex takes over. Both limits count characters, not
seconds, so the result stays deterministic. A chunk of ``NON_PROSE_CHARS`` or more without
terminal punctuation skips pysbd and stays one piece: it is not prose (a table row, a list of
names, junk), so pysbd's time on it would be wasted, and candidates.py never scores it.
"""

import re
from dataclasses import dataclass

import pysbd

# A sentence longer than this is almost certainly not one sentence (or not prose at all); it is
# also the largest piece of text pysbd is given at once.
CHUNK_CHARS = 1_000

# About 40 long news articles. Beyond this many characters in one document, use the regex.
PYSBD_BUDGET_CHARS = 200_000

# A long chunk without terminal punctuation is not prose (a table, a list of names, junk): it is
# kept whole rather than handed to pysbd, whose time on such runs is wasted.
NON_PROSE_CHARS = 300
_TERMINAL = re.compile(r"[.!?\u2026\u3002\uff01\uff1f]")

# "10 a.m. Eastern Time", "3 p.m. ET", "9 a.m. Tuesday": pysbd ends a sentence after the
# abbreviation when a capitalised word follows. These words continue the time, they do not
# open a sentence.
_TIME_ABBREVIATION = re.compile(r"(?i)\b[ap]\.m\.[\s]+$")
_TIME_CONTINUATION = re.compile(
    r"(?:(?:Eastern|Pacific|Central|Mountain|Atlantic|Alaska|Hawaii)(?:\s+(?:Standard|Daylight))?"
    r"\s+Time|local\s+time|[ECMP][SD]?T|GMT|BST|UTC|CES?T|AE[SD]T|JST|HKT|SGT|IST"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b"
)

# The characters str.splitlines() treats as line boundaries.
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")

# Where the cheap splitter ends a sentence: terminal punctuation, any closing quotes or
# brackets, then whitespace. The lookbehind and possessive quantifiers keep a long run of
# dots linear: a match may only begin where the run begins, and never backtracks into it.
_FALLBACK_BOUNDARY = re.compile(
    r"(?<![.!?\u2026\u3002\uff01\uff1f])[.!?\u2026\u3002\uff01\uff1f]++[\"'\u2019\u201d)\]]*+\s+"
)

# Where a long paragraph may be cut into chunks: the end of a sentence after a lowercase word
# of three or more letters, so "Mr. Smith" or "Gen. Lee" is never torn apart.
_CHUNK_BOUNDARY = re.compile(r"[a-z]{3}[.!?]++[\"'\u2019\u201d)\]]*+\s+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article; ``text == article[start:end]``."""

    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into stripped, non-empty sentences with exact offsets, in order.

    Every non-whitespace character of ``text`` belongs to exactly one sentence.
    """
    # pysbd keeps a reference to the text it is working on, so a shared instance would not be
    # safe across threads; building one is cheap.
    segmenter = pysbd.Segmenter(language="en", clean=False)
    budget = PYSBD_BUDGET_CHARS
    sentences = []
    for para_start, para_end in _spans_between(_LINE_BREAK, text, 0, len(text)):
        for chunk_start, chunk_end in _chunks(text, para_start, para_end):
            chunk = text[chunk_start:chunk_end]
            if len(chunk) >= NON_PROSE_CHARS and not _TERMINAL.search(chunk):
                starts = [0]
            elif len(chunk) <= budget:
                budget -= len(chunk)
                starts = _pysbd_starts(segmenter, chunk)
            else:
                starts = _fallback_starts(chunk)
            for start, end in zip(starts, [*starts[1:], len(chunk)], strict=True):
                sentence = _stripped(text, chunk_start + start, chunk_start + end)
                if sentence is not None:
                    sentences.append(sentence)
    return sentences


def _spans_between(separator: re.Pattern[str], text: str, start: int, end: int):
    """Yield (start, end) of the stretches of text[start:end] between separator matches."""
    cursor = start
    for match in separator.finditer(text, start, end):
        if match.start() > cursor:
            yield cursor, match.start()
        cursor = match.end()
    if end > cursor:
        yield cursor, end


def _chunks(text: str, start: int, end: int):
    """Yield (start, end) pieces of text[start:end], none longer than CHUNK_CHARS.

    A piece ends at the last likely sentence end before the limit, else at the last
    whitespace, else (a run of CHUNK_CHARS without a space) exactly at the limit.
    """
    while end - start > CHUNK_CHARS:
        limit = start + CHUNK_CHARS
        cut = None
        for match in _CHUNK_BOUNDARY.finditer(text, start, limit):
            cut = match.end()
        if cut is None:
            space = max(text.rfind(" ", start, limit), text.rfind("\t", start, limit))
            cut = space + 1 if space > start else limit
        yield start, cut
        start = cut
    yield start, end


def _pysbd_starts(segmenter: pysbd.Segmenter, chunk: str) -> list[int]:
    """Return the offsets in ``chunk`` where pysbd starts a sentence (always including 0)."""
    try:
        # Segmenter.segment() would also map sentences back to the text, but it does so with a
        # regex search over the whole text per sentence (quadratic) and drops what it cannot
        # place; processor().process() gives the sentences and we place them ourselves.
        pieces = segmenter.processor(chunk).process()
    except Exception:  # pysbd is regex-heavy third-party code; never let it take us down
        return _fallback_starts(chunk)
    starts = [0]
    cursor = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = chunk.find(piece, cursor)
        if found == -1:
            continue  # pysbd altered this text; it stays part of the previous sentence
        if found > starts[-1] and not _is_false_boundary(chunk, found):
            starts.append(found)
        cursor = found + len(piece)
    return starts


def _fallback_starts(chunk: str) -> list[int]:
    """Return sentence start offsets found by terminal punctuation alone (always including 0)."""
    return [
        0,
        *(
            match.end()
            for match in _FALLBACK_BOUNDARY.finditer(chunk)
            if not _is_false_boundary(chunk, match.end())
        ),
    ]


def _is_false_boundary(chunk: str, start: int) -> bool:
    """True when a sentence said to start at ``chunk[start]`` in fact continues the previous one.

    A lowercase letter straight after the full stop is a file extension or a domain
    (".zip or .rar format", "bit.ly"); a time zone or weekday after "a.m."/"p.m." continues
    the time ("10 a.m. Eastern Time").
    """
    if start >= len(chunk):
        return False
    if chunk[start - 1] == "." and chunk[start].islower():
        return True
    return bool(
        _TIME_ABBREVIATION.search(chunk, max(0, start - 12), start)
        and _TIME_CONTINUATION.match(chunk, start)
    )


def _stripped(text: str, start: int, end: int) -> Sentence | None:
    """Return text[start:end] without surrounding whitespace as a Sentence, or None if blank."""
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    start += len(piece) - len(piece.lstrip())
    return Sentence(start=start, end=start + len(stripped), text=stripped)
