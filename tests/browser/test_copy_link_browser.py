"""The "Copy link" button beside a published verdict's public address, in a real browser:
it copies with the clipboard API, and where there is none it selects the address instead;
no console error (the strict CSP included)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from claims.models import Role
from tests.browser.conftest import log_in
from tests.exports import builders
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(workspace, settings, live_server):
    settings.SITE_URL = live_server.url
    editor = UserFactory(username="ana")
    MembershipFactory(user=editor, workspace=workspace, role=Role.EDITOR)
    verdict = builders.verdict(workspace)
    public = live_server.url + reverse("public_verdict", args=[workspace.slug, verdict.pk])
    return {"editor": editor, "verdict": verdict, "public": public}


def test_copy_link_puts_the_public_address_on_the_clipboard(page, published):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "ana", PASSWORD)
    page.goto(published["verdict"].claim.get_absolute_url())
    button = page.get_by_role("button", name="Copy link")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == published["public"]


def test_without_a_clipboard_the_address_is_selected(page, published):
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    log_in(page, "ana", PASSWORD)
    page.goto(reverse("verdict_detail", args=["daily-example", published["verdict"].claim_id]))
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-copy-status]")).to_contain_text("press Ctrl+C")
    selected = page.evaluate(
        "(() => { const f = document.activeElement;"
        " return f.value.substring(f.selectionStart, f.selectionEnd); })()"
    )
    assert selected == published["public"]
