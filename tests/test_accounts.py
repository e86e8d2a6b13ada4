"""Logging in and out, changing and resetting a password, choosing a workspace."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from claims.models import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_renders(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_login_takes_a_single_workspace_member_to_their_dashboard(client, reviewer, workspace):
    response = login(client, reviewer.username)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", args=[workspace.slug])


def test_member_of_several_workspaces_chooses(client, reviewer, workspace, other_workspace):
    MembershipFactory(user=reviewer, workspace=other_workspace, role=Role.EDITOR)
    login(client, reviewer.username)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("workspace_list")
    page = client.get(reverse("workspace_list")).content.decode()
    assert workspace.name in page and other_workspace.name in page
    # Having opened one, they come back to it next time.
    client.get(reverse("dashboard", args=[other_workspace.slug]))
    assert client.get(reverse("home"))["Location"] == reverse(
        "dashboard", args=[other_workspace.slug]
    )


def test_workspace_list_shows_only_mine(client, reviewer, workspace, other_workspace):
    login(client, reviewer.username)
    page = client.get(reverse("workspace_list")).content.decode()
    assert workspace.name in page
    assert other_workspace.name not in page


def test_user_without_workspace_is_told(client, db):
    UserFactory(username="lonely")
    login(client, "lonely")
    page = client.get(reverse("workspace_list")).content.decode()
    assert "not a member of any workspace" in page


def test_wrong_password_is_refused_with_a_message(client, reviewer):
    response = login(client, reviewer.username, "wrong")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert SESSION_KEY not in client.session


def test_session_id_changes_on_login(client, reviewer):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    login(client, reviewer.username)
    assert client.session.session_key != before


def test_logout_is_post_only_and_ends_the_session(client, reviewer):
    login(client, reviewer.username)
    session_key = client.session.session_key
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("workspace_list")).status_code == 302


def test_password_change(client, reviewer):
    login(client, reviewer.username)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    reviewer.refresh_from_db()
    assert reviewer.check_password("a-new-long-passphrase")


def test_password_change_needs_the_old_password(client, reviewer):
    login(client, reviewer.username)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "x-y-z-w-q-1", "new_password2": "x-y-z-w-q-1"},
    )
    assert response.status_code == 200
    reviewer.refresh_from_db()
    assert reviewer.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_reset_by_email(client, reviewer):
    response = client.post(reverse("password_reset"), {"email": reviewer.email})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [reviewer.email]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"new_password1": "fresh-start-2026", "new_password2": "fresh-start-2026"}
    )
    assert response["Location"] == reverse("password_reset_complete")
    reviewer.refresh_from_db()
    assert reviewer.check_password("fresh-start-2026")
    # The link works once.
    assert b"This link has expired" in client.get(link, follow=True).content


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_reviewer_cannot_open_a_workspace_they_left(client, reviewer, workspace):
    login(client, reviewer.username)
    assert client.get(reverse("dashboard", args=[workspace.slug])).status_code == 200
    reviewer.memberships.all().delete()
    assert client.get(reverse("dashboard", args=[workspace.slug])).status_code == 404


def test_other_workspace_dashboard_is_not_found(client, reviewer):
    login(client, reviewer.username)
    WorkspaceFactory(slug="secret-desk")
    assert client.get(reverse("dashboard", args=["secret-desk"])).status_code == 404
