"""The desk's daily journey in a real browser, across the people who make a fact-check.

An editor assigns a claim; the reviewer researches it, confirms who made it, restates it and
drafts the verdict; an editor publishes it and readers (and search engines) get the public page;
one editor proposes a correction, a second approves it, and the public page says what changed.
Also how the reviewer meets the selection form and a 390 px phone.
"""

import json
import re

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from claims.attribution import suggestion_fields
from claims.models import Claim, ClaimantKind, Correction, Role, Verdict
from tests.browser.conftest import log_in
from tests.browser.test_desk_ui_browser import PHONE, no_horizontal_scroll
from tests.factories import PASSWORD, ArticleFactory, ClaimFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "Mayor Jane Porter said the new bridge cost $12 million, twice the original budget."
SECOND = "About 40,000 cars will cross it every day, the Highways Agency said."
BODY = f"{SENTENCE}\n{SECOND}"
RESTATEMENT = "The new bridge cost $12 million"


@pytest.fixture
def desk(workspace):
    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Reviewer")
    MembershipFactory(user=editor, workspace=workspace, role=Role.EDITOR)
    MembershipFactory(user=alice, workspace=workspace, role=Role.REVIEWER)
    article = ArticleFactory(
        workspace=workspace,
        title="Bridge costs",
        body=BODY,
        source_url="https://news.example.org/bridge-costs",
    )
    # As extraction stores it: the extractor's guess at the claimant, for a reviewer to confirm.
    claim = article.add_claim(start=0, end=len(SENTENCE), score=0.92, **suggestion_fields(SENTENCE))
    return {"editor": editor, "alice": alice, "article": article, "claim": claim}


@pytest.fixture
def second_editor(workspace):
    nora = UserFactory(username="nora", first_name="Nora", last_name="Second")
    MembershipFactory(user=nora, workspace=workspace, role=Role.EDITOR)
    return nora


@pytest.fixture
def open_page(browser, live_server):
    """Another person's browser (a context of its own); its console errors fail the test."""
    opened = []

    def open_(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(10_000)
        opened.append((context, errors))
        return page

    yield open_
    for context, _ in opened:
        context.close()
    assert [error for _, errors in opened for error in errors] == []


def log_out(page):
    page.click("#user-menu summary")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")


def claimreview_on(page) -> dict:
    """The ClaimReview JSON-LD of the public page open in `page`."""
    script = page.locator('script[type="application/ld+json"]')
    expect(script).to_have_count(1)
    return json.loads(script.text_content())


def test_assign_research_attribute_publish_correct(
    page, open_page, settings, live_server, workspace, desk, second_editor
):
    # The public links (and ClaimReview's url) point at this server.
    settings.SITE_URL = live_server.url
    claim = desk["claim"]
    # An earlier claimant, which the claimant field offers for completion.
    ClaimFactory(article=ArticleFactory(workspace=workspace), claimant="Highways Agency")

    # The editor opens the article, picks the claim and assigns it to Alice.
    log_in(page, "editor", PASSWORD)
    page.goto(f"/w/{workspace.slug}/articles/{desk['article'].pk}/")
    page.click(f"#claim-{claim.pk} a")
    expect(page.locator("h1.claim-text")).to_contain_text("bridge cost $12 million")
    page.select_option("#id_assignee", label="Alice Reviewer")
    page.click("#assign-form button[type=submit]")
    expect(page.locator("#claim-assignee")).to_have_text("Alice Reviewer")
    expect(page.locator("#messages")).to_contain_text("Assigned to Alice Reviewer")
    log_out(page)

    # Alice sees the notification and goes to the claim.
    log_in(page, "alice", PASSWORD)
    expect(page.locator("#notifications-link .count")).to_have_text("1")
    page.click("#notifications-link")
    page.click("text=Eddie Editor assigned you “Mayor Jane Porter said the new bridge")
    expect(page.locator("h1.claim-text")).to_contain_text("bridge cost $12 million")

    # She confirms who made the claim (the extractor's guess, pre-filled) and restates it
    # short; the counter follows the restatement.
    section = page.locator("#attribution")
    expect(section.locator("#claimant-suggested")).to_contain_text("Jane Porter")
    expect(page.locator("#attribution_claimant")).to_have_value("Jane Porter")
    expect(page.locator("#attribution_claimant_kind")).to_have_value(ClaimantKind.PERSON)
    expect(section.locator("#claimant-choices option")).to_have_attribute(
        "value", "Highways Agency"
    )
    counter = section.locator('[data-counter-for="attribution_restatement"]')
    # Pre-filled with the sentence less its attribution ("Mayor Jane Porter said").
    prefill = "The new bridge cost $12 million, twice the original budget"
    expect(page.locator("#attribution_restatement")).to_have_value(prefill)
    expect(counter).to_have_text(f"{len(prefill)} / 75 characters")
    page.fill("#attribution_restatement", RESTATEMENT)
    expect(counter).to_have_text(f"{len(RESTATEMENT)} / 75 characters")
    section.locator("button[type=submit]").click()
    expect(page.locator("#messages")).to_contain_text("Attribution saved.")
    expect(section.locator("#claimant-suggested")).to_have_count(0)
    expect(page.locator("#attribution_restatement")).to_have_value(RESTATEMENT)

    # She adds a source through the htmx form.
    page.click("text=Add a source")
    page.fill("#source-add-form #id_url", "https://budget.example.org/bridge")
    page.fill("#source-add-form #id_title", "Council budget papers")
    page.select_option("#source-add-form #id_stance", "refutes")
    page.click("#source-add-form button[type=submit]")
    expect(page.locator("#sources")).to_contain_text("Council budget papers")
    expect(page.locator("#claim-status")).to_have_text("Researching")

    # She drafts the verdict; the counter follows the summary.
    page.select_option("#id_rating", label="Mostly false")
    page.fill("#id_summary", "The bridge cost $9 million, not $12 million.")
    expect(page.locator("#verdict-form .counter")).to_contain_text("44 / 75")
    page.fill("#id_explanation", "The council's own budget papers give $9 million.")
    page.click("#verdict-form button[type=submit]")
    expect(page.locator("#verdict-status")).to_have_text("Draft")
    page.click("text=Submit for approval")
    expect(page.locator("#verdict-status")).to_have_text("Submitted for approval")
    expect(page.locator("#claim-status")).to_have_text("In review")
    log_out(page)

    # The editor approves and publishes.
    log_in(page, "editor", PASSWORD)
    page.goto(claim.get_absolute_url())
    page.click("text=Approve and publish")
    expect(page.locator("#verdict-status")).to_have_text("Approved and published")
    expect(page.locator("#claim-status")).to_have_text("Published")

    claim.refresh_from_db()
    verdict = Verdict.objects.get(claim=claim)
    assert claim.status == Claim.Status.PUBLISHED
    assert (verdict.author, verdict.approved_by) == (desk["alice"], desk["editor"])
    assert verdict.rating.label == "Mostly false"

    # Readers get the public page; search engines its ClaimReview, with the attribution.
    public_path = reverse("public_verdict", args=[workspace.slug, verdict.pk])
    page.click("#public-link a")
    page.wait_for_url(f"**{public_path}")
    expect(page.locator("h1")).to_have_text(RESTATEMENT)
    expect(page.locator(".verdict-rating strong")).to_have_text("Mostly false")
    expect(page.locator("#corrections")).to_contain_text("No corrections.")
    markup = claimreview_on(page)
    assert markup["claimReviewed"] == RESTATEMENT
    assert markup["itemReviewed"]["author"] == {"@type": "Person", "name": "Jane Porter"}
    assert markup["reviewRating"]["alternateName"] == "Mostly false"
    assert "dateModified" not in markup

    # The editor proposes a correction through the form; he may not approve his own.
    # Back on the claim page, it is the page as it is now, not as he first loaded it.
    page.go_back()
    expect(page.locator("#verdict-status")).to_have_text("Approved and published")
    page.click("#propose-correction summary")
    form = page.locator("#correction-form")
    form.locator("select[name=rating]").select_option(label="Mostly true")
    form.locator("input[name=summary]").fill("Final invoices put the cost at $11.8 million.")
    expect(form.locator('[data-counter-for="id_summary"]')).to_contain_text("45 / 75")
    reason = "The council's final invoices, published after our check, give $11.8 million."
    form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    pending = page.locator("#pending-correction")
    expect(pending).to_contain_text("Proposed by Eddie Editor")
    expect(pending).to_contain_text(reason)
    expect(pending.locator("#correction-note")).to_have_text(
        "Another editor must approve your correction."
    )
    expect(page.get_by_role("button", name="Approve and publish correction")).to_have_count(0)
    # Readers see nothing of it yet.
    page.goto(public_path)
    expect(page.locator(".verdict-rating strong")).to_have_text("Mostly false")
    assert "dateModified" not in claimreview_on(page)

    # A second editor, in her own browser, approves it.
    nora = open_page()
    log_in(nora, "nora", PASSWORD)
    nora.wait_for_url(re.compile(r".*/w/.*"))
    nora.goto(claim.get_absolute_url())
    expect(nora.locator("#pending-correction")).to_contain_text("Proposed by Eddie Editor")
    nora.get_by_role("button", name="Approve and publish correction").click()
    expect(nora.locator("#pending-correction")).to_have_count(0)
    expect(nora.locator("#verdict .verdict-rating")).to_contain_text("Mostly true")
    expect(nora.locator("#verdict #corrections")).to_contain_text(reason)
    correction = Correction.objects.get(verdict=verdict)
    assert correction.status == Correction.Status.APPROVED
    assert (correction.created_by, correction.decided_by) == (desk["editor"], second_editor)

    # A reader sees the new rating and what changed, when and why; the markup says it changed.
    reader = open_page()
    reader.goto(public_path)
    expect(reader.locator(".verdict-rating strong")).to_have_text("Mostly true")
    expect(reader.locator(".summary")).to_have_text("Final invoices put the cost at $11.8 million.")
    history = reader.locator("#corrections .correction-history > li")
    expect(history).to_have_count(1)
    expect(history.locator("time").first).to_have_text(
        dateformat.format(timezone.localtime(correction.decided_at), "j F Y")
    )
    expect(history).to_contain_text("Rating: “Mostly false” → “Mostly true”")
    expect(history).to_contain_text(f"Why: {reason}")
    markup = claimreview_on(reader)
    assert markup["reviewRating"]["alternateName"] == "Mostly true"
    assert markup["claimReviewed"] == RESTATEMENT
    assert markup["itemReviewed"]["author"]["name"] == "Jane Porter"
    assert markup["dateModified"].startswith(timezone.localdate().isoformat())
    assert len(markup["correction"]) == 1


def test_the_reviewer_makes_a_claim_from_words_selected_with_the_keyboard(page, workspace, desk):
    log_in(page, "alice", PASSWORD)
    page.goto(desk["article"].get_absolute_url())
    # Shift+arrow selection, as article.js hears it: a range in a text node, then a keyup with
    # Shift held (the mouse drag is in test_desk_ui_browser.py).
    selected = page.evaluate(
        """(words) => {
            const text = document.getElementById("article-text");
            const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
            let node = walker.nextNode();
            while (node && (node.parentElement.closest("mark") || !node.data.includes(words))) {
                node = walker.nextNode();
            }
            const at = node.data.indexOf(words);
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + words.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            document.dispatchEvent(new KeyboardEvent(
                "keyup", {key: "ArrowRight", shiftKey: true, bubbles: true}));
            return range.getBoundingClientRect().toJSON();
        }""",
        SECOND,
    )
    form = page.locator("#selection-claim")
    expect(form).to_be_visible()
    expect(page.locator("#selection-preview")).to_have_text(SECOND)
    top = form.bounding_box()["y"]
    assert 0 <= top - selected["bottom"] <= 200, (top, selected)

    form.get_by_role("button", name="Make this a claim").click()
    page.wait_for_url("**/claims/*/")
    expect(page.locator("#messages")).to_contain_text("Claim added.")
    claim = Claim.objects.get(text=SECOND)
    assert (claim.start, claim.end) == (len(SENTENCE) + 1, len(BODY))
    # Its page says who the sentence says made it, unconfirmed until someone works on it.
    expect(page.locator("#attribution-details")).to_contain_text(
        "Highways Agency (suggested from the sentence, not confirmed)"
    )


def test_the_reviewers_day_on_a_390_px_phone(open_page, workspace, desk):
    claim = desk["claim"]
    claim.assignee, claim.status = desk["alice"], Claim.Status.ASSIGNED
    claim.save()
    page = open_page(viewport=PHONE)
    log_in(page, "alice", PASSWORD)
    page.wait_for_url(f"**/w/{workspace.slug}/")
    menu, links = page.locator("#site-menu > summary"), page.locator("#notifications-link")
    for path in (f"/w/{workspace.slug}/", f"/w/{workspace.slug}/queue/", claim.get_absolute_url()):
        page.goto(path)
        assert no_horizontal_scroll(page), (path, page.evaluate("document.body.scrollWidth"))
        # The header's links fold behind "Menu", which opens them.
        expect(links).to_be_hidden()
        menu.click()
        expect(links).to_be_visible()
        assert no_horizontal_scroll(page), path
    # On the claim page she still does her work: the attribution form fits and saves.
    page.fill("#attribution_restatement", RESTATEMENT)
    page.locator("#attribution button[type=submit]").click()
    expect(page.locator("#messages")).to_contain_text("Attribution saved.")
    assert no_horizontal_scroll(page)


def test_conflicting_verdict_edits_keep_the_second_persons_text(
    browser, live_server, workspace, desk
):
    claim = desk["claim"]
    claim.assignee = desk["alice"]
    claim.status = "researching"
    claim.save()
    pages = {}
    for who in ("alice", "editor"):
        context = browser.new_context(base_url=live_server.url)
        pages[who] = context.new_page()
        log_in(pages[who], who, PASSWORD)
        pages[who].wait_for_url(re.compile(r".*/w/.*"))
        pages[who].goto(claim.get_absolute_url())

    # Both have the empty form open; the editor saves first.
    pages["editor"].fill("#id_summary", "Editor's summary")
    pages["editor"].click("#verdict-form button[type=submit]")
    expect(pages["editor"].locator("#verdict-status")).to_have_text("Draft")

    # Alice saves her stale form: told of the conflict, her text still in the form.
    pages["alice"].fill("#id_summary", "Alice's summary")
    pages["alice"].click("#verdict-form button[type=submit]")
    # The verdict's own conflict box (the ClaimReview check below uses the class too).
    conflict = pages["alice"].locator("#verdict > .conflict")
    expect(conflict).to_contain_text("Someone else saved this verdict first")
    expect(conflict).to_contain_text("Editor's summary")
    expect(pages["alice"].locator("#id_summary")).to_have_value("Alice's summary")
    assert Verdict.objects.get(claim=claim).summary == "Editor's summary"

    # Having read it, she saves again on purpose.
    pages["alice"].click("#verdict-form button[type=submit]")
    expect(pages["alice"].locator("#verdict > .conflict")).to_have_count(0)
    assert Verdict.objects.get(claim=claim).summary == "Alice's summary"
    for p in pages.values():
        p.context.close()
