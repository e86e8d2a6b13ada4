"""Explicit rules that keep what is not a claim out of the check-worthy claims.

The model learned from debate transcripts, where there are no bylines, newsletter prompts or
headlines. These rules run on top of it: a sentence they match is never check-worthy, whatever
its score. They are applied in this order, and the first that matches names the reason:

    page furniture   byline, call to action, republication note, standards line, copyright
                     line, caption or credit, update note, link, date      (furniture.py)
    not prose        a table row, a list of names, hundreds of characters without punctuation
    question         ends with a question mark
    fragment         fewer than MIN_WORDS words
    heading          all-caps headline, sub-headline                        (furniture.py)

A list marker or a dateline at the start ("* ", "LOS ANGELES (Reuters) - ") is not a reason
to exclude: the claim simply starts after it (``furniture.lead_furniture``).
Opinion is left to the model and to the selection in candidates.py.
"""

from claims.extraction import furniture

MIN_WORDS = 4

# What may follow the question mark of a question: closing quotes and brackets, and "!".
_AFTER_QUESTION_MARK = "\"'\u2019\u201d)]!"


def exclusion_reason(sentence: str, *, alone_on_line: bool = False) -> str | None:
    """Name the rule that makes ``sentence`` non-check-worthy, or None if none applies.

    ``alone_on_line``: the sentence is a whole line of the article text (so it may be a
    sub-headline).
    """
    text = sentence[furniture.lead_furniture(sentence) :].strip()
    # Long text is tested for prose first: furniture is short, and junk can be a megabyte.
    long = len(text) >= furniture.NON_PROSE_CHARS
    if long and furniture.not_prose(text):
        return "not prose"
    reason = furniture.page_furniture(text)
    if reason is not None:
        return reason
    if not long and furniture.not_prose(text):
        return "not prose"
    if text.rstrip(_AFTER_QUESTION_MARK).endswith(("?", "\uff1f")):
        return "question"
    if len(furniture.words(text)) < MIN_WORDS:
        return "fragment"
    return furniture.heading(
        text, alone_on_line=alone_on_line, list_item=furniture.is_list_item(sentence)
    )
