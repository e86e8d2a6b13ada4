"""Plain-text building blocks shared by file uploads and fetched pages.

Everything that reaches the claim extractor passes through here: bytes are decoded without
guessing wildly, text is normalised the same way whatever its source, and the result is
wrapped in an `ExtractedArticle`. Failures raise `IngestError`, whose message is written for
the fact-checker who sees it under the form field.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

# Well beyond any real article; a limit so one upload can't swamp the extractor.
MAX_TEXT_CHARS = 1_000_000

TEXT_TOO_LONG = (
    f"The text is too long to check (more than {MAX_TEXT_CHARS:,} characters). "
    "Split it into smaller parts."
)

# Titles and bylines from untrusted pages are display strings, not documents.
MAX_METADATA_CHARS = 500

# UTF-16 needs its BOM: without one, we can't tell its byte order from binary junk.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# Labels that browsers treat as windows-1252 anyway (WHATWG Encoding Standard).
_CP1252_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"}

# C0 controls except tab and newline (carriage returns are converted before this runs),
# DEL and the C1 block: none of them carry meaning in an article.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same, less the ones that do turn up in real text files (form feed, carriage return).
_BINARY_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BLANK_LINE_RUN = re.compile(r"\n{3,}")

# Share of control characters above which decoded "text" is really binary data.
_MAX_CONTROL_RATIO = 0.01
# Real Western European text is mostly ASCII; binary junk decoded as cp1252 is not.
_MAX_CP1252_NON_ASCII_RATIO = 0.3


class IngestError(Exception):
    """The input can't be turned into article text; the message is shown to the user."""


@dataclass
class ExtractedArticle:
    """Plain text of an article plus whatever metadata its source declared."""

    text: str
    title: str = ""
    author: str = ""
    outlet: str = ""
    published: datetime.date | None = None
    url: str = ""


def normalise_text(text: str) -> str:
    """Return `text` in the one shape the rest of the app expects.

    NFC so that the same word always compares equal; Unix newlines; no control characters
    except tab and newline; no trailing spaces; at most one blank line in a row.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Page breaks and Unicode line separators end a line; they shouldn't glue words together.
    text = re.sub("[\x0b\x0c\u2028\u2029]", "\n", text)
    text = _CONTROL_CHARS.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _BLANK_LINE_RUN.sub("\n\n", text)
    return text.strip()


def make_article(
    text: str,
    *,
    title: str = "",
    author: str = "",
    outlet: str = "",
    published: datetime.date | None = None,
    url: str = "",
) -> ExtractedArticle:
    """Normalise `text`, refuse it if empty or too long, and tidy the metadata."""
    text = normalise_text(text)
    if not text:
        raise IngestError("No readable text was found.")
    if len(text) > MAX_TEXT_CHARS:
        raise IngestError(TEXT_TOO_LONG)
    return ExtractedArticle(
        text=text,
        title=_clean_metadata(title),
        author=_clean_metadata(author),
        outlet=_clean_metadata(outlet),
        published=published,
        url=url,
    )


def format_size(size: int) -> str:
    """A byte count the way a user reads it: "10 MB", "2.5 MB", "300 KB"."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024))} KB"


def decode_text(data: bytes, *, declared_charset: str | None = None, source: str = "file") -> str:
    """Decode bytes that should be text, or raise `IngestError`.

    Order: a byte-order mark, then the charset the source declared, then UTF-8, and last
    windows-1252 — but only when the result still looks like prose, because cp1252 maps
    nearly every byte to something and would turn a binary file into mojibake.
    `source` names the thing in error messages ("file", "page").
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _refuse_binary(data.decode(codec), source)
            except UnicodeDecodeError:
                raise IngestError(_undecodable(source)) from None

    # Without a UTF-16 BOM, a NUL byte means the data isn't text in any encoding we accept.
    if b"\x00" in data:
        raise IngestError(_binary(source))

    for codec in _candidate_codecs(declared_charset):
        try:
            text = data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
        if codec != "cp1252":
            return _refuse_binary(text, source)
        # Checked even when the source declared cp1252: declarations are often wrong.
        if _looks_like_prose(text):
            return text
    raise IngestError(_undecodable(source))


def _candidate_codecs(declared_charset: str | None) -> list[str]:
    codecs = []
    if declared_charset:
        declared = declared_charset.strip().strip("\"'").lower()
        codecs.append("cp1252" if declared in _CP1252_ALIASES else declared)
    codecs += ["utf-8", "cp1252"]
    return list(dict.fromkeys(codecs))


def _refuse_binary(text: str, source: str) -> str:
    if "\x00" in text or _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise IngestError(_binary(source))
    return text


def _looks_like_prose(text: str) -> bool:
    if not text:
        return True
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return (
        _control_ratio(text) <= _MAX_CONTROL_RATIO
        and non_ascii / len(text) <= _MAX_CP1252_NON_ASCII_RATIO
    )


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_BINARY_CONTROL_CHARS.findall(text)) / len(text)


def _clean_metadata(value: str) -> str:
    return " ".join(normalise_text(value or "").split())[:MAX_METADATA_CHARS]


# --- Titles and bylines that programs write, not people --------------------------------------

# "Microsoft Word - budget.docx", "Untitled", python-docx's template: a program's placeholder.
_PLACEHOLDER_TITLE = re.compile(
    r"(?i)(?:untitled(?:\s+document)?|new\s+document|document\s*\d*|title|no\s+title"
    r"|python-docx|generated\s+by\s+python-docx|microsoft\s+(?:word|powerpoint)(?:\s+-\s.*)?"
    r"|word\s+document|powerpoint\s+presentation|presentation\s*\d*|slide\s*\d*"
    r"|page\s*\d+|article\s*\d*|draft|pdf|doc|docx)"
)
# A name glued to its extension: "budget.docx", not a headline that ends "… a .pdf".
_FILE_NAME = re.compile(r"(?i)(?:^|\S)\.(?:docx?|pdf|txt|md|html?|odt|rtf|pages|indd|qxp)$")
_PLACEHOLDER_AUTHOR = re.compile(
    r"(?i)(?:python-docx|microsoft\s+office\s+user|windows\s+user|user|admin(?:istrator)?"
    r"|author|unknown|owner|editor|default)"
)
_LETTERS = re.compile(r"[^\W\d_]{2}")
# A profile address given as the author; "Jane Roe/AP", a wire credit, is a byline.
_ADDRESS = re.compile(r"(?i)(?:https?:|www\.|[\w-]+(?:\.[\w-]+)+/)")
_SENTENCE_END = re.compile(r"[.!?;,]$")


def real_title(value: str) -> str:
    """`value` tidied as a title, or "" when it is a program's placeholder ("Microsoft Word -
    budget.docx", "Untitled", "python-docx"), a file name, or has no word in it."""
    title = _clean_metadata(value)
    if (
        not _LETTERS.search(title)
        or _PLACEHOLDER_TITLE.fullmatch(title)
        or _FILE_NAME.search(title)
    ):
        return ""
    return title


def real_author(value: str) -> str:
    """`value` as a byline, or "" for a placeholder ("python-docx", "Windows User") or an
    address (some pages give a profile URL as their author)."""
    author = _clean_metadata(value)
    if not _LETTERS.search(author) or _PLACEHOLDER_AUTHOR.fullmatch(author):
        return ""
    if _ADDRESS.match(author):
        return ""
    return author


def title_from_first_line(text: str) -> str:
    """The first line of a document, when it reads as a headline: short, no sentence end."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            if len(line) > 150 or _SENTENCE_END.search(line):
                return ""
            return real_title(line)
    return ""


# " | DW | 19.01.2020", " - BBC News", " | Reuters": what sites add after a headline.
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|\u2013|\u2014|\u00b7|\u2022|::)\s+")
_DATE_PART = re.compile(
    r"(?i)(?=.*\d)[\d\s./,-]*(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?)?[\d\s./,-]*"
)
_DOMAIN_ENDING = re.compile(r"(?i)\.(?:com|org|net|co\.uk|co|de|fr|info|news|uk|us|eu)$")


def title_without_outlet(title: str, *outlets: str) -> str:
    """The headline without the outlet's name a site appends to it ("Germany confronts its
    colonial past | DW | 19.01.2020" -> "Germany confronts its colonial past", given the outlet
    "DW" or "DW.COM" or the host "www.dw.com"). Only a trailing part naming one of `outlets`
    is removed (with dates after it); any other title stays exactly as it was."""
    names = [name for outlet in outlets if outlet for name in _outlet_names(outlet)]
    if not names:
        return title
    separators = list(_TITLE_SEPARATOR.finditer(title))
    cut = len(title)
    for separator in reversed(separators):
        part = title[separator.end() : cut]
        if _DATE_PART.fullmatch(part):
            cut = separator.start()
            continue
        if any(_names_outlet(part, name) for name in names):
            return title[: separator.start()].strip() or title
        break
    return title


def _names_outlet(part: str, name: list[str]) -> bool:
    """`part` is the outlet's name, or its name and a section ("CNN Politics"); not a phrase
    that happens to start with it ("Times are changing", given "The Times")."""
    words = re.findall(r"\w+", part)
    if [word.casefold() for word in words[: len(name)]] != name:
        return False
    section = words[len(name) :]
    return len(section) <= 2 and all(word[0].isupper() for word in section)


def _outlet_names(outlet: str) -> list[list[str]]:
    """The ways a title may name the outlet: "The Guardian", "Guardian", "DW.COM", "DW"."""
    outlet = outlet.strip().lower().removeprefix("www.")
    forms = {outlet, _DOMAIN_ENDING.sub("", outlet)}
    forms |= {form.removeprefix("the ") for form in forms}
    return [_words(form) for form in forms if _words(form)]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _binary(source: str) -> str:
    return f"This {source} looks like binary data (such as an image, archive or program), not text."


def _undecodable(source: str) -> str:
    return (
        f"The text of this {source} couldn't be read because its character encoding "
        "wasn't recognised. Save it as UTF-8 and try again."
    )
