"""Inputs that name a place: `next` never sends anyone off-site, and an article address never
makes the server fetch from inside the network.

The URL form is the first line against server-side request forgery (the fetch checks the
resolved address again: tests/ingest). tests/test_article_new.py covers the plain spellings of
local addresses; here are the disguised ones, through the view.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.models import Article, Claim
from tests.factories import PASSWORD, ClaimFactory, UserFactory
from tests.security.markup import parse

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "////evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "/\t/evil.example/",
    " //evil.example/",
    "https:evil.example",
    "http:/evil.example",
    "http:///evil.example",
    "https://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "https://testserver.evil.example/",
    "//evil.example%2f@testserver/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "\x00//evil.example/",
]


C0_AND_SPACE = "".join(map(chr, range(0x21)))


def stays_on_site(location: str) -> bool:
    """A Location a browser resolves to this site: a path (absolute or relative), no host."""
    # Browsers treat a backslash as a slash, drop tabs and newlines anywhere, and skip
    # leading control characters and spaces.
    normalised = location.replace("\\", "/").translate({9: None, 10: None, 13: None})
    normalised = normalised.lstrip(C0_AND_SPACE)
    if urlsplit(normalised).scheme:
        return False
    if normalised.startswith("//"):
        # Scheme-relative: a browser skips any further slashes and reads a host.
        host = re.split(r"[/?#]", normalised.lstrip("/"), maxsplit=1)[0]
        return host == ""  # no host at all: the browser refuses to go anywhere
    return True


def test_the_check_itself_tells_on_site_from_off_site():
    assert all(not stays_on_site(target) for target in OFF_SITE)
    assert stays_on_site("/w/daily-example/queue/?status=all")


@pytest.fixture
def member(workspace):
    user = UserFactory(username="mover")
    workspace.memberships.create(user=user, role="editor")
    return user


def log_in(client, user, next_url):
    return client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": next_url}
    )


def test_login_follows_a_local_next(client, member, workspace):
    target = reverse("claim_queue", args=[workspace.slug]) + "?status=all"
    assert log_in(client, member, target)["Location"] == target


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_follows_next_off_site(member, target):
    response = log_in(Client(), member, target)
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


# Pieces of the tricks above, put together at random.
URL_PIECES = st.sampled_from(
    [
        *("/", "\\", ":", "@", ".", "?", "#", "%2f", "%5c", "%09", "\t", "\n", " ", "\x00"),
        *("http", "https", "javascript", "evil.example", "testserver", "w", "127.0.0.1"),
    ]
)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(target=st.lists(URL_PIECES, max_size=8).map("".join))
def test_login_never_follows_a_made_up_next_off_site(member, target):
    response = log_in(Client(), member, target)
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_page_does_not_carry_an_off_site_next(client, db, target):
    """The form posts `next` back: an off-site one must not even be in the page."""
    page = parse("login", client.get(reverse("login"), {"next": target}).content.decode())
    [field] = [e for e in page.elements if e.get("name") == "next"]
    assert field.get("value") == ""


@pytest.mark.parametrize("target", OFF_SITE[:6])
def test_logout_never_follows_next_off_site(member, target):
    client = Client()
    client.force_login(member)
    response = client.post(reverse("logout"), {"next": target})
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


def bulk(client, workspace, claim, next_url, **data):
    return client.post(
        reverse("queue_bulk", args=[workspace.slug]),
        {"action": "priority", "priority": 4, "claims": [claim.pk], "next": next_url, **data},
    )


def test_queue_bulk_goes_back_to_the_filtered_queue(member, workspace):
    client = Client()
    client.force_login(member)
    claim = ClaimFactory(article__workspace=workspace)
    target = reverse("claim_queue", args=[workspace.slug]) + "?status=all&sort=due"
    assert bulk(client, workspace, claim, target)["Location"] == target
    assert Claim.objects.get(pk=claim.pk).priority == 4


@pytest.mark.parametrize("target", OFF_SITE)
def test_queue_bulk_never_goes_off_site(member, workspace, target):
    client = Client()
    client.force_login(member)
    claim = ClaimFactory(article__workspace=workspace)
    queue = reverse("claim_queue", args=[workspace.slug])
    # Both ways out of the view: the action done, and the form refused.
    assert bulk(client, workspace, claim, target)["Location"] == queue
    assert bulk(client, workspace, claim, target, claims=[])["Location"] == queue


def test_a_forged_host_gets_no_page_and_no_reset_link(client, member):
    assert client.get(reverse("login"), HTTP_HOST="evil.example").status_code == 400
    response = client.post(
        reverse("password_reset"), {"email": member.email}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert mail.outbox == []


def test_password_reset_links_ignore_x_forwarded_host(client, member):
    client.post(
        reverse("password_reset"), {"email": member.email}, HTTP_X_FORWARDED_HOST="evil.example"
    )
    [message] = mail.outbox
    assert "evil.example" not in message.body
    assert "http://testserver/accounts/reset/" in message.body


# --- Article addresses ----------------------------------------------------------------------

DISGUISED_LOCAL_ADDRESSES = [
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[::]/",
    "http://0x7f000001/",
    "http://0x7f.0x0.0x0.0x1/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://017700000001/",
    "http://127.1/",
    "http://127.0.0.1./",
    "http://0/",
    "http://0.0.0.0:8000/",
    "http://2852039166/",
    "http://0xa9fea9fe/",
    "http://0251.0376.0251.0376/",
    "http://169.254.169.254./",
    "http://100.100.100.200/",
    "HTTP://127.0.0.1/",
    # Fullwidth digits, ideographic full stops, circled digits: IDNA maps them to 127.0.0.1.
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",
    "http://127\u30020\u30020\u30021/",
    "http://\u2460\u2461\u2466.0.0.1/",
    "http://localhost./",
    "http://LOCALHOST/",
    "http://api.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://router.home.arpa/",
    "http://intranet/",
    "http://news.example.org@127.0.0.1/",
    "http://127.0.0.1:6379/",
    "gopher://127.0.0.1:6379/_INFO",
    "dict://127.0.0.1:11211/stats",
    "ftp://127.0.0.1/",
    "file://localhost/etc/passwd",
]


@pytest.mark.parametrize("address", DISGUISED_LOCAL_ADDRESSES)
def test_disguised_local_addresses_are_refused_when_submitted(
    reviewer_client, workspace, address, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = reviewer_client.post(
            reverse("article_new", args=[workspace.slug]), {"source": "url", "url": address}
        )
    assert response.status_code == 200
    assert b'class="error"' in response.content
    assert not Article.objects.exists()
    assert callbacks == []  # nothing queued to fetch
