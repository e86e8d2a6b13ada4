"""Two-factor sign-in: enrolment, the log-in's code step, recovery codes, the lock-out, and
the workspace and site requirements (claims/two_factor.py, claims/views/two_factor.py).

Codes are made the way an authenticator app makes them, from the device's secret, on a clock
the test controls (so a code never straddles a 30-second step by accident).
"""

import json
import re
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims import two_factor
from claims.models import Role, SitePolicy
from tests.conftest import client_for
from tests.factories import PASSWORD, MembershipFactory, UserFactory, VerdictFactory

WRONG_CODE = "000000"


class Clock:
    """Stands in for the time module inside django-otp's TOTP device."""

    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self):
        return self.now

    def tick(self, steps=1):
        self.now += 30 * steps


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(totp_models, "time", clock)
    return clock


@pytest.fixture(autouse=True)
def no_device_back_off(settings):
    """django-otp makes a device wait 1, 2, 4 ... s after wrong codes; tests of the lock-out
    would otherwise sleep. test_the_device_backs_off_after_a_wrong_code turns it back on."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, clock: Clock) -> str:
    """What the user's app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock.now
    return f"{totp.token():06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, two_factor.replace_recovery_codes(user)


def log_in(client, username, password=PASSWORD, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password})


def give_code(client, code):
    return client.post(reverse("two_factor_verify"), {"code": code})


def is_logged_in(client) -> bool:
    return SESSION_KEY in client.session


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def dashboard(workspace):
    return reverse("dashboard", args=[workspace.slug])


@pytest.fixture
def enrolled(reviewer):
    """rita, a reviewer of Daily Example, with two-factor on: (device, recovery codes)."""
    return enrol(reviewer)


def require_site(on=True):
    SitePolicy.objects.update_or_create(pk=1, defaults={"require_two_factor": on})


def require_workspace(workspace, on=True):
    workspace.require_two_factor = on
    workspace.save()


def text(response) -> str:
    return response.content.decode()


def refused(response, message="That code is not right") -> bool:
    """The code step shows the form again with the reason (200, as a wrong password does)."""
    return response.status_code == 200 and message in text(response)


# --- Enrolment --------------------------------------------------------------------------


def test_enrolment_shows_the_secret_and_turns_on_with_a_code_from_the_app(
    reviewer_client, reviewer, clock
):
    page = text(reviewer_client.get(reverse("two_factor")))
    assert "Off." in page
    assert reviewer_client.post(reverse("two_factor_setup")).status_code == 302
    page = text(reviewer_client.get(reverse("two_factor")))
    device = TOTPDevice.objects.get(user=reviewer)
    assert not device.confirmed
    # The secret in text for typing in, and as a QR code in an <img>: nothing inline to run.
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") == two_factor.secret_text(device).replace(" ", "")
    assert 'src="data:image/svg+xml' in page

    response = reviewer_client.post(reverse("two_factor_confirm"), {"code": WRONG_CODE})
    assert response.status_code == 400
    assert "That code is not right" in text(response)
    device.refresh_from_db()
    assert not device.confirmed

    response = reviewer_client.post(
        reverse("two_factor_confirm"), {"code": code_for(device, clock)}
    )
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", text(response))
    assert len(codes) == 10 == len(set(codes))
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert sorted(
        StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)
    ) == sorted(codes)
    # This session gave the code: it is verified. The codes are never shown again.
    assert is_verified(reviewer_client)
    page = text(reviewer_client.get(reverse("two_factor")))
    assert "On." in page and "10</strong> unused recovery codes" in page
    assert not any(code in page for code in codes)
    assert "two-factor-secret" not in page


def test_starting_again_gives_a_new_secret_and_the_old_one_stops_working(
    reviewer_client, reviewer, clock
):
    reviewer_client.post(reverse("two_factor_setup"))
    first = TOTPDevice.objects.get(user=reviewer)
    reviewer_client.post(reverse("two_factor_setup"))
    second = TOTPDevice.objects.get(user=reviewer)
    assert second.key != first.key
    response = reviewer_client.post(reverse("two_factor_confirm"), {"code": code_for(first, clock)})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()


def test_enrolment_code_must_look_like_one(reviewer_client, reviewer):
    reviewer_client.post(reverse("two_factor_setup"))
    response = reviewer_client.post(reverse("two_factor_confirm"), {"code": "12ab"})
    assert response.status_code == 400
    assert "Enter the 6 digits your app shows" in text(response)


def test_confirm_without_setting_up_first_explains(reviewer_client):
    response = reviewer_client.post(reverse("two_factor_confirm"), {"code": "123456"}, follow=True)
    assert "Set up two-factor sign-in" in text(response)
    assert not TOTPDevice.objects.exists()


def test_setting_up_twice_is_refused_once_on(reviewer, enrolled, clock):
    client = Client()
    device, _ = enrolled
    log_in(client, "rita")
    give_code(client, code_for(device, clock))
    response = client.post(reverse("two_factor_setup"), follow=True)
    assert "already on" in text(response)
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1


# --- Logging in -------------------------------------------------------------------------


def test_a_password_alone_does_not_log_in_an_account_with_two_factor(
    client, workspace, enrolled, clock
):
    device, _ = enrolled
    response = log_in(client, "rita")
    assert response["Location"] == reverse("two_factor_verify")
    assert not is_logged_in(client)
    # Nothing opens but the code step: the desk sends them to the log-in page.
    response = client.get(dashboard(workspace))
    assert response["Location"].startswith(reverse("login"))
    page = text(client.get(reverse("two_factor_verify")))
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page

    response = give_code(client, code_for(device, clock))
    assert response.status_code == 302
    assert is_logged_in(client) and is_verified(client)
    assert client.get(dashboard(workspace)).status_code == 200


def test_next_is_kept_through_the_code_step(client, workspace, enrolled, clock):
    device, _ = enrolled
    queue = reverse("claim_queue", args=[workspace.slug])
    log_in(client, "rita", next_url=queue)
    assert give_code(client, code_for(device, clock))["Location"] == queue


def test_next_to_another_site_is_ignored(client, enrolled, clock):
    device, _ = enrolled
    log_in(client, "rita", next_url="https://evil.example/")
    assert give_code(client, code_for(device, clock))["Location"] == reverse("home")


def test_an_account_without_two_factor_logs_in_as_before(client, reviewer, workspace):
    response = log_in(client, "rita", next_url=dashboard(workspace))
    assert response["Location"] == dashboard(workspace)
    assert is_logged_in(client) and not is_verified(client)


def test_the_session_id_changes_at_the_password_and_at_the_code(client, enrolled, clock):
    device, _ = enrolled
    client.get(reverse("login"))
    client.session.save()
    planted = client.session.session_key
    log_in(client, "rita")
    after_password = client.session.session_key
    give_code(client, code_for(device, clock))
    assert len({planted, after_password, client.session.session_key}) == 3


def test_a_code_works_once(enrolled, clock):
    device, _ = enrolled
    code = code_for(device, clock)
    first, second = Client(), Client()
    log_in(first, "rita")
    give_code(first, code)
    assert is_verified(first)
    log_in(second, "rita")
    response = give_code(second, code)  # the same code, replayed within its 30 s
    assert refused(response)
    assert not is_logged_in(second)
    clock.tick()
    give_code(second, code_for(device, clock))
    assert is_verified(second)


def test_a_recovery_code_works_once(enrolled):
    _, codes = enrolled
    client = Client()
    log_in(client, "rita")
    # As people copy them: capitals, a space.
    response = give_code(client, f" {codes[0][:4].upper()} {codes[0][4:]}")
    assert response.status_code == 302 and is_verified(client)
    assert two_factor.recovery_codes_left(enrolled[0].user) == 9
    client.post(reverse("logout"))

    log_in(client, "rita")
    response = give_code(client, codes[0])
    assert refused(response)
    assert not is_logged_in(client)
    give_code(client, codes[1])
    assert is_verified(client)


def test_a_malformed_code_is_explained_and_not_counted(client, enrolled):
    log_in(client, "rita")
    response = give_code(client, "x" * 41)
    assert response.status_code == 200
    assert "Ensure this value has at most 40 characters" in text(response)
    response = give_code(client, "12-34")
    assert "Enter the 6 digits your app shows, or a recovery code" in text(response)
    assert not AccessAttempt.objects.exists()


def test_the_code_step_without_a_password_step_sends_to_log_in(client, enrolled):
    response = give_code(client, "123456")
    assert response["Location"] == reverse("login")
    assert not AccessAttempt.objects.exists()


def test_the_password_step_expires(client, enrolled, clock, settings, monkeypatch):
    device, _ = enrolled
    log_in(client, "rita")
    real_time = two_factor.time.time
    monkeypatch.setattr(
        two_factor.time, "time", lambda: real_time() + settings.TWO_FACTOR_LOGIN_SECONDS + 1
    )
    response = give_code(client, code_for(device, clock))
    assert response["Location"] == reverse("login")
    assert not is_logged_in(client)


def test_an_inactive_account_cannot_finish_logging_in(client, reviewer, enrolled, clock):
    device, _ = enrolled
    log_in(client, "rita")
    reviewer.is_active = False
    reviewer.save()
    assert give_code(client, code_for(device, clock))["Location"] == reverse("login")
    assert not is_logged_in(client)


@pytest.mark.django_db(transaction=True)
def test_one_recovery_code_used_twice_at_the_same_moment_lets_one_in(reviewer):
    """Two log-ins with a stolen-and-shared code at once: the device row is locked while a
    code is checked, so the second sees the code already used (PostgreSQL)."""
    from tests.faults.test_races import race

    _, codes = enrol(reviewer)
    results = race("use_code", [{"user": reviewer.pk, "code": codes[0]}] * 2)
    assert sorted(r["won"] for r in results) == [False, True]
    assert two_factor.recovery_codes_left(reviewer) == 9


# --- Lock-out -----------------------------------------------------------------------------


def test_wrong_codes_lock_the_account_out_like_wrong_passwords(enrolled, clock, settings):
    """5 failures (AXES_FAILURE_LIMIT) in any mix lock out; each log-in may try 3 codes."""
    assert (settings.AXES_FAILURE_LIMIT, settings.TWO_FACTOR_CODE_ATTEMPTS) == (5, 3)
    device, _ = enrolled
    client = Client()
    log_in(client, "rita")
    for _ in range(2):
        assert refused(give_code(client, WRONG_CODE))
    # The third wrong code uses up this log-in: the password is asked for again.
    response = give_code(client, WRONG_CODE)
    assert response["Location"] == reverse("login")
    assert give_code(client, code_for(device, clock))["Location"] == reverse("login")
    assert not is_logged_in(client)

    assert log_in(client, "rita")["Location"] == reverse("two_factor_verify")
    assert refused(give_code(client, WRONG_CODE))  # 4th failure
    response = give_code(client, WRONG_CODE)  # 5th: locked out
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in text(response)
    assert AccessAttempt.objects.get(username="rita").failures_since_start == 5
    # Locked: neither the right code nor the right password gets in.
    assert give_code(client, code_for(device, clock))["Location"] == reverse("login")
    assert log_in(client, "rita").status_code == 429
    assert not is_logged_in(client)


def test_a_locked_out_account_cannot_keep_guessing_in_a_session_it_had_opened(enrolled, clock):
    """The password step was done before the lock; codes are still refused once locked."""
    device, _ = enrolled
    victim_session = Client()
    log_in(victim_session, "rita")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "rita", "wrong-password")
    response = give_code(victim_session, code_for(device, clock))
    assert response.status_code == 429
    assert not is_logged_in(victim_session)
    # And the password step was thrown away.
    assert give_code(victim_session, code_for(device, clock))["Location"] == reverse("login")


def test_wrong_passwords_then_a_right_password_do_not_reset_the_count(enrolled, clock):
    """Only a complete log-in (password and code) resets django-axes' count."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(Client(), "rita", "wrong-password")
    client = Client()
    log_in(client, "rita")  # right password: not a log-in yet
    assert give_code(client, WRONG_CODE).status_code == 429


def test_a_complete_log_in_resets_the_count(enrolled, clock):
    device, _ = enrolled
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(Client(), "rita", "wrong-password")
    client = Client()
    log_in(client, "rita")
    give_code(client, code_for(device, clock))
    assert is_verified(client)
    assert not AccessAttempt.objects.filter(username="rita").exists()


def test_codes_are_not_stored_with_the_failed_attempt(client, enrolled):
    log_in(client, "rita")
    give_code(client, "424242")
    attempt = AccessAttempt.objects.get(username="rita")
    assert "424242" not in attempt.post_data


def test_the_device_backs_off_after_a_wrong_code(settings, enrolled, clock):
    """django-otp's own throttle: after a wrong code the device refuses every code for 1 s,
    then 2 s, 4 s ...; whoever holds the password cannot try codes fast from many places."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device, _ = enrolled
    client = Client()
    log_in(client, "rita")
    give_code(client, WRONG_CODE)
    response = give_code(client, code_for(device, clock))
    assert refused(response, "Too many wrong codes: wait 1 s")
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=device.created_at)
    assert give_code(client, code_for(device, clock)).status_code == 302


# --- Logged-in sessions from before two-factor was on -----------------------------------


def test_a_session_that_never_gave_a_code_is_asked_for_one_everywhere(
    reviewer, workspace, enrolled, clock
):
    """force_login stands for a session opened before two-factor was turned on elsewhere."""
    device, _ = enrolled
    client = client_for(reviewer)
    for url in (dashboard(workspace), reverse("workspace_list"), reverse("two_factor")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('two_factor_verify')}?{urlencode({'next': url})}"
    # Turning it off, or new recovery codes, need a verified session first.
    data = {"password": PASSWORD, "code": WRONG_CODE}
    assert client.post(reverse("two_factor_turn_off"), data).status_code == 302
    assert TOTPDevice.objects.filter(user=reviewer).exists()
    page = text(client.get(reverse("two_factor_verify") + f"?next={dashboard(workspace)}"))
    assert "Log out" in page
    response = client.post(
        reverse("two_factor_verify"),
        {"code": code_for(device, clock), "next": dashboard(workspace)},
    )
    assert response["Location"] == dashboard(workspace)
    assert client.get(dashboard(workspace)).status_code == 200


def test_such_a_session_is_logged_out_after_its_wrong_codes(reviewer, enrolled, settings):
    client = client_for(reviewer)
    for _ in range(settings.TWO_FACTOR_CODE_ATTEMPTS - 1):
        assert refused(give_code(client, WRONG_CODE))
        assert is_logged_in(client)
    response = give_code(client, WRONG_CODE)
    assert response["Location"] == reverse("login")
    assert not is_logged_in(client)
    assert AccessAttempt.objects.get(username="rita").failures_since_start == 3


# --- Requiring it ---------------------------------------------------------------------------


def test_a_workspace_that_requires_it_sends_members_to_set_it_up(reviewer_client, workspace, clock):
    require_workspace(workspace)
    response = reviewer_client.get(dashboard(workspace))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor')}?next=%2Fw%2Fdaily-example%2F"
    page = text(reviewer_client.get(response["Location"]))
    assert "Daily Example requires two-factor sign-in. Set it up to continue." in page
    assert "Required by Daily Example" in page

    # Set it up; the recovery codes page offers the way back.
    reviewer_client.post(reverse("two_factor_setup"), {"next": dashboard(workspace)})
    device = TOTPDevice.objects.get(user__username="rita")
    response = reviewer_client.post(
        reverse("two_factor_confirm"),
        {"code": code_for(device, clock), "next": dashboard(workspace)},
    )
    assert f'href="{dashboard(workspace)}">Continue' in text(response)
    assert reviewer_client.get(dashboard(workspace)).status_code == 200


def test_every_page_of_that_workspace_is_closed_and_nothing_changes(editor_client, workspace):
    require_workspace(workspace)
    verdict = VerdictFactory(claim__article__workspace=workspace)
    pages = [
        reverse("claim_queue", args=[workspace.slug]),
        reverse("claim_detail", args=[workspace.slug, verdict.claim_id]),
        reverse("queue_export", args=[workspace.slug]) + "?format=csv",
    ]
    for url in pages:
        assert editor_client.get(url)["Location"].startswith(reverse("two_factor"))
    response = editor_client.post(
        reverse("comment_add", args=[workspace.slug, verdict.claim_id]), {"body": "hello"}
    )
    assert response["Location"] == reverse("two_factor")  # a POST has no page to come back to
    assert not verdict.claim.comments.exists()


def test_htmx_and_json_requests_get_answers_they_can_follow(reviewer_client, workspace):
    require_workspace(workspace)
    queue = reverse("claim_queue", args=[workspace.slug])
    response = reviewer_client.get(
        queue, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{queue}"}
    )
    assert response.status_code == 200
    assert (
        response["HX-Redirect"] == f"{reverse('two_factor')}?next=%2Fw%2Fdaily-example%2Fqueue%2F"
    )
    response = reviewer_client.get(queue, headers={"Accept": "application/json"})
    assert response.status_code == 403
    body = json.loads(response.content)
    assert body["error"].startswith("Daily Example requires two-factor sign-in")
    assert body["location"].startswith(reverse("two_factor"))


def test_other_workspaces_stay_open(reviewer, reviewer_client, workspace, other_workspace):
    MembershipFactory(user=reviewer, workspace=other_workspace, role=Role.REVIEWER)
    require_workspace(workspace)
    assert reviewer_client.get(dashboard(other_workspace)).status_code == 200
    assert reviewer_client.get(reverse("workspace_list")).status_code == 200
    assert reviewer_client.get(reverse("notifications")).status_code == 200
    assert reviewer_client.get(dashboard(workspace)).status_code == 302


def test_outsiders_still_get_not_found_not_the_requirement(outsider_client, workspace):
    require_workspace(workspace)
    assert outsider_client.get(dashboard(workspace)).status_code == 404


def test_the_requirement_adds_no_query_to_workspace_pages(
    reviewer_client, workspace, django_assert_num_queries
):
    """The flags come with the membership: the page costs what it did before two-factor
    (session, user, membership, its count, the menu's notifications and memberships)."""
    url = reverse("my_claims", args=[workspace.slug])
    reviewer_client.get(url)
    with django_assert_num_queries(6):
        assert reviewer_client.get(url).status_code == 200
    require_workspace(workspace)
    with django_assert_num_queries(3):  # session, user, membership: then the redirect
        assert reviewer_client.get(url).status_code == 302


def test_the_site_requirement_closes_every_logged_in_page_but_the_way_out(
    reviewer_client, workspace, other_workspace, clock
):
    require_site()
    verdict = VerdictFactory(
        claim__article__workspace=workspace,
        status="published",
        approved_by=UserFactory(),
        published_at=timezone.now(),
    )
    closed = [
        reverse("home"),
        reverse("workspace_list"),
        reverse("notifications"),
        reverse("password_change"),
        dashboard(workspace),
    ]
    for url in closed:
        response = reviewer_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor")), url
    page = text(reviewer_client.get(reverse("two_factor"), follow=True))
    assert "This site requires two-factor sign-in. Set it up to continue." in page
    assert "Required by this site" in page
    assert (
        reviewer_client.get(
            reverse("public_verdict", args=[workspace.slug, verdict.pk])
        ).status_code
        == 200
    )

    reviewer_client.post(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user__username="rita")
    reviewer_client.post(reverse("two_factor_confirm"), {"code": code_for(device, clock)})
    for url in closed:
        assert reviewer_client.get(url, follow=True).status_code == 200, url


def test_under_the_site_requirement_logging_out_still_works(reviewer_client):
    require_site()
    assert reviewer_client.post(reverse("logout"))["Location"] == reverse("login")
    assert SESSION_KEY not in reviewer_client.session


def test_the_site_requirement_covers_the_admin(db, clock):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    require_site()
    response = client_for(root).get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor"))


def test_without_any_requirement_nobody_is_sent_anywhere(reviewer_client, workspace):
    assert reviewer_client.get(dashboard(workspace)).status_code == 200
    assert reviewer_client.get(reverse("two_factor")).status_code == 200


# --- The admin's log-in page ---------------------------------------------------------------


def test_the_admin_login_asks_an_operator_for_the_code_too(db, clock):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    device, _ = enrol(root)
    client = Client()
    page = text(client.get(reverse("admin:login") + "?next=/admin/"))
    assert "instance administration" in page.lower()
    response = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": "root", "password": PASSWORD}
    )
    assert response["Location"] == reverse("two_factor_verify")
    assert not is_logged_in(client)
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))
    assert give_code(client, code_for(device, clock))["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


# --- Workspace setting --------------------------------------------------------------------


def save_requirement(client, workspace, on=True):
    data = {"require_two_factor": "on"} if on else {}
    return client.post(reverse("workspace_two_factor", args=[workspace.slug]), data)


def test_an_admin_requires_it_after_turning_it_on_for_themselves(admin_member, workspace, clock):
    admin = client_for(admin_member)
    page = text(admin.get(reverse("workspace_settings", args=[workspace.slug])))
    assert "Members using two-factor sign-in: 0 of 1." in page
    response = save_requirement(admin, workspace)
    assert response.status_code == 400
    assert "Turn on two-factor sign-in for your own account first" in text(response)
    workspace.refresh_from_db()
    assert not workspace.require_two_factor

    admin.post(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=admin_member)
    admin.post(reverse("two_factor_confirm"), {"code": code_for(device, clock)})
    response = save_requirement(admin, workspace)
    assert response["Location"] == reverse("workspace_settings", args=[workspace.slug])
    workspace.refresh_from_db()
    assert workspace.require_two_factor
    page = text(admin.get(reverse("workspace_settings", args=[workspace.slug])))
    assert "Daily Example now requires two-factor sign-in." in page
    assert "Members using two-factor sign-in: 1 of 1." in page
    save_requirement(admin, workspace, on=False)
    workspace.refresh_from_db()
    assert not workspace.require_two_factor


def test_only_admins_of_the_workspace_set_the_requirement(
    editor_client, outsider_client, workspace
):
    assert save_requirement(editor_client, workspace).status_code == 403
    assert save_requirement(outsider_client, workspace).status_code == 404
    url = reverse("workspace_two_factor", args=[workspace.slug])
    assert editor_client.get(url).status_code == 405
    workspace.refresh_from_db()
    assert not workspace.require_two_factor


# --- Recovery codes and turning it off -----------------------------------------------------


@pytest.fixture
def verified_client(reviewer, enrolled, clock):
    client = Client()
    log_in(client, "rita")
    give_code(client, code_for(enrolled[0], clock))
    clock.tick()
    assert is_verified(client)
    return client


def test_new_recovery_codes_need_the_password_and_replace_the_old(
    verified_client, reviewer, enrolled
):
    _, old = enrolled
    url = reverse("two_factor_recovery_codes")
    response = verified_client.post(url, {"password": "not-it"})
    assert response.status_code == 400
    assert "That is not your password." in text(response)
    assert AccessAttempt.objects.get(username="rita").failures_since_start == 1
    response = verified_client.post(url, {"password": PASSWORD})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", text(response))
    assert len(new) == 10 and not set(new) & set(old)
    verified_client.post(reverse("logout"))
    client = Client()
    log_in(client, "rita")
    assert refused(give_code(client, old[1]))
    assert give_code(client, new[0]).status_code == 302


def test_turning_it_off_needs_the_password_and_a_code(verified_client, reviewer, enrolled, clock):
    device, codes = enrolled
    url = reverse("two_factor_turn_off")
    response = verified_client.post(url, {"password": "not-it", "code": code_for(device, clock)})
    assert response.status_code == 400 and "That is not your password." in text(response)
    response = verified_client.post(url, {"password": PASSWORD, "code": WRONG_CODE})
    assert response.status_code == 400 and "That code is not right." in text(response)
    response = verified_client.post(url, {"password": PASSWORD})
    assert response.status_code == 400 and "This field is required." in text(response)
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    assert AccessAttempt.objects.get(username="rita").failures_since_start == 2

    response = verified_client.post(url, {"password": PASSWORD, "code": codes[3]}, follow=True)
    assert "Two-factor sign-in is off for your account." in text(response)
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticToken.objects.filter(device__user=reviewer).exists()
    verified_client.post(reverse("logout"))
    client = Client()
    assert log_in(client, "rita")["Location"] == reverse("home")
    assert is_logged_in(client)


def test_turning_it_off_is_locked_like_a_log_in(verified_client, reviewer, enrolled, clock):
    device, _ = enrolled
    url = reverse("two_factor_turn_off")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = verified_client.post(url, {"password": PASSWORD, "code": WRONG_CODE})
    assert response.status_code == 429
    response = verified_client.post(url, {"password": PASSWORD, "code": code_for(device, clock)})
    assert response.status_code == 429
    assert TOTPDevice.objects.filter(user=reviewer).exists()


def test_turning_it_off_when_it_is_not_on_explains(reviewer_client):
    response = reviewer_client.post(
        reverse("two_factor_turn_off"), {"password": PASSWORD, "code": WRONG_CODE}, follow=True
    )
    assert "not on for your account" in text(response)
    assert not AccessAttempt.objects.exists()


def test_nobody_touches_another_accounts_devices(reviewer, enrolled, editor_client, editor, clock):
    """Every view works on the logged-in account only: an editor's attempts with rita's
    codes do nothing to rita's devices."""
    device, codes = enrolled
    editor_client.post(reverse("two_factor_setup"))
    editor_client.post(reverse("two_factor_confirm"), {"code": code_for(device, clock)})
    editor_client.post(reverse("two_factor_turn_off"), {"password": PASSWORD, "code": codes[0]})
    editor_client.post(reverse("two_factor_recovery_codes"), {"password": PASSWORD})
    assert TOTPDevice.objects.get(user=reviewer).confirmed
    assert two_factor.recovery_codes_left(reviewer) == 10
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


# --- Access to the new views ------------------------------------------------------------------

ACCOUNT_VIEWS = [
    "two_factor_setup",
    "two_factor_confirm",
    "two_factor_recovery_codes",
    "two_factor_turn_off",
]


@pytest.mark.parametrize("name", ["two_factor", *ACCOUNT_VIEWS])
def test_anonymous_is_sent_to_log_in(client, db, name):
    for response in (client.get(reverse(name)), client.post(reverse(name))):
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("name", ACCOUNT_VIEWS)
def test_the_changes_refuse_get(reviewer_client, name):
    assert reviewer_client.get(reverse(name)).status_code == 405
    assert not TOTPDevice.objects.exists()


def test_the_settings_page_refuses_post(reviewer_client):
    assert reviewer_client.post(reverse("two_factor")).status_code == 405


def test_the_code_step_refuses_other_methods(client, db):
    assert client.put(reverse("two_factor_verify")).status_code == 405


@pytest.mark.parametrize("state", ["off", "pending", "on"])
def test_settings_page_query_count(reviewer, enrolled, clock, state, django_assert_num_queries):
    if state == "on":
        client = Client()
        log_in(client, "rita")
        give_code(client, code_for(enrolled[0], clock))
    else:
        two_factor.turn_off(reviewer)
        client = client_for(reviewer)
        if state == "pending":
            two_factor.start_enrolment(reviewer)
    # Session, user; off or half set up: the middleware's look (enrolled? site rule?), the
    # pending device; on: the device that verified the session, the recovery codes left.
    # Then enrolled?, two for "required by", the menu's notifications and memberships.
    with django_assert_num_queries(9):
        assert client.get(reverse("two_factor")).status_code == 200


# --- The operator's reset -------------------------------------------------------------------


def test_an_operator_resets_a_lost_device(verified_client, reviewer, workspace, enrolled):
    require_workspace(workspace)
    assert verified_client.get(dashboard(workspace)).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "rita", "wrong-password")
    call_command("reset_two_factor", "rita")
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticToken.objects.filter(device__user=reviewer).exists()
    assert not AccessAttempt.objects.filter(username="rita").exists()
    # Sessions verified with the old device no longer count as verified.
    assert verified_client.get(dashboard(workspace))["Location"].startswith(reverse("two_factor"))
    client = Client()
    log_in(client, "rita")
    assert is_logged_in(client)


def test_the_reset_command_names_its_errors(db, capsys):
    with pytest.raises(CommandError, match="No account with the user name 'ghost'"):
        call_command("reset_two_factor", "ghost")
    UserFactory(username="plain")
    call_command("reset_two_factor", "plain")
    assert "nothing to reset" in capsys.readouterr().out


def test_confirming_again_once_on_adds_no_second_app(reviewer, enrolled, clock):
    """A set-up started in another tab before two-factor was turned on cannot add a second
    app: codes would then be checked against either."""
    client = Client()
    log_in(client, "rita")
    give_code(client, code_for(enrolled[0], clock))
    device = TOTPDevice.objects.create(user=reviewer, name="second", confirmed=False)
    response = client.post(
        reverse("two_factor_confirm"), {"code": code_for(device, clock)}, follow=True
    )
    assert "Two-factor sign-in is already on." in text(response)
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).count() == 1


def test_an_operator_owing_a_code_can_still_log_out_of_the_admin(db, client, clock):
    operator = UserFactory(username="op", is_superuser=True, is_staff=True)
    enrol(operator)
    client.force_login(operator)  # a password-only session: it owes a code
    response = client.post(reverse("admin:logout"))
    assert "two-factor" not in response.get("Location", "")
    assert not is_logged_in(client)
