"""The desk's daily journey in a real browser: assign, research, verdict, approve, publish."""

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, Role, Verdict
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ArticleFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "The council said the new bridge cost $12 million, twice the original budget.\n"
    "Residents enjoyed the opening ceremony."
)


@pytest.fixture
def desk(workspace):
    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Reviewer")
    MembershipFactory(user=editor, workspace=workspace, role=Role.EDITOR)
    MembershipFactory(user=alice, workspace=workspace, role=Role.REVIEWER)
    article = ArticleFactory(workspace=workspace, title="Bridge costs", body=BODY)
    claim = article.add_claim(start=0, end=BODY.index("\n"), score=0.92)
    return {"editor": editor, "alice": alice, "article": article, "claim": claim}


def log_out(page):
    page.click("#user-menu summary")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")


def test_assign_research_submit_approve_publish(page, workspace, desk):
    claim = desk["claim"]

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
    page.click("text=Eddie Editor assigned you “The council said the new bridge cost")
    expect(page.locator("h1.claim-text")).to_contain_text("bridge cost $12 million")

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
    expect(page.locator(".counter")).to_contain_text("44 / 75")
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
    conflict = pages["alice"].locator(".conflict")
    expect(conflict).to_contain_text("Someone else saved this verdict first")
    expect(conflict).to_contain_text("Editor's summary")
    expect(pages["alice"].locator("#id_summary")).to_have_value("Alice's summary")
    assert Verdict.objects.get(claim=claim).summary == "Editor's summary"

    # Having read it, she saves again on purpose.
    pages["alice"].click("#verdict-form button[type=submit]")
    expect(pages["alice"].locator(".conflict")).to_have_count(0)
    assert Verdict.objects.get(claim=claim).summary == "Alice's summary"
    for p in pages.values():
        p.context.close()
