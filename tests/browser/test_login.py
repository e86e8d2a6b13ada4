"""A new user's first minute: log in, land on the desk, switch workspace, log out."""

import pytest

from claims.models import Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClaimFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_see_dashboard_and_log_out(page, editor, workspace, other_workspace):
    ClaimFactory(article__workspace=workspace, article__title="Bridge budget story")
    MembershipFactory(user=editor, workspace=other_workspace, role=Role.REVIEWER)

    log_in(page, "eddie", PASSWORD)
    page.wait_for_url("**/workspaces/")
    page.click(f".cards >> text={workspace.name}")
    page.wait_for_url(f"**/w/{workspace.slug}/")
    assert page.locator("h1").inner_text() == workspace.name
    assert page.get_by_role("link", name="Bridge budget story").is_visible()
    # htmx is loaded from our static files and runs under the CSP without eval.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False

    page.click("#workspace-menu summary")
    page.click(f"#workspace-menu a >> text={other_workspace.name}")
    page.wait_for_url(f"**/w/{other_workspace.slug}/")

    page.click("#user-menu summary")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")
    page.goto(f"/w/{workspace.slug}/")
    assert "/accounts/login/" in page.url


def test_wrong_password_shows_an_error(page, editor):
    log_in(page, "eddie", "not-the-password")
    assert page.locator(".form-errors").is_visible()
    assert "/accounts/login/" in page.url
