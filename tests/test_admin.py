"""The Django admin: every model registered; staff see only their workspaces."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from claims.models import Role
from tests.factories import (
    ClaimFactory,
    CommentFactory,
    MembershipFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)


def test_every_model_is_registered():
    for model in apps.get_app_config("claims").get_models():
        assert admin.site.is_registered(model), model


@pytest.fixture
def two_desks(workspace, other_workspace):
    ours = ClaimFactory(article__workspace=workspace, article__title="Our story")
    theirs = ClaimFactory(article__workspace=other_workspace, article__title="Their story")
    for claim in (ours, theirs):
        SourceFactory(claim=claim)
        CommentFactory(claim=claim)
        VerdictFactory(claim=claim)
    return ours, theirs


@pytest.fixture
def staff_admin_client(workspace):
    """A workspace admin with staff access, not a superuser."""
    user = UserFactory(username="desk-admin", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="claims"))
    MembershipFactory(user=user, workspace=workspace, role=Role.ADMIN)
    client = Client()
    client.force_login(user)
    return client


MODELS = [m._meta.model_name for m in apps.get_app_config("claims").get_models()]


@pytest.mark.parametrize("model", MODELS)
def test_staff_changelists_show_only_their_workspace(staff_admin_client, two_desks, model):
    response = staff_admin_client.get(reverse(f"admin:claims_{model}_changelist"))
    assert response.status_code == 200
    assert b"Their story" not in response.content
    assert b"Rival Desk" not in response.content


def test_staff_cannot_open_another_workspaces_object(staff_admin_client, two_desks):
    _, theirs = two_desks
    response = staff_admin_client.get(
        reverse("admin:claims_article_change", args=[theirs.article.pk])
    )
    assert response.status_code == 302  # the admin's "doesn't exist" redirect
    assert response["Location"] == reverse("admin:index")


def test_staff_sees_their_own_workspaces_objects(staff_admin_client, two_desks):
    ours, _ = two_desks
    response = staff_admin_client.get(reverse("admin:claims_article_changelist"))
    assert b"Our story" in response.content
    response = staff_admin_client.get(
        reverse("admin:claims_article_change", args=[ours.article.pk])
    )
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_superuser_sees_everything(admin_client, two_desks, model):
    response = admin_client.get(reverse(f"admin:claims_{model}_changelist"))
    assert response.status_code == 200


def test_superuser_sees_both_desks(admin_client, two_desks):
    response = admin_client.get(reverse("admin:claims_article_changelist"))
    assert b"Our story" in response.content and b"Their story" in response.content


def test_reviewer_without_staff_cannot_use_the_admin(reviewer_client):
    response = reviewer_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
