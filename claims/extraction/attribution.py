"""Who made a claim, guessed from how the sentence attributes it. Plain Python, regexes only.

    suggest_claimant(sentence, preceding="") -> (name, kind) | None
    restatement(sentence) -> str    the sentence without its attribution, for claimReviewed

News English attributes a statement in a handful of shapes, all recognised here:

    "..., Trump said."  "..., President Trump says."    name before an attribution verb
    "Mr Obama said (that) ..."                          the same at the start
    "“...,” said Lukas Stefanko with ESET."            the verb first, after a quotation
    "Jo Grady, the UCU general secretary, said ..."    appositives between name and verb
    "According to ICE, ..."  "..., according to the Rhodium Group, a research firm."
    "Mugabe's spokesman said"  "a spokesperson for the UCEA said"   (the claimant is the
                                                                    body the spokesperson
                                                                    speaks for)

Quotations are masked first, so words inside a quote ("as stated in the ransom note") never
attribute anything. The name is kept as the sentence writes it, minus leading role words and
honorifics: "Tunisian Prime Minister Habib Essid" -> "Habib Essid", "Mr. Reeves" -> "Reeves",
"President Trump" -> "Trump" (a reviewer confirms or completes it; guessing a first name would
be worse than leaving it off). Unnamed or generic speakers ("officials said", "a source told
Reuters", "American officials", "researchers") give None: a claimant must be someone.

References are resolved from the sentence before only where that is simple: "he"/"she" to the
person that sentence attributes (or that it opens with: "Fiona Parry issued a plea..."), "it"
and "they" to the organisation it attributes, "the president" to the name that sentence gave
the title "President", and a sentence that is all quotation to whoever the sentence before
quoted. Anything else is None.

kind is "organization" for acronyms (ICE, WHO, UCEA), names with an organisation word
(Ministry, Police, Council, Corp, ...) or a leading "the" ("the Rhodium Group"), else "person".
Measured on 150 hand-labelled sentences of the news set (tests/extraction/data/attribution.tsv,
tests/extraction/test_attribution.py): precision 1.00, recall 0.83, kind right for 83 of 85. The
rules were written while reading those articles, so the figures flatter them.
"""

import bisect
import re
from dataclasses import dataclass, field

PERSON = "person"
ORGANIZATION = "organization"  # the values of claims.models.ClaimantKind

# Verbs that attribute whatever follows them ("X said the tablets were ...").
_SPEECH_VERBS = (
    "said says say told tells added adds argued argues stated wrote writes tweeted posted"
    " quipped testified explained"
)
# Verbs that also take plain objects ("claimed responsibility", "announced a deal"): they
# attribute only before "that", a colon or a quotation, or at the end of the clause.
_THAT_VERBS = (
    "claimed claims insisted insists warned warns announced announces noted predicted predicts"
    " estimated estimates confirmed acknowledged admitted alleged asserted declared maintained"
    " reported"
)
_VERB = re.compile(rf"\b(?:{'|'.join((_SPEECH_VERBS + ' ' + _THAT_VERBS).split())})\b")
_THAT_VERB_SET = frozenset(_THAT_VERBS.split())
_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+")

# A word (with inner apostrophes, hyphens, dots of initials) or one punctuation mark.
_APOSTROPHES = "'\u2019"
_TOKEN = re.compile(rf"\w[\w{_APOSTROPHES}\-.]*|[^\w\s]")
_POSSESSIVE = re.compile(rf"[{_APOSTROPHES}]s$")

_OPEN_QUOTES = "“«"
_CLOSE_QUOTES = "”»"
_MASK = "\u2591"  # stands in for quoted text: neither a word nor punctuation we read

# Small words inside a name: "Immigration and Customs Enforcement", "Bank of England".
_CONNECTORS = frozenset(
    "of and for de da del della di du van von der den al bin ibn la le & on in".split()
)
# Stop the backward walk but may be skipped between a name and its verb ("X also said").
_SKIPPABLE = frozenset(
    "also later previously recently earlier again repeatedly publicly then now once first"
    " further reportedly has have had was were is would will".split()
)
_WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday yesterday today".split()
)
# Capitalised at a sentence's start, never the first word of a name.
_LEADING_NOISE = frozenset(
    "but and so yet still however meanwhile now then also instead later earlier asked"
    " separately indeed moreover furthermore finally today yesterday in on at after before"
    " when while if as since by for from with without although though because here there"
    " last this that perhaps".split()
)
_PRONOUNS = frozenset("he she it they".split())
_NOT_A_CLAIMANT = frozenset("i we you that this these those who which there what".split())
_DETERMINERS = frozenset("the a an".split())
_POSSESSIVE_PRONOUNS = frozenset("his her its their our my your".split())

# Unnamed or generic speakers: stripped from the end of a name ("Obama administration
# officials" -> "Obama administration"); alone, they name nobody.
_GROUP_NOUNS = frozenset(
    "official officials spokesman spokeswoman spokesperson spokespeople source sources"
    " representative representatives aide aides staff researchers experts analysts"
    " authorities leaders lawmakers members employees workers executives investigators"
    " prosecutors critics witnesses residents users others people observers activists"
    " scientists doctors officers lawyers reports studies data".split()
)
# Lowercase nouns that end an organisation's name: "West Mercia police", "the Trump
# administration".
_TRAILING_NOUNS = _GROUP_NOUNS | frozenset(
    "police government administration ministry military army party campaign team office"
    " company group agency council committee commission".split()
)
_ORGANIZATION_WORDS = frozenset(
    "ministry department agency police party inc inc. company corp corp. corporation"
    " university government office commission council bank group association institute"
    " administration service services committee court organization organisation foundation"
    " center centre database network union authority board army military forces federation"
    " fund league society trust coalition alliance bureau senate congress parliament house"
    " kremlin pentagon enforcement cabinet embassy navy ltd ltd. llc plc co co. times post"
    " news journal press reuters international agencies conference secretariat programme"
    " program tribunal school college hospital club institution"
    " observatory laboratory motors airlines airways industries technologies systems holdings"
    " partners labs media pharmaceuticals".split()
)
_HONORIFICS = r"mr|mrs|ms|miss|dr|prof|sir|dame|lord|lady"
# Titles before a name, stripped with everything before them ("US President Donald Trump").
_ROLE = re.compile(
    r"(?i)(?<![\w-])(?:(?:attorney|secretary|surgeon)[- ]general|secretary\s+of\s+state"
    r"|(?:vice[- ])?president(?:-elect)?|prime\s+minister|minister|secretary|chancellor"
    r"|premier|governor|gov\.|mayor|senator|sen\.|rep\.|representative|congressman"
    r"|congresswoman|judge|justice|chairman|chairwoman|chair|chief\s+executive|chief"
    r"|executive|ceo|director|spokesman|spokeswoman|spokesperson|leader|editor|correspondent"
    r"|reporter|professor|ambassador|envoy|commissioner|officer|inspector|sergeant|captain"
    r"|colonel|lieutenant|admiral|king|queen|prince|princess|pope|sheikh|founder|co-founder"
    r"|manager|head|deputy|lawmaker|mp|mep|actress|actor|creator|author|economist|scientist"
    r"|adviser|advisor|coach|candidate|nominee"
    rf"|(?:{_HONORIFICS})\.?)(?![\w-])"
)
_ACRONYM = re.compile(r"[A-Z]{2,}")
# "Tunisian", "American", "British", "Chinese", "French", "US": who, not whom.
_DEMONYM = re.compile(r"(?:[A-Z][a-z]+(?:an|ian|ese|ish|i|ch)|U\.?S\.?|U\.?K\.?|EU)")


@dataclass
class _Found:
    """What one attribution in a sentence says: a name, or a reference to resolve."""

    name: str = ""
    kind: str = PERSON
    roles: set[str] = field(default_factory=set)
    refers_to: str = ""  # "he", "she", "it", "they" or a role ("president")


def suggest_claimant(sentence: str, preceding: str = "") -> tuple[str, str] | None:
    """(name, kind) of whoever the sentence says made its statement, or None."""
    found = _attribution(sentence)
    if found is None:
        if preceding and _wholly_quoted(sentence):
            earlier = _attribution(preceding)
            return (earlier.name, earlier.kind) if earlier and earlier.name else None
        return None
    if found.name:
        return found.name, found.kind
    return _resolve(found.refers_to, preceding) if preceding else None


def _wholly_quoted(sentence: str) -> bool:
    """“It was a big gift to him.” — a quotation carrying on from the sentence before."""
    text = sentence.strip()
    return len(text) > 2 and text[0] in _OPEN_QUOTES + '"' and text[-1] in _CLOSE_QUOTES + '"'


def claimant_kind(name: str, *, determiner: bool = False) -> str:
    """ORGANIZATION when the name looks like one (an acronym, an organisation word, "the
    Rhodium Group"), else PERSON."""
    words = [w.strip(_APOSTROPHES + ".,()").lower() for w in name.split()]
    if determiner or any(w in _ORGANIZATION_WORDS for w in words):
        return ORGANIZATION
    # An acronym (ICE, WHO, UCEA); "J." or "JR" in a person's name are shorter or dotted.
    if any(_ACRONYM.fullmatch(_POSSESSIVE.sub("", w.strip(".,()"))) for w in name.split()):
        return ORGANIZATION
    return PERSON


# --- Finding the attribution ---------------------------------------------------------------


def _attribution(sentence: str) -> _Found | None:
    masked = _mask_quotes(sentence)
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(masked)]
    words = [t for t, _ in tokens]
    for match in _ACCORDING.finditer(masked):
        index = _index_at(tokens, match.end())
        found = _name_forward(words, index)
        if found and found.name:
            return found
    for match in _VERB.finditer(masked):
        index = _index_at(tokens, match.start())
        if match.group() in _THAT_VERB_SET and not _ends_or_opens_a_clause(words, index + 1):
            continue
        found = _name_before(words, index)
        # "“...,” said Stefanko": the verb first. "told Reuters" names the listener.
        if (
            found is None
            and match.group() not in ("told", "tells")
            and index > 0
            and words[index - 1] in (",", *_CLOSE_QUOTES, '"')
        ):
            found = _name_forward(words, index + 1)
        # An unnamed speaker ("who tweeted", "officials said"): another verb may name one.
        if found and (found.name or found.refers_to):
            return found
    return None


def _mask_quotes(sentence: str) -> str:
    """The sentence with quoted words replaced by _MASK (same length, quote marks kept)."""
    if not any(quote in sentence for quote in (*_OPEN_QUOTES, *_CLOSE_QUOTES, '"')):
        return sentence
    out, inside, straight_open = list(sentence), False, False
    # A sentence that closes a quote opened in the sentence before is quoted up to there.
    first_open = min((sentence.find(q) for q in _OPEN_QUOTES if q in sentence), default=-1)
    first_close = min((sentence.find(q) for q in _CLOSE_QUOTES if q in sentence), default=-1)
    if first_close != -1 and (first_open == -1 or first_close < first_open):
        inside = True
    for i, char in enumerate(sentence):
        if char in _OPEN_QUOTES:
            inside = True
        elif char in _CLOSE_QUOTES:
            inside = False
        elif char == '"':
            straight_open = not straight_open
            inside = straight_open
        elif inside and not char.isspace() and not _closes_with_comma(sentence, i):
            out[i] = _MASK
    return "".join(out)


def _closes_with_comma(sentence: str, i: int) -> bool:
    """The comma that ends a quotation ('article "The Case for Colonialism," argued') is left:
    it still ends the phrase the quotation is part of."""
    return sentence[i] == "," and sentence[i + 1 : i + 2] in (*_CLOSE_QUOTES, '"')


def _index_at(tokens: list[tuple[str, int]], offset: int) -> int:
    """The index of the first token starting at or after `offset`."""
    return bisect.bisect_left(tokens, offset, key=lambda token: token[1])


def _ends_or_opens_a_clause(words: list[str], index: int) -> bool:
    if index >= len(words):
        return True
    following = words[index]
    return following in ("that", ":", ",", ".", ";", '"') or following[0] in (_OPEN_QUOTES + _MASK)


def _is_capitalised(word: str) -> bool:
    """ "Obama", "G40"; not "the", "42"."""
    return (word[0].isupper() and word[0].isalpha()) or (word[0].isdigit() and word[-1].isupper())


def _speaker_end(words: list[str], verb: int) -> int:
    """Where the speaker before the verb at `verb` ends: past skippable words and a time
    ("Microsoft on Thursday said", "X in 2017 said")."""
    end = verb
    while end > 0 and words[end - 1].lower() in _SKIPPABLE:
        end -= 1
    if (
        end >= 2
        and words[end - 2] in ("on", "in")
        and (words[end - 1].lower() in _WEEKDAYS or words[end - 1].isdigit())
    ):
        end -= 2
    return end


def _name_before(words: list[str], verb: int) -> _Found | None:
    """The name just before the verb at `verb`, walking back over the words."""
    end = _speaker_end(words, verb)
    if end == 0:
        return None
    before = words[end - 1]
    if before.lower() in _ROLE_WORDS_ALONE and end >= 2 and words[end - 2].lower() == "the":
        return _Found(refers_to=before.lower())  # "the president wrote"
    if before.lower() in _PRONOUNS:
        return _Found(refers_to=before.lower())
    if before.lower() in _NOT_A_CLAIMANT and before != "WHO":
        return _Found()
    if before == ",":
        return _name_behind_appositives(words, end - 1)
    if before in (*_CLOSE_QUOTES, '"') and end >= 2 and words[end - 2] == ",":
        return _name_behind_appositives(words, end - 2)
    phrase, determiner, start = _collect_backward(words, end)
    if not phrase:
        return None
    if start > 0 and words[start - 1].lower() in _POSSESSIVE_PRONOUNS:
        return _Found()  # "his spokesman said": whose, the sentence does not say
    return _finish(phrase, determiner=determiner)


# "the president", "the minister": a reference to a title given in the sentence before.
_ROLE_WORDS_ALONE = frozenset(
    "president minister secretary governor mayor senator chancellor premier judge".split()
)


def _collect_backward(words: list[str], end: int) -> tuple[list[str], bool, int]:
    """Name words ending at `end` (exclusive): (words, whether "the" led them, start index)."""
    phrase: list[str] = []
    index = end
    # "(UCEA) said": an acronym in brackets after a name belongs to it, and is left out.
    if index >= 3 and words[index - 1] == ")" and words[index - 3] == "(":
        index -= 3
    while index > 0:
        word = words[index - 1]
        lower = word.lower()
        # Lowercase nouns only at the end ("West Mercia police"), small words only inside.
        trailing = lower in _TRAILING_NOUNS and all(w.lower() in _TRAILING_NOUNS for w in phrase)
        if (
            trailing
            or (_is_capitalised(word) and lower not in _DETERMINERS)
            or (phrase and word in _CONNECTORS)
        ):
            phrase.insert(0, word)
        elif lower in _DETERMINERS:
            # "Office of the President": an inner "the"; otherwise it leads the name.
            if index >= 2 and words[index - 2].lower() == "of" and phrase:
                phrase.insert(0, word)
            else:
                while phrase and phrase[0] in _CONNECTORS | _DETERMINERS:
                    phrase.pop(0)
                return phrase, bool(phrase), index - 1
        else:
            break
        index -= 1
    while phrase and phrase[0] in _CONNECTORS | _DETERMINERS:
        phrase.pop(0)
        index += 1
    return phrase, False, index


def _name_behind_appositives(words: list[str], comma: int) -> _Found | None:
    """'Jo Grady, the UCU general secretary, said': skip the appositives back to the name."""
    start = comma
    while start > 0 and words[start - 1] not in (";", ":", "\u2014", "\u2013"):
        start -= 1
    segments, current = [], []
    for word in words[start:comma]:
        if word == ",":
            segments.append(current)
            current = []
        else:
            current.append(word)
    segments.append(current)
    for segment in reversed(segments):
        # '“...,” Alberto Shiguematsu, a São Paulo resident, said': after the quotation.
        quoted = [
            i for i, w in enumerate(segment) if w in (_MASK, '"', *_OPEN_QUOTES, *_CLOSE_QUOTES)
        ]
        if quoted and segment[0] in (_MASK, '"', *_OPEN_QUOTES, *_CLOSE_QUOTES):
            segment = segment[quoted[-1] + 1 :]
        if not segment:
            continue
        first = segment[0]
        if first.lower() in _DETERMINERS | _POSSESSIVE_PRONOUNS or not _is_capitalised(first):
            continue  # "the UCU general secretary", "who is supporting the report"
        phrase, determiner, at = _collect_backward(segment, len(segment))
        while phrase and phrase[0].lower() in _LEADING_NOISE:
            phrase.pop(0)
            at += 1
        if at != 0 or not phrase:
            return None  # a clause, not a name: "The G40 figures are cabinet ministers ..."
        return _finish(phrase, determiner=determiner)
    return None


def _name_forward(words: list[str], index: int) -> _Found | None:
    """The name starting at `index`: after "according to", or after a verb that comes first
    ('“...,” said chief inspector Jennifer Mattinson from the West Mercia police')."""
    determiner = False
    if index < len(words) and words[index].lower() in _DETERMINERS:
        determiner = True
        index += 1
    roles = set()
    while (
        index < len(words) and not _is_capitalised(words[index]) and _ROLE.fullmatch(words[index])
    ):
        roles.add(words[index].lower())
        index += 1
    phrase: list[str] = []
    while index < len(words):
        word = words[index]
        if _is_capitalised(word):
            phrase.append(word)
            if word.endswith(".") and not _keeps_its_dot(word):
                break
        elif phrase and word in _CONNECTORS | {"the"}:
            phrase.append(word)
        elif word == "(" and index + 2 < len(words) and words[index + 2] == ")":
            index += 3
            continue
        else:
            break
        index += 1
    while phrase and phrase[-1] in _CONNECTORS | {"the"}:
        phrase.pop()
    if not phrase:
        return None
    found = _finish(phrase, determiner=determiner)
    if found:
        found.roles |= roles
    return found


def _keeps_its_dot(word: str) -> bool:
    """Initials and abbreviations ("J.", "Mr.", "Corp.") keep their dot inside a name."""
    return len(word) <= 2 or bool(
        re.fullmatch(rf"(?i)(?:{_HONORIFICS}|corp|inc|co|jr|sr|st)\.", word)
    )


def _finish(phrase: list[str], *, determiner: bool) -> _Found | None:
    """Tidy the name words into a claimant: roles, honorifics and generic words off."""
    phrase = [w.rstrip(".") if not _keeps_its_dot(w) else w for w in phrase]
    while phrase and phrase[0].lower() in _LEADING_NOISE and len(phrase) > 1:
        phrase.pop(0)
    grouped = False
    while phrase and phrase[-1].lower() in _GROUP_NOUNS:
        phrase.pop()
        grouped = True
    if not phrase or all(w.lower() in _GROUP_NOUNS | _TRAILING_NOUNS for w in phrase):
        return _Found()
    if grouped and all(_DEMONYM.fullmatch(w) for w in phrase):
        return _Found()  # "American officials said"
    text = " ".join(phrase)
    roles = set()
    last_role = None
    for match in _ROLE.finditer(text):
        last_role = match
    if last_role:
        rest = text[last_role.end() :].strip()
        if rest and _is_capitalised(rest) and claimant_kind(rest) == PERSON:
            roles = {m.group().lower().rstrip(".") for m in _ROLE.finditer(text)}
            text = rest
    # "Mugabe's spokesman said" -> "Mugabe"; "Brazil's National Institute ..." stays whole.
    if grouped and _POSSESSIVE.search(text):
        text = text[:-2]
    if text.lower() in _PRONOUNS | _NOT_A_CLAIMANT and not text.isupper():  # "WHO" is a name
        return _Found(refers_to=text.lower() if text.lower() in _PRONOUNS else "")
    return _Found(name=text, kind=claimant_kind(text, determiner=determiner), roles=roles)


# --- References to the sentence before -----------------------------------------------------


def _resolve(reference: str, preceding: str) -> tuple[str, str] | None:
    earlier = _attribution(preceding)
    if earlier and earlier.name:
        if reference in ("he", "she") and earlier.kind == PERSON:
            return earlier.name, earlier.kind
        if reference in ("it", "they") and earlier.kind == ORGANIZATION:
            return earlier.name, earlier.kind
        if reference in earlier.roles:
            return earlier.name, earlier.kind
        return None
    if reference in ("he", "she") and earlier is None:
        lead = _leading_person(preceding)
        if lead:
            return lead, PERSON
    return None


def _leading_person(sentence: str) -> str:
    """The full name a sentence opens with ("Fiona Parry issued a plea ..."), or ""."""
    words = [m.group() for m in _TOKEN.finditer(_mask_quotes(sentence))]
    phrase = []
    for word in words:
        if _is_capitalised(word) and word.lower() not in _LEADING_NOISE | _DETERMINERS:
            phrase.append(word)
        else:
            break
    # Needs a verb-like next word, and two words of name or an honorific and a surname.
    rest = words[len(phrase) :]
    if not rest or not rest[0][0].islower() or rest[0] in _CONNECTORS or len(phrase) < 2:
        return ""
    if any(_POSSESSIVE.search(w) for w in phrase):
        return ""  # "Phoenix's terrifying performance"
    found = _finish(phrase, determiner=False)
    return found.name if found and found.name and found.kind == PERSON else ""


# --- A short restatement for claimReviewed -------------------------------------------------

# Words that open a sentence without adding to its claim ("However, ...", "But ...").
_DISCOURSE = re.compile(
    r"^(?:(?:but|and)\s+|(?:however|meanwhile|moreover|furthermore|indeed|still|yet|so|also"
    r"|separately|that said|(?:perhaps\s+)?(?:surprisingly|interestingly|notably|importantly"
    r"|crucially))\s*,\s*)",
    re.IGNORECASE,
)
_DATELINE = re.compile(r"^[A-Z][A-Z.]+(?:\s+[A-Z][A-Z.]+)*\s*[\u2014\u2013-]+\s+")
# First words of an introductory phrase that may go with the attribution after it
# ("On Friday, ICE said ...", "Speaking from a stage ..., Satya Nadella said ...").
_PREAMBLE_STARTS = frozenset(
    "in on at after before when while during speaking talking soon last earlier later asked"
    " however but and meanwhile separately".split()
)
_TIME_WORDS = _WEEKDAYS | frozenset("backstage week month year morning night".split())
# Words that cannot open what someone said ("stated to ...", "said to laughter").
_NOT_CONTENT_START = frozenset("to of in on at for with by about from as and or but".split())
_TAIL_WORDS = frozenset("late over after before during earlier later".split())
# "... were legitimate but insisted progress had been made": a second attribution.
_SECOND_VERB = re.compile(rf"\b(?:but|and)\s+{_VERB.pattern}")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NEGATION = re.compile(r"(?i)\b(?:not|no|never|cannot|nor)\b|n['\u2019]t\b")
_QUOTES = _OPEN_QUOTES + _CLOSE_QUOTES + '"'
_BOUNDARIES = (",", *_CLOSE_QUOTES, '"')
# ", a research firm that crunches numbers," / ", who is supporting the report,": dropped
# only when they hold no name, number or negation and a verb follows them.
_ASIDE = re.compile(
    r"(?<=[a-z])(?P<name>\s[A-Z][\w'\u2019.-]*),\s+(?:(?:a|an|the)\s+[a-z]|(?:who|which)\s)"
    r"[^,()\"\u201c\u201dA-Z0-9]{0,80},\s+(?=[a-z])(?!(?:who|which|and|or|but)\b)"
)
_PARENTHESES = re.compile(r"\s*\([^()]{1,60}\)")


def restatement(sentence: str) -> str:
    """A short restatement of the sentence's claim, for claimReviewed: the sentence without
    its attribution ("..., the minister said", "According to ICE, ...", "Trump said that
    ..."), quotation marks, trailing punctuation, opening discourse words ("But", "However,")
    and asides (brackets, ", a research firm,"), with its first letter capitalised.

    Only ever deletes words: each step is kept only if every number and negation of the
    sentence survives it, so a claim is shortened, never changed. It does not cut to a length:
    a restatement still over ~75 characters is left whole for the reviewer to rewrite.
    """
    original = " ".join(sentence.split())
    text = original
    for step in (
        _without_dateline,
        _without_attribution,
        _without_attribution,  # "According to a blog post, the Institute predicts that ..."
        _without_discourse,
        _without_parentheses,
        _without_asides,
        _tidied,
        _without_discourse,
    ):
        candidate = step(text)
        if candidate != text and len(candidate.split()) >= 2 and _keeps_facts(original, candidate):
            text = candidate
    return _capitalised(_tidied(text)) if text else ""


def _keeps_facts(original: str, candidate: str) -> bool:
    """Every number and negation of the original is still in the candidate."""
    return all(
        sorted(pattern.findall(candidate.lower())) == sorted(pattern.findall(original.lower()))
        for pattern in (_NUMBER, _NEGATION)
    )


def _without_dateline(text: str) -> str:
    return _DATELINE.sub("", text, count=1)


def _without_discourse(text: str) -> str:
    return _DISCOURSE.sub("", text, count=1)


def _without_parentheses(text: str) -> str:
    """ "the Universities and Colleges Employers' Association (UCEA) said": the bracket goes."""
    return _PARENTHESES.sub("", text)


def _without_asides(text: str) -> str:
    return _ASIDE.sub(lambda match: match["name"] + " ", text)


def _tidied(text: str) -> str:
    """Without surrounding quotation marks and trailing punctuation."""
    previous = None
    while text != previous:
        previous = text
        text = text.strip().rstrip(".,;:!\u2014\u2013- ").lstrip(",;: ")
        if len(text) > 1 and text[-1] in _CLOSE_QUOTES + '"' and text[-2] in ".,;:!":
            text = text[:-2] + text[-1]
        marks = [i for i, char in enumerate(text) if char in _QUOTES]
        if marks == [0] and text[0] in _OPEN_QUOTES + '"':
            text = text[1:]  # the quotation's close went with the attribution
        elif marks == [len(text) - 1] and text[-1] in _CLOSE_QUOTES + '"':
            text = text[:-1]
        elif marks == [0, len(text) - 1] and text[0] in _OPEN_QUOTES + '"':
            text = text[1:-1]
    return text


def _capitalised(text: str) -> str:
    """First letter upper case, unless its word has capitals of its own ("iPhone")."""
    for i, char in enumerate(text):
        if char in _QUOTES + "([":
            continue
        word = text[i:].split(" ", 1)[0]
        if char.islower() and not any(c.isupper() for c in word):
            return text[:i] + char.upper() + text[i + 1 :]
        return text
    return text


def _without_attribution(text: str) -> str:
    """The text without the clause that attributes it, or the text itself when it has none
    that can be taken off cleanly."""
    masked = _mask_quotes(text)
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(masked)]
    found = _without_according(text, masked)
    if found is None:
        verbs = [_index_at(tokens, m.start()) for m in _VERB.finditer(masked)]
        found = _without_trailing(text, tokens, verbs) or _without_leading(text, tokens, verbs)
    if found is None or len(found.split()) < 3:
        return text
    return _tidied(found)


def _without_according(text: str, masked: str) -> str | None:
    """ "According to ICE, ...", "..., according to X[, an industry body].", "This, according
    to Della, does ..." """
    for match in _ACCORDING.finditer(masked):
        before = masked[: match.start()].rstrip()
        if not before or _DISCOURSE.fullmatch(text[: match.start()]):
            comma = re.compile(r",\s").search(masked, match.end())
            if comma and len(masked[match.end() : comma.start()].split()) <= 10:
                return text[comma.end() :]
            continue
        if before[-1] not in ",\u2014\u2013":
            continue
        start = len(before) - 1
        close = re.compile(r",\s|\s[\u2014\u2013]\s").search(masked, match.end())
        if close is None:
            return text[:start]
        rest = masked[close.end() :]
        if masked[close.start()] == "," and re.match(r"(?:a|an|the)\s", rest) and "," not in rest:
            return text[:start]  # "..., according to the Rhodium Group, a research firm ..."
        return text[:start].rstrip() + " " + text[close.end() :]
    return None


def _without_trailing(text: str, tokens: list, verbs: list[int]) -> str | None:
    """ "..., Trump said.", "“...,” said Lukas Stefanko with ESET.", "It's easy, she says, for
    people to ..." """
    words = [t for t, _ in tokens]
    for verb in reversed(verbs):
        word = words[verb]
        tail = words[verb + 1 :]
        if word in _THAT_VERB_SET and not _ends_or_opens_a_clause(words, verb + 1):
            continue
        start = _subject_start(words, verb)
        # The verb first, after the quotation: '“...,” said X', "..., says a report ...".
        if start is None and verb > 0 and words[verb - 1] in _BOUNDARIES and _speaker_first(tail):
            return _up_to(text, tokens, verb - 1)
        if start is None or start == 0 or words[start - 1] not in _BOUNDARIES:
            continue
        content = _up_to(text, tokens, start - 1)
        # "It's easy, she says, for people to marvel ...": the attribution is inside.
        if (
            len(tail) > 2
            and tail[0] == ","
            and tail[1][0].islower()
            and not tail[1].endswith("ing")
            and words[start - 1] == ","
            and len(content.split()) >= 2
        ):
            return content.rstrip(" ,") + " " + text[tokens[verb + 2][1] :]
        if word in ("told", "tells"):
            tail = tail[_listener_length(tail) :]  # "told Reuters", "told the Washington Post"
        if len(content.split()) >= 3 and _ends_the_sentence(tail):
            return content
    return None


def _up_to(text: str, tokens: list, boundary: int) -> str:
    """The text before the boundary token; a closing quotation mark stays with it."""
    word, offset = tokens[boundary]
    return text[: offset + 1] if word in (*_CLOSE_QUOTES, '"') else text[:offset]


def _speaker_first(tail: list[str]) -> bool:
    """ "said Della.", "says president David Weisbrot", "says a report", "said researchers"."""
    if not tail:
        return False
    first = tail[0].rstrip(".")
    return (
        _is_capitalised(first)
        or first in _DETERMINERS
        or first.lower() in _GROUP_NOUNS
        or bool(_ROLE.fullmatch(first))
    )


def _listener_length(tail: list[str]) -> int:
    index = 1 if tail and tail[0] in _DETERMINERS else 0
    while index < len(tail) and _is_capitalised(tail[index]):
        index += 1
    return index if index > 0 and (index > 1 or tail[0] not in _DETERMINERS) else 0


def _ends_the_sentence(tail: list[str]) -> bool:
    """What follows the attribution verb adds no statement: nothing, ", adding ...", or "on
    Sunday", "in a statement yesterday", "of his role"."""
    if not tail or tail[0] == ".":
        return True
    if tail[0] == ",":
        return len(tail) == 1 or tail[1].endswith("ing")  # ", adding ...", ", referring to ..."
    clause = tail[: tail.index(",")] if "," in tail else tail
    return tail[0].lower() in _NOT_CONTENT_START | _TIME_WORDS | _TAIL_WORDS and not any(
        w in ("that", ":", _MASK, *_OPEN_QUOTES, '"') for w in clause
    )


def _without_leading(text: str, tokens: list, verbs: list[int]) -> str | None:
    """ "Trump said (that) ...", "On Friday, ICE said it had ...", "She added: “...”" """
    words = [t for t, _ in tokens]
    for verb in verbs:
        start = _subject_start(words, verb)
        if start is None:
            continue
        if not _is_preamble(words[:start]):
            return None
        after = _content_index(words, verb)
        if after is None or after >= len(words):
            return None
        introduced = words[after - 1] in ("that", ":")
        opens_quote = words[after] in (*_OPEN_QUOTES, '"', _MASK)
        if words[verb] in _THAT_VERB_SET and not (introduced or opens_quote):
            return None
        bad_start = words[after].lower() in _NOT_CONTENT_START or not words[after][0].isalnum()
        if bad_start and not (introduced or opens_quote):
            return None
        content = text[tokens[after][1] :]
        return None if _SECOND_VERB.search(_mask_quotes(content)) else content
    return None


def _content_index(words: list[str], verb: int) -> int | None:
    """Where what was said starts after the verb at `verb`: past "that", a colon, "told
    Reuters that", and "on Thursday", "in an email", "backstage"."""
    index = verb + 1
    if words[verb] in ("told", "tells"):
        following = words[index : index + 6]
        return index + following.index("that") + 1 if "that" in following else None
    while index < len(words):
        word = words[index].lower()
        if word in _TIME_WORDS:
            index += 1
        elif (
            word in ("on", "late", "last", "this")
            and index + 1 < len(words)
            and (words[index + 1].lower() in _TIME_WORDS)
        ):
            index += 2
        elif word == "in" and index + 1 < len(words) and words[index + 1] in ("a", "an"):
            ahead = words[index : index + 10]
            ends = [i for i, w in enumerate(ahead) if w in ("that", ":")]
            stops = [i for i, w in enumerate(ahead) if w in (",", _MASK, *_OPEN_QUOTES)]
            if not ends or (stops and stops[0] < ends[0]):
                return None
            index += ends[0]
        else:
            break
    if index < len(words) and words[index] in ("that", ":"):
        index += 1
    return index


def _is_preamble(words: list[str]) -> bool:
    """What comes before the speaker may go with the attribution: nothing, "But", or an
    introductory phrase ("On Friday,", "In an interview with the BBC,")."""
    if not words:
        return True
    if _DISCOURSE.fullmatch(" ".join(words).replace(" ,", ",") + " "):
        return True
    return words[-1] == "," and words[0].lower() in _PREAMBLE_STARTS and _MASK not in words


def _subject_start(words: list[str], verb: int) -> int | None:
    """Where the speaker of the verb at `verb` starts ("the minister", "Jo Grady, the UCU
    general secretary,", "a spokesperson for the UCEA"), or None when it is not one."""
    end = _speaker_end(words, verb)
    if end == 0:
        return None
    before = words[end - 1]
    if before.lower() in _PRONOUNS:
        return end - 1
    if before.lower() in _NOT_A_CLAIMANT and before != "WHO":
        return None
    if before.lower() in _ROLE_WORDS_ALONE and end >= 2 and words[end - 2].lower() == "the":
        return end - 2
    if before == ",":
        return _appositive_subject(words, end - 1)
    return _name_start(words, end)


def _name_start(words: list[str], end: int) -> int | None:
    phrase, _, start = _collect_backward(words, end)
    if not phrase or phrase[0].lower() in _NOT_A_CLAIMANT:
        return None
    if all(w.lower() in _GROUP_NOUNS for w in phrase):
        # "a senior political source": lowercase words between the article and the noun.
        back = start
        while back > 0 and start - back < 3 and words[back - 1].isalpha():
            if words[back - 1].lower() in _DETERMINERS:
                return back - 1
            if not words[back - 1].islower():
                break
            back -= 1
    while start > 0:
        previous = words[start - 1]
        if previous.lower() in _POSSESSIVE_PRONOUNS | _DETERMINERS:
            return start - 1  # "his spokesman", "a source"
        if not _is_capitalised(previous) and _ROLE.fullmatch(previous):
            start -= 1  # "“Parasite” director Bong Joon Ho", "the BBC's editor Jon Sopel"
            if start > 0 and words[start - 1] in _CLOSE_QUOTES:
                opens = [i for i in range(start - 1) if words[i] in _OPEN_QUOTES]
                start = opens[-1] if opens else start
            more, _, earlier = _collect_backward(words, start)
            start = earlier if more else start
            continue
        if (
            start >= 2
            and previous in ("for", "of", "at", "from")
            and words[start - 2].lower() in _GROUP_NOUNS
        ):
            start -= 2  # "a spokesperson for the Universities and Colleges ..."
            continue
        break
    return start


def _appositive_subject(words: list[str], comma: int) -> int | None:
    """The speaker before appositives: 'Jo Grady, the UCU general secretary, said',
    '“...,” her mother, Fiona, said'."""
    end = comma
    for _ in range(3):
        start = end
        while start > 0 and words[start - 1] not in (*_BOUNDARIES, ";", ":", "\u2014", _MASK):
            start -= 1
        if start == end:
            return None
        if _name_start(words, end) == start:
            earlier = _earlier_name(words, start)
            return earlier if earlier is not None else start
        if start == 0 or words[start - 1] != ",":
            return None
        end = start - 1  # an appositive: "the UCU general secretary", "who is supporting ..."
    return None


def _earlier_name(words: list[str], start: int) -> int | None:
    """'Chi Onwurah, the Labour MP for Newcastle Central,': the name before an appositive that
    reads like one; '“...,” her mother, Fiona,': the relation before the name."""
    if start == 0 or words[start - 1] != ",":
        return None
    end = start - 1
    begin = end
    while begin > 0 and words[begin - 1] not in (*_BOUNDARIES, ";", ":", "\u2014", _MASK):
        begin -= 1
    segment = words[begin:end]
    if not segment or len(segment) > 4:
        return None
    if segment[0].lower() in _POSSESSIVE_PRONOUNS and begin > 0:
        return begin
    if words[start].lower() in _DETERMINERS and _name_start(words, end) == begin:
        return begin
    return None
