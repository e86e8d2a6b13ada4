"""News-page furniture: the lines of an article page that are never claims.

Text extracted from a news page carries more than the story: datelines and dates, bylines and
credits, captions and photo credits, "Read more" links, newsletter prompts, standards and
republication notes, sub-headlines, copyright lines, and sometimes things that are not prose
at all (a table row, a list of names, a megabyte without a full stop). The model learned
from debate transcripts, which have none of these, and scores many of them high.

``page_furniture(text)`` names the kind of furniture a sentence is (or None), ``heading``
recognises headlines and sub-headlines, and ``not_prose`` the text that is not sentences at
all; rules.py applies them in order. Each rule is narrow and anchored, so that it fails by
letting furniture through (a reviewer dismisses it) rather than by hiding a claim; the tests
in tests/extraction/test_furniture.py pair every rule with claims that look like it.

``lead_furniture(sentence)`` is the length of furniture glued to the front of a sentence that
is otherwise a claim: a list marker ("* ", "- ") or a dateline ("LOS ANGELES (Reuters) - ").
The claim starts after it.
"""

import re

from claims.extraction.segment import NON_PROSE_CHARS

# --- furniture in front of a claim -----------------------------------------------------------

_LIST_MARKER = re.compile(r"[-*\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043]\s+")
# "LOS ANGELES (Reuters) - ", "CAIRO — ", "WASHINGTON (AP) — ": a shouted place name, then
# an agency in brackets and any dash, or a long dash alone ("US - China talks" is no dateline).
_DATELINE = re.compile(
    r"[A-Z][A-Z.'\u2019-]+(?:[ ,]+[A-Z][A-Z.'\u2019-]+){0,3}"
    r"(?:\s*\([A-Za-z .&'\u2019-]{1,30}\)\s*[-\u2013\u2014]+|\s*[\u2013\u2014]+)\s+(?=\S)"
)


def lead_furniture(sentence: str) -> int:
    """How many characters at the start of ``sentence`` are a list marker or a dateline."""
    cut = 0
    marker = _LIST_MARKER.match(sentence)
    if marker is not None:
        cut = marker.end()
    dateline = _DATELINE.match(sentence, cut)
    if dateline is not None:
        cut = dateline.end()
    return cut if sentence[cut:].strip() else 0


def is_list_item(sentence: str) -> bool:
    return _LIST_MARKER.match(sentence) is not None


def words(text: str) -> list[str]:
    """The white-space separated tokens of ``text`` that contain a letter or a digit."""
    return [token for token in text.split() if _HAS_WORD.search(token)]


# --- whole sentences that are furniture ------------------------------------------------------

_WORD = re.compile(r"\w[\w'\u2019.-]*")
_HAS_WORD = re.compile(r"\w")

# Bylines and credits: a lead phrase followed by nothing but names. "By 2030, emissions will
# halve" and "With 7,200 arrests, ICE says..." are claims, so what follows the lead must be
# capitalised words or the small words found in credits.
_CREDIT_LEAD = re.compile(
    r"(?i)(?:[-\u2013\u2014]\s*)?"
    r"(?:by|with|(?:additional\s+)?(?:reporting|writing|editing|research)\s+(?:by|from)"
    r"|(?:written|edited|compiled|produced)\s+by|contributing|contributors?)\b:?"
    r"|(?i:analysis|opinion|commentary|interview|review)\s*:"
)
_CREDIT_WORDS = frozenset(
    {
        *("and", "of", "the", "in", "for", "from", "with", "by", "at"),
        *("de", "da", "del", "der", "di", "van", "von", "bin", "al", "la", "le"),
        *("wire", "wires", "services", "files", "reporting", "writing", "editing"),
        *("additional", "staff", "writer", "writers", "correspondent", "correspondents"),
        "contributed",
    }
)
_CREDIT_MAX_WORDS = 20
_CONTRIBUTED = re.compile(
    r"(?i)\bcontributed\s+(?:reporting\b|(?:to\s+)?this\s+(?:report|story|article)\b)"
)

# Calls to action, anchored at the start so "Share prices fell" or "Subscribers doubled"
# (a word boundary follows every lead) stay claims.
_CALL_TO_ACTION_LEAD = re.compile(
    r"(?i)[\[(]?\s*(?:subscribe|sign\s+(?:up|in)|log\s+in|click|tap\s+here|follow\s+(?:us|@)"
    r"|like\s+us|share\s+(?:this|on|via|the\s+story|your)|share\s*[:|]"
    r"|read\s+(?:more|next|the\s+full|the\s+rest|our|this)|continue\s+reading|download"
    r"|get\s+(?:the|our)\s+(?:app|newsletter)|join\s+(?:us|our)|donate"
    r"|support\s+(?:us|our|independent)|don'?t\s+miss|submit\s+your|send\s+us"
    r"|(?:watch|listen|related|see\s+also|more|read)\s*:)(?!\w)"
)
_CALL_TO_ACTION_ANYWHERE = re.compile(
    r"(?i)\b(?:click\s+here|subscribe\s+(?:now|today|to\s+(?:our|the))|sign\s+up\s+(?:for|to)"
    r"|follow\s+(?:us|@\w+)\s+on|(?:our|this)\s+(?:daily\s+|weekly\s+|free\s+)?newsletter"
    r"|(?:to|in)\s+your\s+inbox|via\s+this\s+form)\b"
    r"|^follow\b.{0,60}\bon\s+"
    r"(?:twitter|x|facebook|instagram|tiktok|threads|bluesky|youtube|linkedin)\b"
)

# "This article originally appeared on VICE US.", "republished from The Conversation".
_REPUBLISHED = re.compile(
    r"(?i)\b(?:originally|first)\s+(?:appeared|published|ran)\s+(?:on|in|at)\b"
    r"|\brepublished\s+(?:from|with|under)\b|\bproduced\s+in\s+partnership\s+with\b"
)
# "Our Standards: The Thomson Reuters Trust Principles."
_STANDARDS = re.compile(
    r"(?i)^our\s+standards\s*:|\btrust\s+principles\b|\beditorial\s+(?:standards|guidelines)\b"
    r"|\b(?:corrections|ethics)\s+policy\b"
)
# "(Credit: Clayton Aldern / Grist)", "Photograph: Jane Doe/Getty Images", "© Thomson Reuters".
_CAPTION_LEAD = re.compile(
    r"(?i)[(\[]?\s*(?:photo(?:graph)?s?|images?|pictures?|illustrations?|credits?|graphics?"
    r"|videos?|captions?|source|map|chart)(?:\s+(?:by|credit))?\s*:"
)
_PHOTO_AGENCY = re.compile(
    r"\b(?:Getty\s+Images|AP\s+Photo|REUTERS/|AFP(?:/|\s+via\s+Getty)|Shutterstock|EPA-EFE"
    r"|Alamy|Bloomberg\s+via\s+Getty|pic\.twitter\.com/)"
)
_COPYRIGHT = re.compile(r"(?i)^(?:\u00a9|\(c\)|copyright\b)|\ball\s+rights\s+reserved\b")
# "Update July 3rd, 8:05AM ET: Added ARKit explanation and tweet."
_UPDATE_NOTE = re.compile(r"(?i)^(?:update|updated|editor['\u2019]s\s+note)\b.{0,40}?:\s+[a-z]")
# "Link text in square brackets": "[Read: Why Tunisia suffers from Islamist violence]".
_BRACKETED = re.compile(r"^\[[^\]]+\]$")

# Dates and times, and the words that go with them on a page ("posted on", "Updated").
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE_TOKEN = re.compile(
    rf"(?i)^(?:{_MONTH}|mon(?:day)?|tues?(?:day)?|wed(?:nesday)?|thu(?:rs?)?(?:day)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?|\d{1,4}(?:st|nd|rd|th)?|\d{1,2}[:.]\d\d(?:[ap]m)?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|[ap]\.?m\.?|gmt|utc|bst|cet|[ecmp][sd]?t|hkt|ist"
    r"|published|updated|posted|last|modified|on|at|report|am|pm|and|of|the)$"
)
# A line this short without final punctuation is a heading, not a sentence.
_HEADING_MAX_WORDS = 15
_TERMINAL = re.compile(r"[.!?\u2026\u3002\uff01\uff1f]")
_TERMINAL_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u2019\u201d)\]]*$")
_SENTENCE_PUNCTUATION = re.compile(r"[.!?;:,\u2026]")
_CELL_SEPARATOR = re.compile(r"\t|\s\|\s|\s{3,}")
_NAME_SEPARATOR = re.compile(r"[,;|\u2022\u00b7/]")
_SMALL_WORDS = frozenset({"and", "of", "the", "&", "de", "van", "von", "al", "da", "y"})


def page_furniture(text: str) -> str | None:
    """Name the kind of page furniture ``text`` is (a byline, a caption...), or None."""
    tokens = _WORD.findall(text)
    count = len(words(text))
    if _is_credit_line(text):
        return "byline"
    if _CALL_TO_ACTION_LEAD.match(text) or _CALL_TO_ACTION_ANYWHERE.search(text):
        return "call to action"
    if _REPUBLISHED.search(text) and count <= 20:
        return "republication note"
    if _STANDARDS.search(text) and count <= 15:
        return "standards line"
    if _COPYRIGHT.search(text):
        return "copyright line"
    if _CAPTION_LEAD.match(text) or (_PHOTO_AGENCY.search(text) and count <= 25):
        return "caption or credit"
    if _UPDATE_NOTE.match(text):
        return "update note"
    if _BRACKETED.match(text):
        return "link"
    if tokens and all(_DATE_TOKEN.match(token) for token in tokens):
        return "date"
    return None


def heading(text: str, *, alone_on_line: bool, list_item: bool) -> str | None:
    """ "all-caps headline" or "sub-headline" when ``text`` reads as one, else None.

    A sub-headline is a whole line of a few words without final punctuation ("Kenya trip",
    "Meta Outage Sparks Surge in Downdetector Reports"); a list item is not one, because
    bullet points often are claims ("- The US is becoming more diverse").
    """
    if _is_all_caps(text):
        return "all-caps headline"
    if (
        alone_on_line
        and not list_item
        and len(words(text)) <= _HEADING_MAX_WORDS
        and not _TERMINAL_END.search(text)
    ):
        return "sub-headline"
    return None


def not_prose(text: str) -> bool:
    """A table row, a list of names, or a long stretch without sentence punctuation.

    Cheap on any input (a few linear regexes), because a megabyte of junk reaches it as a
    thousand chunks.
    """
    if len(text) >= NON_PROSE_CHARS and not _TERMINAL.search(text):
        return True
    if max(map(len, _SENTENCE_PUNCTUATION.split(text))) >= NON_PROSE_CHARS:
        return True
    if len(_CELL_SEPARATOR.findall(text)) >= 2:
        return True
    return _is_list_of_names(text)


def _is_list_of_names(text: str) -> bool:
    """Six or more capitalised words between commas, with no ordinary lowercase word."""
    if len(_NAME_SEPARATOR.findall(text)) < 2:
        return False
    tokens = _WORD.findall(text)
    if len(tokens) < 6:
        return False
    return all(token[0].isupper() or token.lower() in _SMALL_WORDS for token in tokens)


def _is_credit_line(text: str) -> bool:
    if _CONTRIBUTED.search(text):
        return True
    lead = _CREDIT_LEAD.match(text)
    if lead is None:
        return False
    tokens = _WORD.findall(text, lead.end())
    return 0 < len(tokens) <= _CREDIT_MAX_WORDS and all(
        token[0].isupper() or token.lower() in _CREDIT_WORDS for token in tokens
    )


# Fewer shouted letters than this is an acronym or a number, not a headline.
_MIN_SHOUTED_LETTERS = 4


def _is_all_caps(text: str) -> bool:
    """Several cased letters and not one of them lowercase: a shouted headline or a kicker."""
    cased = [char for char in text if char.isupper() or char.islower()]
    return len(cased) >= _MIN_SHOUTED_LETTERS and not any(char.islower() for char in cased)
