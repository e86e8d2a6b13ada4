"""The desk's rough edges in a real browser: tabs, the selection form, a 390 px phone, the
keyboard (skip link, Escape, focus after an htmx save) and a console free of CSP reports."""

import pytest
from playwright.sync_api import expect

from claims.models import Claim, Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ArticleFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPH = (
    "The council said the new bridge cost $12 million, twice the original budget agreed in 2021,"
    " according to figures released on Tuesday by the finance committee.\n"
)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk(workspace):
    editor = UserFactory(username="ana", first_name="Ana", last_name="Editor")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Reviewer")
    MembershipFactory(user=editor, workspace=workspace, role=Role.EDITOR)
    MembershipFactory(user=alice, workspace=workspace, role=Role.REVIEWER)
    # Long enough that the end of the text is thousands of pixels below its start.
    body = PARAGRAPH * 60 + "Residents enjoyed the opening ceremony, the mayor said."
    article = ArticleFactory(workspace=workspace, title="Bridge costs", body=body)
    claim = article.add_claim(start=0, end=len(PARAGRAPH) - 1, score=0.92)
    claim.assignee, claim.status = alice, Claim.Status.ASSIGNED
    claim.save()
    for n in range(1, 4):
        start = len(PARAGRAPH) * n
        article.add_claim(start=start, end=start + len(PARAGRAPH) - 1, score=0.5 + n / 10)
    return {"editor": editor, "alice": alice, "article": article, "claim": claim}


def select_words(page, words, occurrence="first"):
    """Select `words` (outside the claims marked) with the mouse: press, drag, release."""
    box = page.evaluate(
        """([words, occurrence]) => {
            const article = document.getElementById("article-text");
            const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
            let found = null;
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (node.parentElement.closest("mark")) continue; // a claim: a link
                const at = occurrence === "last"
                    ? node.textContent.lastIndexOf(words) : node.textContent.indexOf(words);
                if (at >= 0) { found = [node, at]; if (occurrence === "first") break; }
            }
            const [node, at] = found;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + words.length);
            window.scrollBy(0, range.getBoundingClientRect().top - innerHeight / 2);
            const rects = range.getClientRects();
            const first = rects[0], last = rects[rects.length - 1];
            return {x0: first.left + 1, y0: first.top + first.height / 2,
                    x1: last.right - 1, y1: last.top + last.height / 2, bottom: last.bottom};
        }""",
        [words, occurrence],
    )
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y1"], steps=5)
    page.mouse.up()
    return box


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_highlighted_tab_follows_the_form_shown(page, workspace, desk):
    log_in(page, "ana", PASSWORD)
    page.goto(f"/w/{workspace.slug}/articles/new/")
    current = page.locator('.tabs a[aria-current="page"]')
    expect(current).to_have_text("Paste text")
    page.click("text=Upload a file")
    expect(page.locator("#id_file")).to_be_visible()
    expect(current).to_have_text("Upload a file")
    page.click("text=From a URL")
    expect(page.locator("#id_url")).to_be_visible()
    expect(current).to_have_text("From a URL")
    # Back shows the page as it was at that address, tab and form alike.
    page.go_back()
    expect(page.locator("#id_file")).to_be_visible()
    expect(current).to_have_text("Upload a file")
    expect(page.locator(".tabs")).to_have_count(1)


def test_the_selection_form_opens_next_to_the_selected_words(page, workspace, desk):
    log_in(page, "alice", PASSWORD)
    page.goto(desk["article"].get_absolute_url())
    form = page.locator("#selection-claim")
    for words, occurrence in (("twice the original budget", "first"), ("the mayor said", "last")):
        box = select_words(page, words, occurrence)
        expect(form).to_be_visible()
        expect(page.locator("#selection-preview")).to_have_text(words)
        top = form.bounding_box()["y"]
        assert 0 <= top - box["bottom"] <= 200, (top, box)
        assert no_horizontal_scroll(page)
    # Keyboard: Tab reaches the button; Escape closes the form.
    page.keyboard.press("Escape")
    expect(form).to_be_hidden()
    select_words(page, "the mayor said", "last")
    page.locator("#selection-claim button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/claims/*/")
    assert Claim.objects.filter(text="the mayor said").exists()


@pytest.mark.parametrize("where", ["dashboard", "queue", "claim", "article"])
def test_a_390_px_phone_has_no_sideways_scroll_and_a_folding_menu(
    browser, live_server, workspace, desk, where
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, "ana", PASSWORD)
    page.wait_for_url(f"**/w/{workspace.slug}/")
    path = {
        "dashboard": f"/w/{workspace.slug}/",
        "queue": f"/w/{workspace.slug}/queue/",
        "claim": desk["claim"].get_absolute_url(),
        "article": desk["article"].get_absolute_url(),
    }[where]
    page.goto(path)
    assert no_horizontal_scroll(page), page.evaluate("document.documentElement.scrollWidth")
    # The header's links fold behind "Menu", which opens them and closes on Escape.
    links = page.locator("#notifications-link")
    expect(links).to_be_hidden()
    page.click("#site-menu > summary")
    expect(links).to_be_visible()
    assert no_horizontal_scroll(page)
    page.keyboard.press("Escape")
    expect(links).to_be_hidden()
    expect(page.locator("#site-menu > summary")).to_be_focused()
    if where == "queue":
        # The table scrolls in its own box.
        assert page.evaluate(
            "(() => { const box = document.querySelector('.table-scroll');"
            " return box.scrollWidth > box.clientWidth && box.clientWidth <= innerWidth; })()"
        )
    context.close()
    assert errors == []


def test_on_a_wide_screen_the_menu_is_always_shown(page, workspace, desk):
    log_in(page, "ana", PASSWORD)
    page.goto(f"/w/{workspace.slug}/")
    expect(page.locator("#notifications-link")).to_be_visible()
    expect(page.locator("#site-menu > summary")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator("#notifications-link")).to_be_visible()


def test_escape_closes_the_open_menu_and_returns_focus(page, workspace, desk):
    log_in(page, "ana", PASSWORD)
    page.goto(f"/w/{workspace.slug}/")
    page.click("#user-menu summary")
    expect(page.locator("#user-menu .menu-items")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#user-menu .menu-items")).to_be_hidden()
    expect(page.locator("#user-menu summary")).to_be_focused()
    # A click elsewhere closes it too.
    page.click("#workspace-menu summary")
    page.click("h1")
    expect(page.locator("#workspace-menu .menu-items")).to_be_hidden()


def test_the_skip_link_comes_first_and_lands_on_the_content(page, workspace, desk):
    log_in(page, "ana", PASSWORD)
    page.goto(f"/w/{workspace.slug}/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    expect(skip).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()


def focus_within(page, region_id):
    """Wait until the focus is inside the region (htmx settles a moment after the swap)."""
    page.wait_for_function(
        "id => document.getElementById(id).contains(document.activeElement)", arg=region_id
    )


def test_focus_stays_in_the_form_region_after_an_htmx_save(page, workspace, desk):
    claim = desk["claim"]
    log_in(page, "alice", PASSWORD)
    page.goto(claim.get_absolute_url())
    # The status move, by keyboard.
    page.locator("#status-form button", has_text="Start research").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#assignment-status")).to_have_text("Researching")
    expect(page.locator("#messages")).to_have_text("Status: Researching.")
    focus_within(page, "assignment")
    # The verdict: Enter in the summary saves; the focus comes back to the new form.
    page.fill("#id_summary", "The bridge cost $9 million.")
    page.keyboard.press("Enter")
    expect(page.locator("#verdict-status")).to_have_text("Draft")
    focus_within(page, "verdict")
    # A comment says nothing: the previous message goes, it was not about this.
    page.fill("#comments textarea", "Asked the council for the invoices.")
    page.locator("#comments button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#comments")).to_contain_text("Asked the council for the invoices.")
    expect(page.locator("#messages")).to_have_text("")
    focus_within(page, "comments")


def test_no_csp_reports_on_the_main_pages(page, workspace, desk):
    seen = []
    page.on("console", lambda msg: seen.append(f"{msg.type}: {msg.text}"))
    MembershipFactory(user=UserFactory(username="ada"), workspace=workspace, role=Role.ADMIN)
    log_in(page, "ada", PASSWORD)
    article = desk["article"]
    paths = [
        f"/w/{workspace.slug}/settings/",
        f"/w/{workspace.slug}/articles/{article.pk}/report/",
        f"/w/{workspace.slug}/articles/{article.pk}/sentences/",
        f"/w/{workspace.slug}/articles/{article.pk}/edit/",
        "/accounts/two-factor/",
        "/accounts/password_change/",
        f"/w/{workspace.slug}/",
        f"/w/{workspace.slug}/queue/",
        f"/w/{workspace.slug}/mine/",
        f"/w/{workspace.slug}/articles/new/",
        f"/w/{workspace.slug}/articles/new/?source=url",
        desk["article"].get_absolute_url(),
        desk["claim"].get_absolute_url(),
        "/notifications/",
        "/workspaces/",
    ]
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    # htmx swaps too (a tab, a form), where htmx would inject its indicator styles.
    page.goto(f"/w/{workspace.slug}/articles/new/")
    page.click("text=From a URL")
    expect(page.locator("#id_url")).to_be_visible()
    page.goto(desk["claim"].get_absolute_url())
    page.click("#status-form button")
    expect(page.locator("#messages")).to_contain_text("Status:")
    reports = [m for m in seen if "Content Security Policy" in m or "Refused to" in m]
    assert reports == []


def csp_reports(messages):
    return [m for m in messages if "Content Security Policy" in m or "Refused to" in m]


def test_tabs_filters_and_pages_with_history_log_no_csp_reports(page, workspace, desk):
    """htmx swaps that push a URL (the tabs, the queue's filters and pages) and Back/Forward
    over them: htmx must set no style attribute, which style-src 'self' refuses."""
    seen = []
    page.on("console", lambda msg: seen.append(f"{msg.type}: {msg.text}"))
    article = desk["article"]
    for n in range(4, 56):  # more than a page of claims (50)
        start = len(PARAGRAPH) * n
        article.add_claim(start=start, end=start + len(PARAGRAPH) - 1, score=0.4)
    log_in(page, "ana", PASSWORD)
    page.wait_for_url(f"**/w/{workspace.slug}/")
    page.goto(f"/w/{workspace.slug}/articles/new/")
    # Elements that carry a style attribute before the swap, as the browser or an extension
    # leaves them: a textarea resized by its handle, a field left with style="" (CSSOM, allowed).
    body = page.locator("#id_body").bounding_box()
    page.mouse.move(body["x"] + body["width"] - 3, body["y"] + body["height"] - 3)
    page.mouse.down()
    page.mouse.move(body["x"] + body["width"] - 3, body["y"] + body["height"] + 60, steps=5)
    page.mouse.up()
    page.evaluate(
        "() => { const t = document.getElementById('id_title').style;"
        " t.color = 'red'; t.color = ''; }"
    )
    assert page.locator("#id_body[style], #id_title[style]").count() == 2
    current = page.locator('.tabs a[aria-current="page"]')
    for tab in (
        "Paste text",
        "Upload a file",
        "Paste text",
        "From a URL",
        "Upload a file",
        "Paste text",
    ):
        page.click(f".tabs >> text={tab}")
        expect(current).to_have_text(tab)
    page.go_back()
    expect(current).to_have_text("Upload a file")
    page.go_forward()
    expect(current).to_have_text("Paste text")
    page.goto(f"/w/{workspace.slug}/queue/")
    page.click(".pagination >> text=Next")
    expect(page.locator(".pagination")).to_contain_text("Page 2 of 2")
    page.click(".pagination >> text=Previous")
    expect(page.locator(".pagination")).to_contain_text("Page 1 of 2")
    page.select_option("#id_status", "all")
    page.wait_for_function("() => location.search.includes('status=all')")
    page.locator("#id_q").press_sequentially("bridge")
    page.wait_for_function("() => location.search.includes('q=bridge')")
    # Each swap replaces the results region; it is never nested inside itself.
    assert page.locator("#queue-results").count() == 1
    page.go_back()
    page.wait_for_load_state("networkidle")
    page.go_forward()
    page.wait_for_load_state("networkidle")
    # The search box sends its request after a pause in typing: let any late one finish
    # before the test's database goes away.
    page.wait_for_timeout(600)
    page.wait_for_load_state("networkidle")
    assert csp_reports(seen) == []


def focus_inside(page, selector):
    return page.evaluate(
        "sel => { const a = document.activeElement; const r = document.querySelector(sel);"
        " return !!(r && a && a !== document.body && r.contains(a)); }",
        selector,
    )


def test_a_mouse_click_on_save_draft_leaves_the_focus_in_the_verdict_form(page, workspace, desk):
    log_in(page, "alice", PASSWORD)
    page.goto(desk["claim"].get_absolute_url())
    page.fill("#id_summary", "The bridge cost $9 million.")
    page.click("#verdict-form button[type=submit]")
    expect(page.locator("#verdict-status")).to_have_text("Draft")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.matches('#verdict-form button')"
    )
    saved_as = page.locator("#verdict-heading small").inner_text()
    # Where a click does not focus the button (Safari, Firefox on macOS) the save starts with
    # the focus on <body>; it still ends on the button clicked.
    page.fill("#id_summary", "The bridge cost $9.5 million.")
    page.evaluate(
        """() => { document.activeElement.blur();
            const form = document.getElementById("verdict-form");
            form.requestSubmit(form.querySelector("button[type=submit]")); }"""
    )
    expect(page.locator("#verdict")).not_to_contain_text(saved_as)
    page.wait_for_timeout(300)  # htmx settles a moment after the swap
    assert focus_inside(page, "#verdict-form"), page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 80)"
    )


def test_a_mouse_click_on_save_assignment_leaves_the_focus_in_the_form(page, workspace, desk):
    log_in(page, "ana", PASSWORD)
    page.goto(desk["claim"].get_absolute_url())
    page.fill("#assign-form input[type=date]", "2030-01-15")
    page.click("#assign-form button[type=submit]")
    expect(page.locator("#messages")).not_to_have_text("")
    page.wait_for_timeout(300)
    assert focus_inside(page, "#assign-form"), page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 80)"
    )
    # A field that had the focus keeps it, when the save came from the keyboard.
    page.focus("#assign-form select")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert focus_inside(page, "#assign-form")


def test_on_a_phone_the_queue_shows_claims_first_and_its_filters_fold(
    browser, live_server, workspace, desk
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, "ana", PASSWORD)
    page.wait_for_url(f"**/w/{workspace.slug}/")
    page.goto(f"/w/{workspace.slug}/queue/")
    first_claim = page.locator("#queue-results tbody tr").first
    assert first_claim.bounding_box()["y"] < PHONE["height"] - 40, first_claim.bounding_box()
    status = page.locator("#id_status")
    expect(status).to_be_hidden()
    summary = page.locator(".queue-filters > summary")
    expect(summary).to_have_text("Filters")
    summary.click()
    expect(status).to_be_visible()
    assert no_horizontal_scroll(page)
    # Filtering on change still works, and the summary counts the filters in force.
    page.select_option("#id_status", "all")
    page.wait_for_function("() => location.search.includes('status=all')")
    expect(summary).to_have_text("Filters (1 active)")
    page.select_option("#id_assignee", "unassigned")
    expect(summary).to_have_text("Filters (2 active)")
    expect(page.locator("#queue-results tbody tr")).to_have_count(3)
    summary.click()
    expect(status).to_be_hidden()
    context.close()
    assert errors == []


def test_on_a_wide_screen_the_queue_filters_are_always_shown(page, workspace, desk):
    log_in(page, "ana", PASSWORD)
    page.goto(f"/w/{workspace.slug}/queue/")
    expect(page.locator("#id_status")).to_be_visible()
    expect(page.locator(".queue-filters > summary")).to_be_hidden()
