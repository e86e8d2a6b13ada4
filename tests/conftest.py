"""Shared fixtures: a workspace with one member of each role, and logged-in clients."""

import pytest
from django.test import Client

from claims.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~100 ms a login; tests check behaviour, not the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Daily Example", slug="daily-example")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Rival Desk", slug="rival-desk")


def _member(workspace, username, role):
    user = UserFactory(username=username)
    MembershipFactory(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def reviewer(workspace):
    return _member(workspace, "rita", Role.REVIEWER)


@pytest.fixture
def editor(workspace):
    return _member(workspace, "eddie", Role.EDITOR)


@pytest.fixture
def admin_member(workspace):
    return _member(workspace, "ada", Role.ADMIN)


@pytest.fixture
def outsider(other_workspace):
    """A member of another workspace only."""
    return _member(other_workspace, "olga", Role.EDITOR)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    return client_for(reviewer)


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)
