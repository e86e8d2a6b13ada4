"""Article text and metadata from an HTML document, for uploads and fetched pages alike.

trafilatura finds the main text and the byline; when it finds nothing (a bare fragment, a
page that is all navigation) we fall back to the visible text of the whole document, so a
short but real page isn't refused.
"""

import copy
import datetime
import re
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import Document

from claims.ingest.text import (
    ExtractedArticle,
    IngestError,
    make_article,
    real_author,
    real_title,
    title_without_outlet,
)

# The HTML parser never loads DTDs or external entities; no_network makes that explicit.
_PARSER = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)

# lxml refuses a str that still carries an XML encoding declaration (XHTML does).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)

# Never part of the readable text, and script contents must not reach the claim extractor.
_INVISIBLE = "//script | //style | //noscript | //template | //head | //svg | //iframe | //object"
# Elements that start a new line when a browser renders them.
# fmt: off
_BLOCKS = (
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "table", "td", "th", "tr", "ul",
)
# fmt: on


def sniff_charset(data: bytes) -> str | None:
    """The charset a document declares in a `<meta>` tag near its start, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def extract_html(html: str, *, url: str = "") -> ExtractedArticle:
    """Main text and metadata of an HTML document; `url` is recorded, never fetched.

    What the page says about itself comes first, then what trafilatura finds: the title from
    og:title, <title> or the first <h1> (less the outlet's name the site appends), the author
    from meta name=author, article:author or the byline, the date from
    article:published_time, meta date or <time datetime>, the outlet from og:site_name. A page
    without `url` (an uploaded file) gets its canonical address (<link rel=canonical>, else
    og:url), http(s) only.
    """
    tree = _parse(html)
    # None when trafilatura finds no article; an empty Document keeps the code below simple.
    document = (
        trafilatura.bare_extraction(
            tree, url=url or None, with_metadata=True, include_comments=False
        )
        or Document()
    )
    # bare_extraction works on copies, so `tree` is still whole for the fallback.
    text = document.text if document.text and document.text.strip() else _visible_text(tree)
    address = url or canonical_url(tree)
    outlet = _meta(tree, "og:site_name") or document.sitename or ""
    # A placeholder ("Untitled") gives way to the next title the page has.
    candidates = (_meta(tree, "og:title"), _page_title(tree), _first_heading(tree), document.title)
    title = next((found for found in map(real_title, candidates) if found), "")
    return make_article(
        text,
        title=title_without_outlet(title, outlet, urlsplit(address).hostname or ""),
        author=(
            real_author(_meta(tree, "author"))
            or real_author(_meta(tree, "article:author"))
            or real_author(document.author or "")
        ),
        outlet=outlet,
        published=_page_date(tree) or _parse_date(document.date),
        url=address,
    )


def canonical_url(tree: lxml.html.HtmlElement) -> str:
    """The address the page gives as its own: <link rel=canonical>, else og:url; http(s) only,
    and never one inside a network (loopback, private, local names) or with a login: the file
    is not proof of anything, and the address becomes a link and ClaimReview's appearance."""
    from claims.ingest.fetch import validate_public_url  # fetch.py imports this module

    links = tree.xpath("//link[@href]")
    canonical = [
        link.get("href") for link in links if "canonical" in (link.get("rel") or "").lower().split()
    ]
    for candidate in (*canonical, _meta(tree, "og:url")):
        address = (candidate or "").strip()
        if (
            address.lower().startswith(("http://", "https://"))
            and len(address) <= 2000
            and not any(char.isspace() for char in address)
            and _is_public(address, validate_public_url)
        ):
            return address
    return ""


def _is_public(address: str, validate) -> bool:
    try:
        validate(address)
    except IngestError:
        return False
    return True


def _meta(tree: lxml.html.HtmlElement, name: str) -> str:
    """The content of <meta property=name> or <meta name=name>, if any."""
    for meta in tree.iter("meta"):
        if name in ((meta.get("property") or "").lower(), (meta.get("name") or "").lower()):
            content = (meta.get("content") or "").strip()
            if content:
                return content
    return ""


def _first_heading(tree: lxml.html.HtmlElement) -> str:
    heading = tree.find(".//h1")
    return heading.text_content() if heading is not None else ""


def _page_date(tree: lxml.html.HtmlElement) -> datetime.date | None:
    for name in ("article:published_time", "date", "dc.date", "pubdate"):
        if found := _parse_date(_meta(tree, name)):
            return found
    time = tree.find(".//time[@datetime]")
    return _parse_date(time.get("datetime")) if time is not None else None


def _parse(html: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", html), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        # Only an empty document gets here; make_article gives the user-facing message.
        return lxml.html.document_fromstring("<html></html>", parser=_PARSER)


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    tree = copy.deepcopy(tree)
    for element in tree.xpath(_INVISIBLE):
        element.drop_tree()
    # text_content() runs blocks together ("end.Next"); a newline after each keeps them apart.
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return tree.text_content()


def _page_title(tree: lxml.html.HtmlElement) -> str:
    return tree.findtext(".//title") or ""


def _parse_date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None
