"""The forms anyone can post to (log-in, the admin's log-in, password reset and its confirm
step) answer junk with a form error or a 400, never a server error, and change nothing.

Run on PostgreSQL too (DATABASE_URL): it refuses what SQLite silently stores (a user name
longer than django-axes' column, NUL characters).
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.http import urlsafe_base64_encode

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
BOUNDARY = "multipart/form-data; boundary=XX"


def multipart(name: bytes, value: bytes) -> bytes:
    head = b'--XX\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n'
    return head + value + b"\r\n--XX--\r\n"


# (what, content type, body): every field name the four forms read, spoiled in one way. Under
# the cap on anonymous request bodies (a bigger one is a 413 before any form sees it).
OVER_LONG = {
    "username": "u" * 300,
    "password": "p" * 5000,
    "email": "e" * 300 + "@example.org",
    "new_password1": "n" * 5000,
    "new_password2": "n" * 5000,
}
JUNK = [
    ("over-long fields", FORM, "&".join(f"{k}={v}" for k, v in OVER_LONG.items()).encode()),
    (
        "NUL characters",
        FORM,
        b"username=bo%00b&password=x%00y&email=b%00@example.org"
        b"&new_password1=Long%00enough-1&new_password2=Long%00enough-1",
    ),
    ("bytes that are not UTF-8", FORM, b"username=\xff\xfe&password=%ff%fe&email=%c3%28@x.org"),
    ("a charset nobody knows", FORM + "; charset=klingon", b"username=bob&password=x"),
    ("UTF-16 that is not", FORM + "; charset=utf-16", b"username=\xff\xfe\x00"),
    ("multipart without a boundary", "multipart/form-data", b"username=bob"),
    ("multipart cut short", BOUNDARY, b'--XX\r\nContent-Disposition: form-data; name="username"'),
    ("multipart, not UTF-8", BOUNDARY, multipart(b"username", b"\xff\xfe")),
    ("multipart, a field name not UTF-8", BOUNDARY, multipart(b"\xff", b"bob")),
    ("too many fields", FORM, b"&".join(b"f%d=1" % i for i in range(2000))),
]


@pytest.fixture
def bob():
    return UserFactory(username="bob", email="bob@example.org")


def reset_confirm_url(client, user) -> str:
    """The set-password page, as the link in the email leads to it (token kept in session)."""
    uid = urlsafe_base64_encode(str(user.pk).encode())
    token = default_token_generator.make_token(user)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]))
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize("form", ["login", "admin login", "password reset", "reset confirm"])
@pytest.mark.parametrize(("what", "content_type", "body"), JUNK, ids=[j[0] for j in JUNK])
def test_junk_is_a_form_error_or_400(bob, form, what, content_type, body):
    client = Client(raise_request_exception=False)
    path = {
        "login": reverse("login"),
        "admin login": "/admin/login/",
        "password reset": reverse("password_reset"),
        "reset confirm": None,
    }[form] or reset_confirm_url(client, bob)
    password_before = bob.password

    response = client.generic("POST", path, body, content_type=content_type)

    assert response.status_code in (200, 400), response.content[:500]
    bob.refresh_from_db()
    assert bob.password == password_before
    assert SESSION_KEY not in client.session
    assert mail.outbox == []
    assert all(len(a.username or "") <= 255 for a in AccessAttempt.objects.all())


def test_an_over_long_user_name_is_a_failed_log_in_that_counts(db, settings):
    """It was a server error (django-axes could not store it); now it is one more wrong name,
    and the lock-out still catches someone who keeps trying it."""
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(raise_request_exception=False)
    name = "x" * 5000
    codes = []
    for _ in range(4):
        response = client.post(reverse("login"), {"username": name, "password": "guess"})
        codes.append(response.status_code)
        if response.status_code == 200:
            assert "Please enter a correct" in response.content.decode()
    assert codes == [200, 200, 429, 429]  # locked out at the third failure
    assert AccessAttempt.objects.get().username == name[:255]


def test_an_over_long_user_name_on_the_admin_log_in(db):
    client = Client(raise_request_exception=False)
    response = client.post("/admin/login/", {"username": "y" * 300, "password": "guess"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "y" * 255


def test_the_real_account_still_logs_in_after_the_junk(client, bob):
    client.post(reverse("login"), {"username": "bob" + "b" * 400, "password": "guess"})
    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(bob.pk)


def test_a_password_of_thousands_of_characters_is_refused_with_a_reason(bob):
    client = Client()
    url = reset_confirm_url(client, bob)
    huge = "Correct-horse-" + "x" * 20_000
    response = client.post(url, {"new_password1": huge, "new_password2": huge})
    assert response.status_code == 200
    assert "This password is too long: at most 1024 characters." in response.content.decode()
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
    # A long passphrase well under the limit is fine.
    phrase = "correct horse battery staple " * 30
    response = client.post(url, {"new_password1": phrase, "new_password2": phrase})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password(phrase)
