"""What a reviewer should know about a claim before reading the article: why it was picked
(its cues) and whether it makes sense alone (needs_context).

Cues are the checkable parts of a sentence, found by plain patterns:

    number      a quantity: "7,200", "15 percent", "two-thirds", "tens of thousands"
    date        a point or stretch in time: "in 1997", "since 2012", "last year", "on Friday"
    source      a named source: "according to the Rhodium Group", "Mr Reeves said", "a report"
    comparison  more/less than, a record or a change: "the largest decline", "fell 2 percent"
    cause       a causal link: "because", "led to", "was the biggest reason for"

The patterns are deliberately simple and tested one by one (tests/extraction/test_cues.py);
they explain a selection and never replace the model's score.
"""

import re

CUE_LABELS = {
    "number": "a number",
    "date": "a date",
    "source": "a named source",
    "comparison": "a comparison",
    "cause": "a causal claim",
}

_NUMBER_WORDS = (
    r"hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|halves|thirds?"
    r"|quarters?|percent|per\s+cent|twice|tenfold|twofold|threefold|(?:\w+-)?fold"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|zero"
)
# A digit that is not only a year (years are dates) nor an ordinal day ("July 3rd").
_NUMBER = re.compile(
    rf"(?i)(?:[$€£¥%]|\b(?:{_NUMBER_WORDS})\b"
    r"|(?<![\w.])(?!(?:1[89]|20)\d\d\b)\d[\d,.]*(?!\d)(?!st\b|nd\b|rd\b|th\b|s\b))"
)

_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
_WEEKDAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE = re.compile(
    r"\b(?:(?:1[89]|20)\d\d(?:s|-\d\d)?\b"
    rf"|(?:{_MONTHS})\.?\s+\d|(?:{_WEEKDAYS})\b"
    r"|(?i:(?:last|next|this|past)\s+(?:year|month|week|decade|century|fall|spring|summer|winter)"
    r"|(?:since|until|by)\s+(?:the\s+)?(?:early|mid|late)?-?\s*(?:\d|(?:1[89]|20)\d\d)"
    r"|(?:\w+|\d+)\s+(?:years?|months?|weeks?|days?|decades?)\s+(?:ago|later|earlier)"
    r"|yesterday|today|tonight|(?:\d+|\w+)-(?:year|month|week|day)-(?:old|long)))"
)

# "according to X", "X said", "said X", "told Reuters", a report, study, survey or data set.
_ATTRIBUTION = re.compile(
    r"(?i)\baccording\s+to\b|\b(?:said|says|say|told|wrote|writes|added|reported|reports"
    r"|announced|estimated|estimates|noted|warned|stated|claimed|claims|found|showed|shows"
    r"|concluded|testified)\b"
)
_SOURCE_NOUN = re.compile(
    r"(?i)\b(?:report|study|survey|poll|census|data|database|analysis|statistics|figures"
    r"|researchers|scientists|estimates?|records?|filings?|documents?|statement)\b"
)
# A name: an acronym anywhere ("ICE said"), or a capitalised word after the first one
# ("Mr Reeves said"; "The report" and "He said" name nobody).
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+")

_COMPARISON = re.compile(
    r"(?i)\b(?:more|less|fewer|higher|lower|larger|smaller|bigger|greater|worse|better"
    r"|older|younger|cheaper|faster|slower|richer|poorer)\b[^.;]{0,60}?\bthan\b"
    # "more than 7,200" is a number, not a comparison.
    r"(?!\s+(?:\d|[$€£]|a\s+(?:dozen|hundred|thousand|million|billion)\b|(?:one|two|three|four"
    r"|five|six|seven|eight|nine|ten|twenty|fifty|hundreds?|thousands?|millions?|half)\b))"
    r"|\b(?:compared\s+(?:to|with)|relative\s+to|as\s+(?:much|many)\s+as|twice\s+as"
    r"|half\s+as|exceed(?:s|ed|ing)?|outnumber\w*|surpass\w*|rank(?:s|ed|ing)?"
    r"|(?:above|below)\s+(?:average|normal)|record(?:-\w+)?|first|only"
    r"|most|least|largest|biggest|highest|lowest|smallest|best|worst|deadliest|poorest"
    r"|richest|fastest|slowest|longest|shortest|oldest|newest|greatest"
    r"|(?:in|de)creas(?:e|ed|es|ing)|ris(?:e|es|ing)|rose|f[ae]ll(?:s|ing)?|drop(?:s|ped)?"
    r"|grew|grow(?:s|ing)?|growth|doubled|tripled|halved|declin(?:e|ed|es|ing)|slid|surged?"
    r"|soar(?:ed|ing)?|plunged?|jump(?:ed)?|cut|reduc(?:e|ed|es|ing)|lost|gained)\b"
)
_CAUSE = re.compile(
    r"(?i)\b(?:because|due\s+to|as\s+a\s+result|result(?:ed|s)?\s+(?:in|from)|led\s+to"
    r"|lead(?:s|ing)?\s+to|caus(?:e|ed|es|ing)|blam(?:e|ed|es|ing)|thanks\s+to|owing\s+to"
    r"|reasons?\s+(?:for|why)|driv(?:e|es|ing|en)\s+(?:down|up|by)|drove|fuel(?:l)?(?:ed|ing)"
    r"|prompt(?:ed|ing)|trigger(?:ed|ing)|so\s+that|therefore|consequently|contribut\w+\s+to"
    r"|linked\s+to|responsible\s+for)\b"
)


def cues(sentence: str) -> list[str]:
    """The cue names that apply to ``sentence``, in the order of CUE_LABELS."""
    found = []
    if _NUMBER.search(sentence):
        found.append("number")
    if _DATE.search(sentence):
        found.append("date")
    if _has_named_source(sentence):
        found.append("source")
    if _COMPARISON.search(sentence):
        found.append("comparison")
    if _CAUSE.search(sentence):
        found.append("cause")
    return found


def _has_named_source(sentence: str) -> bool:
    """An attribution verb and a name somewhere ("Mr Reeves said"), or a report or data."""
    if _SOURCE_NOUN.search(sentence):
        return True
    if not _ATTRIBUTION.search(sentence):
        return False
    first_word = re.match(r"\W*\w+", sentence)
    after_first = first_word.end() if first_word else 0
    return bool(_ACRONYM.search(sentence) or _CAPITALISED.search(sentence, after_first))


# --- needs_context -------------------------------------------------------------------------

# Words that open a sentence without changing what it refers to.
_OPENER = re.compile(
    r"(?:[\"'\u201c\u2018(\[]+\s*)?"
    r"(?:(?:but|and|so|yet|still|also|now|then|however|indeed|meanwhile|instead|even\s+so)"
    r"\b,?\s+)*",
    re.IGNORECASE,
)
# A reference the sentence itself does not resolve: "That's been driving down emissions",
# "This tiny island", "It was the most deadly attack", "He said", "They later seized Sirte".
_REFERENCE = re.compile(
    r"(?:this|that|these|those|such|it|its|they|them|their|he|his|him|she|her|hers"
    r"|neither|nor|others|the\s+same|the\s+former|the\s+latter)(?:['\u2019](?:s|re|ve|d|ll))?\b",
    re.IGNORECASE,
)
# "This year", "This week": the article's date resolves them.
_PRESENT_TIME = re.compile(
    r"this\s+(?:year|month|week|weekend|morning|afternoon|evening|season|summer|spring"
    r"|autumn|fall|winter|time)\b",
    re.IGNORECASE,
)
# The "it" of "it is unclear whether", "it takes four hours": it refers to nothing.
_DUMMY_IT = re.compile(
    r"it(?:['\u2019]s|\s+(?:is|was|has\s+been|will\s+be|would\s+be|remains|seems|seemed"
    r"|appears|appeared))\s+(?:not\s+)?(?:\w+ly\s+)?(?:clear|unclear|true|false|likely"
    r"|unlikely|possible|impossible|expected|estimated|thought|believed|said|reported|known"
    r"|hard|easy|difficult|important|time|worth|too\s+early|up\s+to)\b"
    r"|it\s+takes\b|it\s+(?:is|was)\s+(?:the\s+)?first\s+time\b",
    re.IGNORECASE,
)


def needs_context(sentence: str) -> bool:
    """True if ``sentence`` starts with a reference it does not resolve itself.

    "That's been driving down emissions from electricity generation." needs the sentence
    before it; "This year emissions fell" and "It is unclear whether..." do not. Quotes
    count too: in "“These messages include links...,” said Stefanko" the attribution names
    the speaker, not the messages.
    """
    rest = sentence[_OPENER.match(sentence).end() :]
    return bool(
        _REFERENCE.match(rest) and not _PRESENT_TIME.match(rest) and not _DUMMY_IT.match(rest)
    )
