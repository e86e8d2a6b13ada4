"""Password guessing: django-axes locks a user name + client address out after repeated failures.

The client address is REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the address
the proxies saw (X-Forwarded-For). Tests take the axes settings from the settings module as it
computes them for each TRUSTED_PROXY_COUNT (see envsettings.py).
"""

import ipaddress

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.security.envsettings import computed_settings
from tests.security.markup import live_markup, parse

WRONG = "not-the-password"
ATTACKER = "198.51.100.66"
COLLEAGUE = "198.51.100.77"
PROXY = "10.0.0.2"


def use_axes_settings(settings, trusted_proxies: int) -> None:
    computed = computed_settings(
        prefixes=("AXES_", "TRUSTED_PROXY"), TRUSTED_PROXY_COUNT=str(trusted_proxies)
    )
    for name, value in computed.items():
        setattr(settings, name, value)


@pytest.fixture
def no_proxy(settings):
    use_axes_settings(settings, 0)


@pytest.fixture
def one_proxy(settings):
    use_axes_settings(settings, 1)


@pytest.fixture
def user(db):
    return UserFactory(username="victim")


def log_in(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def fail_until_locked(client, username, **meta):
    """Guess wrong as often as the limit allows; the form answers normally until the last."""
    responses = [
        log_in(client, username, WRONG, **meta) for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    for response in responses[:-1]:
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content


def is_locked(response) -> bool:
    return response.status_code == 429


def test_the_right_password_is_refused_once_locked_out(client, user, no_proxy):
    fail_until_locked(client, user.username, REMOTE_ADDR=ATTACKER)
    response = log_in(client, user.username, PASSWORD, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    page = parse("locked out", response.content.decode())
    assert page.shows("Too many failed log-in attempts")
    assert any(e.get("href") == reverse("password_reset") for e in page.elements)
    assert live_markup(page) == []
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_one_failure_short_of_the_limit_still_lets_the_user_in(client, user, no_proxy):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, user.username, WRONG, REMOTE_ADDR=ATTACKER)
    assert log_in(client, user.username, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302


def test_a_successful_login_resets_the_count(client, user, no_proxy):
    for _ in range(2):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            log_in(client, user.username, WRONG, REMOTE_ADDR=ATTACKER)
        response = log_in(client, user.username, PASSWORD, REMOTE_ADDR=ATTACKER)
        assert response.status_code == 302
        client.post(reverse("logout"))


def test_the_lock_is_per_address_and_per_user_name(user, no_proxy):
    fail_until_locked(Client(), user.username, REMOTE_ADDR=ATTACKER)
    assert is_locked(log_in(Client(), user.username, PASSWORD, REMOTE_ADDR=ATTACKER))
    # The same account from another address, another account from the attacker's address.
    assert log_in(Client(), user.username, PASSWORD, REMOTE_ADDR=COLLEAGUE).status_code == 302
    UserFactory(username="neighbour")
    assert log_in(Client(), "neighbour", PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302


def test_admin_login_counts_towards_the_same_lock(user, no_proxy):
    user.is_superuser = True  # the admin is for operators only
    user.save()
    admin_login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            admin_login, {"username": user.username, "password": WRONG}, REMOTE_ADDR=ATTACKER
        )
    assert is_locked(log_in(Client(), user.username, PASSWORD, REMOTE_ADDR=ATTACKER))


def test_without_a_trusted_proxy_forwarded_for_is_ignored(user, no_proxy):
    """An attacker who makes up a new X-Forwarded-For for every guess is still one client."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(
            Client(),
            user.username,
            WRONG,
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = log_in(
        Client(), user.username, PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert is_locked(response)


def test_behind_a_proxy_clients_are_told_apart_by_forwarded_for(user, one_proxy):
    """Everyone arrives from the proxy's address; the proxy says who they are."""
    fail_until_locked(Client(), user.username, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert is_locked(
        log_in(Client(), user.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    )
    # The account's owner, behind the same proxy, is not locked out by the attacker.
    response = log_in(
        Client(), user.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=COLLEAGUE
    )
    assert response.status_code == 302


def test_behind_a_proxy_a_forged_forwarded_for_does_not_dodge_the_lock(user, one_proxy):
    """The proxy appends the address it saw to whatever X-Forwarded-For the client sent:
    only that last entry is the proxy's word; the ones before it are the client's invention."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        forged = f"192.0.2.{n}, {ATTACKER}"
        log_in(Client(), user.username, WRONG, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged)
    response = log_in(
        Client(),
        user.username,
        PASSWORD,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"192.0.2.99, {ATTACKER}",
    )
    assert is_locked(response)


@pytest.mark.parametrize("forwarded", ["unknown", "198.51.100.7:4711", "[2001:db8::7]:4711"])
def test_behind_a_proxy_a_forwarded_for_that_is_no_address_still_gets_the_form(
    user, one_proxy, forwarded
):
    """Some proxies write "unknown", some add the port; a miscounted chain hands the entry to
    the client. The form must still answer, and what is stored must be an address (PostgreSQL
    refuses anything else)."""
    response = log_in(
        Client(), user.username, WRONG, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )
    assert response.status_code == 200
    [stored] = AccessAttempt.objects.values_list("ip_address", flat=True)
    assert ipaddress.ip_address(stored)


# --- Sessions -------------------------------------------------------------------------------


def session_client(session_key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def is_logged_in(client) -> bool:
    response = client.get(reverse("workspace_list"))
    return response.status_code == 200


def test_a_session_planted_before_login_is_not_logged_in_after_it(user, no_proxy):
    """Session fixation: an attacker who gave the victim a session id learns nothing."""
    planted = SessionStore()
    planted["next_step"] = "anything"
    planted.create()
    victim = session_client(planted.session_key)
    assert log_in(victim, user.username, PASSWORD).status_code == 302
    assert victim.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    assert is_logged_in(victim)
    assert not is_logged_in(session_client(planted.session_key))


def test_logging_out_ends_the_session_on_the_server(user, no_proxy):
    client = Client()
    log_in(client, user.username, PASSWORD)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert is_logged_in(session_client(stolen))
    assert client.post(reverse("logout")).status_code == 302
    # A copy of the cookie taken before logging out (another tab, a thief) no longer works.
    assert not is_logged_in(session_client(stolen))
