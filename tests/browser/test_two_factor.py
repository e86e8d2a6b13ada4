"""Two-factor sign-in in a real browser: set it up from the secret on the page, log out, log
back in with a code the test computes the way an authenticator app does."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from claims.models import Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this secret, now or `steps_ahead` 30 s later."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_enrol_log_out_and_log_in_with_a_code(page, workspace):
    user = UserFactory(username="tess")
    MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
    log_in(page, "tess", PASSWORD)
    page.wait_for_url(f"**/w/{workspace.slug}/")

    page.click("#user-menu summary")
    page.click("#user-menu >> text=Two-factor sign-in")
    page.wait_for_url("**/accounts/two-factor/")
    page.click("text=Set up two-factor sign-in")
    # The QR code loads under the CSP (a console error would fail the test) and the secret
    # is there in text for typing in.
    qr = page.locator("img.qr-code")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('img.qr-code').naturalWidth") > 0
    secret = page.locator("#two-factor-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7 ]{32,}", secret)

    page.fill("#confirm-form input[name=code]", app_code(secret))
    page.click("#confirm-form button[type=submit]")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    page.click("text=Done")
    expect(page.locator("h1")).to_have_text("Two-factor sign-in")
    assert "On." in page.locator("main").inner_text()

    page.click("#user-menu summary")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")

    # The password alone leads to the code step, not to the desk.
    page.goto(f"/w/{workspace.slug}/queue/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", "tess")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/verify/")
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # django-otp's back-off: a second's wait after a wrong code
    # The code used to set up is spent; the app's next one is accepted (one step's leeway).
    page.fill("input[name=code]", app_code(secret, steps_ahead=1))
    page.click("button[type=submit]")
    page.wait_for_url(f"**/w/{workspace.slug}/queue/")
    expect(page.locator("h1")).to_be_visible()
