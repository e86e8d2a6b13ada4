"""Article text and metadata from an HTML document, for uploads and fetched pages alike.

trafilatura finds the main text and the byline; when it finds nothing (a bare fragment, a
page that is all navigation) we fall back to the visible text of the whole document, so a
short but real page isn't refused.
"""

import copy
import datetime
import re

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import Document

from claims.ingest.text import ExtractedArticle, make_article

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
    """Main text and metadata of an HTML document; `url` is recorded, never fetched."""
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
    return make_article(
        text,
        title=document.title or _page_title(tree),
        author=document.author or "",
        outlet=document.sitename or "",
        published=_parse_date(document.date),
        url=url,
    )


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
