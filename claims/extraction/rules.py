"""Explicit rules that keep news-page furniture out of the check-worthy claims.

The model learned from debate transcripts, where there are no bylines, newsletter prompts or
headlines. These rules run on top of it: a sentence they match is never check-worthy, whatever
its score. Each rule is deliberately narrow, so that it fails by letting furniture through (a
reviewer dismisses it) rather than by hiding a real claim. Opinion is left to the model.
"""

import re

MIN_WORDS = 4

_WORD = re.compile(r"\w")

# A credit line is a lead phrase followed by nothing but names: "By Jane Doe and John Smith",
# "With Post wires", "Reporting by Jane Doe; Editing by John Smith". The lead alone is not
# enough, because "By 2030, emissions will halve" and "With 7,200 arrests, ICE says..." are
# claims; what follows must be capitalised words or the small words found in credits.
_CREDIT_LEAD = re.compile(
    r"(?i)(?:[-\u2013\u2014]\s*)?"
    r"(?:by|with|(?:additional\s+)?(?:reporting|writing|editing|research)\s+(?:by|from)"
    r"|(?:written|edited|compiled|produced)\s+by|contributing|contributors?)\b:?"
)
_CREDIT_TOKEN = re.compile(r"\w[\w'\u2019.-]*")
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
    r"(?i)(?:subscribe|sign\s+(?:up|in)|log\s+in|click|tap\s+here|follow\s+(?:us|@)"
    r"|like\s+us|share\s+(?:this|on|via|the\s+story|your)|share\s*[:|]|read\s+(?:more|next)"
    r"|continue\s+reading|download|get\s+(?:the|our)\s+(?:app|newsletter)"
    r"|join\s+(?:us|our)|donate|support\s+(?:us|our|independent)|don'?t\s+miss"
    r"|(?:watch|listen|related|see\s+also|more)\s*:)(?!\w)"
)
_CALL_TO_ACTION_ANYWHERE = re.compile(
    r"(?i)\b(?:click\s+here|subscribe\s+(?:now|today|to\s+(?:our|the))|sign\s+up\s+(?:for|to)"
    r"|follow\s+(?:us|@\w+)\s+on)\b|^follow\b.{0,60}\bon\s+"
    r"(?:twitter|x|facebook|instagram|tiktok|threads|bluesky|youtube|linkedin)\b"
)

# What may follow the question mark of a question: closing quotes and brackets, and "!".
_AFTER_QUESTION_MARK = "\"'\u2019\u201d)]!"

# Fewer shouted letters than this is an acronym or a number, not a headline.
_MIN_SHOUTED_LETTERS = 4


def exclusion_reason(sentence: str) -> str | None:
    """Name the rule that makes ``sentence`` non-check-worthy, or None if none applies."""
    text = sentence.strip()
    if _is_credit_line(text):
        return "byline"
    if _CALL_TO_ACTION_LEAD.match(text) or _CALL_TO_ACTION_ANYWHERE.search(text):
        return "call to action"
    if text.rstrip(_AFTER_QUESTION_MARK).endswith(("?", "\uff1f")):
        return "question"
    if sum(1 for token in text.split() if _WORD.search(token)) < MIN_WORDS:
        return "fragment"
    if _is_all_caps(text):
        return "all-caps headline"
    return None


def _is_credit_line(text: str) -> bool:
    if _CONTRIBUTED.search(text):
        return True
    lead = _CREDIT_LEAD.match(text)
    if lead is None:
        return False
    tokens = _CREDIT_TOKEN.findall(text, lead.end())
    return 0 < len(tokens) <= _CREDIT_MAX_WORDS and all(
        token[0].isupper() or token.lower() in _CREDIT_WORDS for token in tokens
    )


def _is_all_caps(text: str) -> bool:
    """Several cased letters and not one of them lowercase: a shouted headline or a kicker."""
    cased = [char for char in text if char.isupper() or char.islower()]
    return len(cased) >= _MIN_SHOUTED_LETTERS and not any(char.islower() for char in cased)
