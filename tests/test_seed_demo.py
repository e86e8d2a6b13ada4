"""`manage.py seed_demo` sets up the demo newsroom, and running it again changes nothing."""

import io

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from claims.models import Activity, Article, Membership, Role, User, Workspace

pytestmark = pytest.mark.django_db


def can_log_in(username, password):
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return SESSION_KEY in client.session


def snapshot():
    return (
        list(User.objects.order_by("username").values_list("username", "password")),
        list(Membership.objects.order_by("pk").values_list("user__username", "role")),
        Workspace.objects.count(),
        Article.objects.count(),
        Activity.objects.filter(verb=Activity.Verb.ARTICLE_SUBMITTED).count(),
    )


def test_creates_demo_newsroom_with_users_and_sample_article():
    out = io.StringIO()
    call_command("seed_demo", "--password", "demo-pass-123", stdout=out)
    workspace = Workspace.objects.get(name="Demo Newsroom")
    roles = dict(workspace.memberships.values_list("user__username", "role"))
    assert roles == {
        "editor": Role.EDITOR,
        "alice": Role.REVIEWER,
        "bob": Role.REVIEWER,
        "admin": Role.ADMIN,
    }
    article = workspace.articles.get()
    assert "Tren de Aragua" in article.body
    assert workspace.ratings.count() == 7
    assert "demo-pass-123" in out.getvalue()
    assert can_log_in("alice", "demo-pass-123")


def test_default_password_is_printed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "factcheck-demo" in out.getvalue()
    assert can_log_in("editor", "factcheck-demo")


def test_running_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", "--password", "something-else", stdout=out)
    assert snapshot() == before
    assert "Already there: sample article" in out.getvalue()


def test_the_demo_admin_runs_the_workspace_but_not_the_instance():
    """The demo admin is a workspace admin: no staff status, no permissions, no Django admin."""
    call_command("seed_demo", "--password", "demo-pass-123", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    assert not admin.is_staff and not admin.is_superuser
    assert admin.get_all_permissions() == set()
    assert not User.objects.filter(is_superuser=True).exists()

    operator_login = Client()
    operator_login.post(reverse("admin:login"), {"username": "admin", "password": "demo-pass-123"})
    assert SESSION_KEY not in operator_login.session

    client = Client()
    client.post(reverse("login"), {"username": "admin", "password": "demo-pass-123"})
    assert client.get(reverse("admin:index")).status_code == 302
    settings_page = client.get(reverse("workspace_settings", args=["demo-newsroom"]))
    assert settings_page.status_code == 200
