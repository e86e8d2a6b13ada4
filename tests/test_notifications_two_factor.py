"""Notifications and the two-factor requirement (claims/two_factor.py `may_open`).

/notifications/ and the header's unread count are not workspace pages, so get_membership does
not guard them: they must leave out the notifications of a workspace the session may not open
yet, and "mark all as read" must not touch those.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims import two_factor
from claims.models import Notification, Role, SitePolicy, Workspace
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.test_two_factor import Clock, code_for, dashboard, text


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(totp_models, "time", clock)
    return clock


@pytest.fixture
def both(reviewer, workspace, other_workspace):
    """rita in Daily Example, which requires two-factor sign-in, and in Rival Desk, which
    does not; one unread notification from each. She has not set two-factor up."""
    MembershipFactory(user=reviewer, workspace=other_workspace, role=Role.REVIEWER)
    workspace.require_two_factor = True
    workspace.save()
    for ws, message in ((workspace, "Daily secret"), (other_workspace, "Rival news")):
        Notification.objects.create(recipient=reviewer, workspace=ws, message=message)
    return workspace, other_workspace


def unread(message) -> bool:
    return Notification.objects.get(message=message).read_at is None


def test_a_workspace_that_requires_it_shows_no_notifications_until_verified(
    reviewer_client, both, clock
):
    daily, rival = both
    listing = text(reviewer_client.get(reverse("notifications")))
    assert "Rival news" in listing
    assert "Daily secret" not in listing
    header = text(reviewer_client.get(dashboard(rival)))
    assert 'aria-label="1 unread"' in header

    reviewer_client.post(reverse("notifications_read"))
    assert not unread("Rival news")
    assert unread("Daily secret")  # not hers to read yet, so not marked read either

    reviewer_client.post(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user__username="rita")
    reviewer_client.post(reverse("two_factor_confirm"), {"code": code_for(device, clock)})
    listing = text(reviewer_client.get(reverse("notifications")))
    assert "Rival news" in listing
    assert "Daily secret" in listing
    assert 'aria-label="1 unread"' in text(reviewer_client.get(dashboard(daily)))

    reviewer_client.post(reverse("notifications_read"))
    assert not unread("Daily secret")
    assert ' unread"' not in text(reviewer_client.get(dashboard(daily)))


def test_the_unread_count_leaves_out_the_closed_workspace(reviewer, reviewer_client, both):
    daily, rival = both
    Notification.objects.create(recipient=reviewer, workspace=daily, message="Daily more")
    Notification.objects.create(recipient=reviewer, workspace=rival, message="Rival more")
    assert 'aria-label="2 unread"' in text(reviewer_client.get(dashboard(rival)))
    assert 'aria-label="2 unread"' in text(reviewer_client.get(reverse("notifications")))


def test_without_a_requirement_every_workspace_is_shown(reviewer_client, both):
    daily, _ = both
    daily.require_two_factor = False
    daily.save()
    listing = text(reviewer_client.get(reverse("notifications")))
    assert "Daily secret" in listing and "Rival news" in listing
    reviewer_client.post(reverse("notifications_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_read_refuses_get(reviewer_client, both):
    assert reviewer_client.get(reverse("notifications_read")).status_code == 405
    assert unread("Daily secret") and unread("Rival news")


@pytest.mark.parametrize("rows", [1, 30])
def test_the_list_costs_the_same_for_any_number_of_rows(
    reviewer, reviewer_client, both, rows, django_assert_num_queries
):
    daily, rival = both
    for n in range(rows):
        Notification.objects.create(recipient=reviewer, workspace=rival, message=f"Rival {n}")
        Notification.objects.create(recipient=reviewer, workspace=daily, message=f"Daily {n}")
    # Session, user, the middleware's look (enrolled? site rule?), the notifications,
    # the unread count and the menu's memberships.
    with django_assert_num_queries(6):
        listing = text(reviewer_client.get(reverse("notifications")))
    assert f"Rival {rows - 1}" in listing and "Daily 0" not in listing


def test_a_verified_session_pays_the_same(reviewer, both, clock, django_assert_num_queries):
    daily, _ = both
    device = TOTPDevice.objects.create(user=reviewer, name="app", confirmed=True)
    client = Client()
    client.post(reverse("login"), {"username": "rita", "password": PASSWORD})
    client.post(reverse("two_factor_verify"), {"code": code_for(device, clock)})
    for n in range(30):
        Notification.objects.create(recipient=reviewer, workspace=daily, message=f"Daily {n}")
    # Session, user, the device that verified it, the notifications, the unread count, the
    # menu's memberships.
    with django_assert_num_queries(6):
        listing = text(client.get(reverse("notifications")))
    assert "Daily 29" in listing and "Rival news" in listing


@pytest.mark.parametrize("enrolled", [False, True])
@pytest.mark.parametrize("workspace_rule", [False, True])
@pytest.mark.parametrize("site_rule", [False, True])
def test_may_open_agrees_with_owed(db, enrolled, workspace_rule, site_rule):
    """The SQL rule and owed() give the same answer for an unverified session, in every case."""
    user = UserFactory()
    ws = Workspace.objects.create(name="W", slug="w", require_two_factor=workspace_rule)
    if enrolled:
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    SitePolicy.objects.update_or_create(pk=1, defaults={"require_two_factor": site_rule})
    opens = Workspace.objects.filter(two_factor.may_open(user, ""), pk=ws.pk).exists()
    step = two_factor.owed(verified=False, enrolled=enrolled, required=workspace_rule or site_rule)
    assert opens == (step is None)


def test_an_invitation_notice_shows_even_where_the_workspace_requires_it(reviewer, client):
    """The invitee is not a member yet: the notice is how they hear of the invitation."""
    closed = Workspace.objects.create(name="Closed Desk", slug="closed", require_two_factor=True)
    Notification.objects.create(recipient=reviewer, workspace=closed, message="Join Closed Desk")
    client.force_login(reviewer)
    assert "Join Closed Desk" in text(client.get(reverse("notifications")))
