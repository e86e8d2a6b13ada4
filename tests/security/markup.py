"""Reading a rendered page the way a browser's tokenizer does, to find markup that would run.

`parse` turns HTML into a `Page`: every start tag with its attributes (entities decoded, names
lower-cased, as a browser sees them) and the raw text of every <script>. The checks then ask
two kinds of question:

- `live_markup`: things no page of this app may ever contain, whatever data it shows: event
  handler attributes, inline styles, inline script code, `javascript:` URLs, JSON-LD that
  could end its <script> element early.
- `features`: things the app's own templates do use (htmx attributes, <script src>, <meta>,
  <link>...). A page showing hostile data must have no more of them than the same page showing
  harmless data: any extra one came from the data.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that run code, load something or change how the page is read, if data could add one.
# (Form controls are left out: how many a page has depends on its data, e.g. one form per
# sentence. Data that adds one is still caught by `escapes`.)
ACTIVE_TAGS = frozenset(
    "script style svg math img iframe frame frameset object embed applet base link meta "
    "video audio source track template portal".split()
)
# Attributes whose value a browser follows as a URL.
URL_ATTRIBUTES = frozenset(
    "href src action formaction xlink:href data poster background srcdoc srcset "
    "ping cite longdesc manifest".split()
)
# Data, never executed, so the CSP's ban on inline scripts does not concern them.
DATA_SCRIPT_TYPES = frozenset({"application/ld+json", "application/json"})
# The app's own scripts: our static files and Django admin's translation catalogue.
SCRIPT_SOURCES = ("/static/", "/admin/jsi18n/")

# Browsers drop ASCII tab and newline anywhere in a URL and leading C0 controls and spaces,
# so "java\tscript:" still runs.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")
_DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]]

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return default


@dataclass
class Script:
    element: Element
    content: str = ""


@dataclass
class Page:
    """One HTML response, parsed."""

    name: str
    html: str
    elements: list[Element] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def shows(self, value: str) -> bool:
        """True when `value` is in the page's text or in an attribute value, as displayed."""
        return any(value in chunk for chunk in self.text) or any(
            value in (v or "") for element in self.elements for _, v in element.attrs
        )


class _Collector(HTMLParser):
    """html.parser already treats <script> and <style> content as raw text, as browsers do.

    It does not treat <textarea> and <title> content as text, so markup escaping from them is
    reported as elements: stricter than a browser, never more lenient.
    """

    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self._script: Script | None = None

    def handle_starttag(self, tag, attrs):
        element = Element(tag, [(name, value or "") for name, value in attrs])
        self.page.elements.append(element)
        if tag == "script":
            self._script = Script(element)
            self.page.scripts.append(self._script)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._script = None

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script.content += data
        else:
            self.page.text.append(data)


def parse(name: str, html: str) -> Page:
    page = Page(name, html)
    collector = _Collector(page)
    collector.feed(html)
    collector.close()
    return page


def _is_dangerous_url(value: str) -> bool:
    return _URL_IGNORED.sub("", value).lower().startswith(_DANGEROUS_SCHEMES)


def live_markup(page: Page) -> list[str]:
    """Everything on the page that would run code, style the page inline or hide a link."""
    problems = []
    for element in page.elements:
        for name, value in element.attrs:
            if name.startswith("on"):
                problems.append(f"<{element.tag} {name}=...>: event handler attribute")
            elif name == "style":
                problems.append(f"<{element.tag} style=...>: inline style (the CSP forbids it)")
            elif name in URL_ATTRIBUTES and _is_dangerous_url(value):
                problems.append(f"<{element.tag} {name}={value[:60]!r}>: script URL")
        if element.tag == "style":
            problems.append("<style> element (the CSP forbids inline styles)")
        if element.tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            content = element.get("content") or ""
            if _is_dangerous_url(content.partition("url=")[2]):
                problems.append(f"<meta refresh {content[:60]!r}>: script URL")
        if (
            element.tag in ("a", "area", "form")
            and (element.get("target") or "").lower() == "_blank"
            and "noopener" not in (element.get("rel") or "").split()
            and "noreferrer" not in (element.get("rel") or "").split()
        ):
            problems.append(f"<{element.tag} target=_blank> without rel=noopener")
    for script in page.scripts:
        problems += _script_problems(script)
    return problems


def _script_problems(script: Script) -> list[str]:
    kind = (script.element.get("type") or "").lower()
    src = script.element.get("src")
    if kind in DATA_SCRIPT_TYPES:
        if src is not None:
            return [f"<script type={kind} src=...>: data blocks load nothing"]
        # Inside <script> only "</script" ends the element; the app escapes every "<".
        if "<" in script.content:
            return [f"<script type={kind}> holds a literal '<': {script.content[:80]!r}"]
        try:
            json.loads(script.content)
        except ValueError as exc:
            return [f"<script type={kind}> is not valid JSON ({exc}): {script.content[:80]!r}"]
        return []
    if src is None:
        return [f"inline <script>: {script.content[:80]!r}"]
    if not src.startswith(SCRIPT_SOURCES):
        return [f"<script src={src[:80]!r}>: not one of our files"]
    if script.content.strip():
        return [f"<script src={src!r}> also holds code: {script.content[:80]!r}"]
    return []


def _is_htmx_attribute(name: str) -> bool:
    return name.startswith(("hx-", "data-hx-"))


def features(page: Page) -> Counter:
    """What the page's templates put there that data must never add: compare two renders."""
    found = Counter()
    for element in page.elements:
        if element.tag in ACTIVE_TAGS:
            found[f"<{element.tag}>"] += 1
        for name, _ in element.attrs:
            if _is_htmx_attribute(name):
                found[f"<{element.tag} {name}>"] += 1
    for script in page.scripts:
        found[f"script type={script.element.get('type')} src={script.element.get('src')}"] += 1
    return found


def json_ld_blocks(page: Page) -> list[dict]:
    return [
        json.loads(script.content)
        for script in page.scripts
        if (script.element.get("type") or "").lower() == "application/ld+json"
    ]


def htmx_config(page: Page) -> dict | None:
    for element in page.elements:
        if element.tag == "meta" and element.get("name") == "htmx-config":
            return json.loads(element.get("content") or "")
    return None


def escapes(page: Page, value: str) -> bool:
    """True when `value`, holding characters HTML gives meaning to, is on the page unescaped.

    Escaped text never contains a literal < > " or '; the contents of JSON data blocks are
    left out, since a quote inside them means nothing to the HTML parser.
    """
    if not any(ch in value for ch in "<>\"'"):
        return False
    html = page.html
    for script in page.scripts:
        if (script.element.get("type") or "").lower() in DATA_SCRIPT_TYPES and script.content:
            html = html.replace(script.content, "")
    return value in html
