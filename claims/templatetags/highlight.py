"""Search terms marked in the text they were found in, escaped safely."""

import re

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def highlight(text, terms):
    """`{{ claim.text|highlight:search_terms }}`: each term in <mark>, case-insensitively.

    The text is split on the terms first and every piece escaped after, so neither the text
    nor the query can inject markup.
    """
    text = "" if text is None else str(text)
    terms = [term for term in (terms or []) if term]
    if not terms:
        return format_html("{}", text)
    # Longest first, so "12 million" wins over "12" where both match.
    pattern = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    pieces = re.split(f"({pattern})", text, flags=re.IGNORECASE)
    # re.split puts the matches at the odd places.
    marked = (
        (format_html("<mark>{}</mark>", piece) if index % 2 else piece,)
        for index, piece in enumerate(pieces)
        if piece
    )
    return format_html_join("", "{}", marked)
