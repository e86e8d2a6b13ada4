"""Hostile text in every field a user can edit never turns into live markup anywhere it is shown.

Each payload goes into every field through the app's forms (see world.py), then every page,
htmx partial and admin page showing those fields is read as a browser would read it. A page
passes when it has no event handlers, inline scripts or styles or script URLs at all, when it
has no more <script>, <svg>, htmx attributes and the like than the same page showing harmless
text, when the payload is on it (else the page proved nothing) and never unescaped. Exports
must give the text back unchanged, inert in a spreadsheet and safe to paste into a page.

Titles, names and article text lose their bidirectional overrides when saved (the
`\u202e` below; see test_bidi_controls.py): there the text must show as `stored(payload)`.
"""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.exports import FORMULA_PREFIXES
from claims.models import (
    Article,
    Correction,
    Notification,
    Source,
    Verdict,
    Workspace,
    without_bidi_controls,
)
from tests.conftest import client_for
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
    WorkspaceFactory,
)
from tests.security.markup import escapes, features, json_ld_blocks, live_markup, parse
from tests.security.world import build_world, render_everything, web_address

# Grouped so each world holds a few at once (a world takes a few seconds to build and read).
PAYLOAD_MAX_LENGTH = 130
PAYLOADS = {
    "script elements": (
        "<script>alert(1)</script> </script><img src=x onerror=alert(2)> "
        "</textarea><script>alert(3)</script> </title><svg onload=alert(4)>"
    ),
    "attribute breakout": (
        "\"><svg onload=alert(1)> '><svg/onload=alert(2)> ' onmouseover='alert(3)' x=' "
        'x" hx-get="/admin/" y="'
    ),
    "htmx": (
        '<b hx-on:click="alert(1)">x</b> <i hx-on::load="alert(2)">y</i> '
        '<u data-hx-get="/admin/" hx-trigger="load">z</u>'
    ),
    "template syntax": (
        '=HYPERLINK("https://evil.example","open") {{ 7*7 }} {% debug %} '
        "{{ request.user.password }} --><!--<script>alert(1)</script>"
    ),
    "active elements": (
        '<style>*{color:red}</style><p style=x> <base href="//evil.example"> '
        '<meta http-equiv="refresh" content="0;url=javascript:alert()">'
    ),
    "embedded documents": (
        '<iframe srcdoc="<script>alert(1)</script>"></iframe><object data="javascript:alert(2)">'
        " javascript:alert(3)"
    ),
    "encodings and unicode": (
        # Entities and JSON escapes that must stay text; fullwidth brackets (NFKC would make
        # them real ones), a zero-width space inside a tag name, a right-to-left override.
        "&lt;script&gt; &#x3C;img src=x onerror=alert(1)&#x3E; \\u003cscript\\u003e"
        " \uff1cscript\uff1e<scr\u200bipt>alert(2)</scr\u200bipt> \u202e<svg onload=alert()>"
    ),
}


def stored(payload: str) -> str:
    """The payload as a title, a name or article text keeps it."""
    return without_bidi_controls(payload)


def page_problems(page, harmless_page, payload) -> list[str]:
    problems = live_markup(page)
    extra = features(page) - features(harmless_page)
    problems += [f"{feature} added by the data (x{n})" for feature, n in extra.items()]
    if escapes(page, payload) or escapes(page, stored(payload)):
        problems.append("the text is on the page unescaped")
    if not (page.shows(payload) or page.shows(stored(payload))):
        problems.append("the text is not on the page, so the page proves nothing")
    return problems


def test_payloads_fit_every_field():
    """The longest text every field keeps whole: a notification message (300 characters)
    holds someone's first and last name and a few words ("approved and published your
    verdict"). Longer names are test_the_longest_names_still_fit_a_notification's business."""
    assert all(len(payload) <= PAYLOAD_MAX_LENGTH for payload in PAYLOADS.values())


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_hostile_text_is_shown_as_text_everywhere(db, harmless, payload):
    pages = render_everything(build_world(payload))
    assert pages.keys() == harmless.keys()
    problems = {
        name: found
        for name, page in pages.items()
        if (found := page_problems(page, harmless[name], payload))
    }
    [markup] = json_ld_blocks(pages["public verdict"])
    if markup["claimReviewed"] != " ".join(stored(payload).split()):
        problems["public verdict"] = ["the JSON-LD does not carry the claim text unchanged"]
    assert not problems, "\n".join(
        f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items()
    )


def test_harmless_pages_have_no_live_markup(harmless):
    """The templates themselves: no inline code or style, no script URLs, valid JSON-LD."""
    problems = {name: found for name, page in harmless.items() if (found := live_markup(page))}
    assert not problems
    [markup] = json_ld_blocks(harmless["public verdict"])
    assert markup["@type"] == "ClaimReview"


# --- Exports --------------------------------------------------------------------------------


EXPORT_FORMATS = ("csv", "json", "jsonl", "claimreview")


def exports_of(text: str) -> tuple[dict[str, str], list[str]]:
    """A published, corrected verdict with `text` in every field, downloaded through the
    queue's export in every text format: (content by format, problems with the downloads)."""
    workspace = WorkspaceFactory(
        name=text, organisation_name=text, organisation_url=web_address(text)
    )
    people = [UserFactory(first_name=text, last_name=text) for _ in range(2)]
    rating = workspace.ratings.create(label=text[:60], description=text, position=9)
    article = ArticleFactory(
        workspace=workspace,
        title=text,
        outlet=text,
        author=text,
        source_url=web_address(text),
        body=f"{text}\nThe rest of the article.",
    )
    claim = article.add_claim(
        start=0, end=len(stored(text)), assignee=people[0], status="published"
    )
    SourceFactory(claim=claim, url=web_address(text), title=text, publisher=text, excerpt=text)
    verdict = VerdictFactory(
        claim=claim,
        author=people[0],
        approved_by=people[1],
        rating=rating,
        summary=text,
        explanation=text,
        status=Verdict.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    # Approved: exports carry the corrections readers see, not proposals.
    Correction.objects.create(
        verdict=verdict,
        new_rating=rating,
        new_summary=text,
        reason=text,
        status="approved",
        decided_at=timezone.now(),
    )
    workspace.memberships.create(user=people[0])
    client = client_for(people[0])
    exports, problems = {}, []
    for fmt in EXPORT_FORMATS:
        response = client.get(
            reverse("queue_export", args=[workspace.slug]), {"status": "all", "format": fmt}
        )
        assert response.status_code == 200
        exports[fmt] = b"".join(response.streaming_content).decode("utf-8")
        if response["Content-Type"].startswith("text/html"):
            problems.append(f"{fmt}: served as HTML")
        if not response["Content-Disposition"].startswith("attachment;"):
            problems.append(f"{fmt}: not a download")
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{fmt}: a browser may sniff it as HTML")
    return exports, problems


def test_exports_give_hostile_text_back_unchanged(db):
    problems = {}
    for name, text in PAYLOADS.items():
        exports, found = exports_of(text)
        rows = list(csv.reader(io.StringIO(exports["csv"].removeprefix("\ufeff"))))
        cells = [cell for row in rows[1:] for cell in row]
        found += [
            f"csv: {cell[:40]!r} runs as a formula"
            for cell in cells
            if cell.startswith(FORMULA_PREFIXES)
        ]
        if stored(text) not in cells and "'" + stored(text) not in cells:
            found.append("csv: the claim text is not a cell of its own")
        [record] = json.loads(exports["json"])
        [line] = [json.loads(line) for line in exports["jsonl"].splitlines()]
        for fmt, data in (("json", record), ("jsonl", line)):
            values = (
                data["claim_text"],
                data["summary"],
                data["sources"][0]["title"],
                data["corrections"][0]["reason"],
            )
            if values != (stored(text), text, stored(text), text):
                found.append(f"{fmt}: the text came back changed: {values}")
        [markup] = json.loads(exports["claimreview"])
        claim_reviewed = " ".join(stored(text).split())
        if markup["claimReviewed"] != claim_reviewed or markup["reviewBody"] != text:
            found.append("claimreview: the text came back changed")
        if found:
            problems[name] = found
    assert not problems


def test_claimreview_export_is_safe_to_paste_into_a_script_element(db):
    """ClaimReview JSON-LD ends up in a newsroom's pages inside <script
    type="application/ld+json">, where a literal "<" (as in "</script>") ends the element
    early. Our own public page escapes it (claimreview.json_ld); the export must too."""
    problems = {}
    for name, text in PAYLOADS.items():
        exported = exports_of(text)[0]["claimreview"]
        if "<" in exported:
            at = exported.index("<")
            problems[name] = exported[max(0, at - 30) : at + 40]
    assert not problems


def test_the_longest_names_still_fit_a_notification(editor, editor_client, reviewer, workspace):
    """Long input must not turn into a database error (PostgreSQL refuses an over-long
    varchar; SQLite keeps it, so the length is checked too)."""
    editor.first_name, editor.last_name = "A" * 150, "B" * 150
    editor.save()
    claim = ClaimFactory(article__workspace=workspace)
    response = editor_client.post(
        reverse("claim_assign", args=[workspace.slug, claim.pk]),
        {"assignee": reviewer.pk, "priority": 2},
    )
    assert response.status_code == 302
    [notification] = Notification.objects.filter(recipient=reviewer)
    assert len(notification.message) <= Notification._meta.get_field("message").max_length


# --- Addresses ------------------------------------------------------------------------------

SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://evidence.example/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]


@pytest.mark.parametrize("address", SCRIPT_URLS)
def test_url_fields_refuse_script_urls(
    reviewer_client, editor_client, admin_member, workspace, address
):
    claim = ClaimFactory(article__workspace=workspace)
    source = SourceFactory(claim=claim)
    new_article = reverse("article_new", args=[workspace.slug])
    attempts = {
        "paste source_url": (
            reviewer_client,
            new_article,
            {"source": "paste", "body": "The budget rose by 4 percent.", "source_url": address},
        ),
        "article by url": (reviewer_client, new_article, {"source": "url", "url": address}),
        "source url": (
            editor_client,
            reverse("source_add", args=[workspace.slug, claim.pk]),
            {"url": address, "stance": "context"},
        ),
        "source edit url": (
            editor_client,
            reverse("source_edit", args=[workspace.slug, claim.pk, source.pk]),
            {"url": address, "stance": "context"},
        ),
        "organisation url": (
            client_for(admin_member),
            reverse("organisation_save", args=[workspace.slug]),
            {"name": "Desk", "organisation_url": address},
        ),
    }
    for what, (client, path, data) in attempts.items():
        response = client.post(path, data)
        assert response.status_code in (200, 400), what
        assert b'class="error"' in response.content, what
    assert not Article.objects.exclude(pk=claim.article_id).exists()
    assert list(Source.objects.values_list("url", flat=True)) == [source.url]
    workspace.refresh_from_db()
    assert workspace.organisation_url == "https://factcheck.example.org/"


def test_stored_script_urls_are_never_links(reviewer_client, reviewer, workspace, client):
    """A stored address is not proof of a web address (claimreview.is_web_url says so): rows
    can arrive without the forms (admin, imports, a future API). No page may link to one."""
    address = "javascript:alert(document.domain)"
    Workspace.objects.filter(pk=workspace.pk).update(organisation_url=address)
    claim = ClaimFactory(
        article=ArticleFactory(workspace=workspace, source_url=address), assignee=reviewer
    )
    SourceFactory(claim=claim, url=address, title="Evidence")
    verdict = VerdictFactory(
        claim=claim,
        author=reviewer,
        status="published",
        approved_by=UserFactory(username="approver"),
        published_at=timezone.now(),
    )
    paths = {
        "article": reverse("article_detail", args=[workspace.slug, claim.article_id]),
        "claim": reverse("claim_detail", args=[workspace.slug, claim.pk]),
        "verdict": reverse("verdict_detail", args=[workspace.slug, claim.pk]),
        "report": reverse("article_report", args=[workspace.slug, claim.article_id]),
    }
    problems = {}
    for name, path in paths.items():
        response = reviewer_client.get(path)
        assert response.status_code == 200, name
        if found := live_markup(parse(name, response.content.decode())):
            problems[name] = found
    public = client.get(reverse("public_verdict", args=[workspace.slug, verdict.pk]))
    assert public.status_code == 200
    if found := live_markup(parse("public", public.content.decode())):
        problems["public verdict"] = found
    assert not problems
