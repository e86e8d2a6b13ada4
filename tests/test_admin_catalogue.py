"""Every Django admin URL refuses everyone but an active superuser, and changes nothing.

The URL list is built from `admin.site`'s own URL patterns and `_registry`, so a model
registered tomorrow is covered without editing this file. The main visitor is a workspace admin
in the state `seed_demo` used to leave people in: staff status plus every permission there is.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, reverse

from claims.models import Claim, Correction, Membership, Role, User
from tests.admin_world import build_admin_world
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory

ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


@pytest.fixture
def world(workspace, other_workspace):
    return build_admin_world(workspace, other_workspace)


def fill(route: str, **values) -> str:
    """The route with its <arguments> replaced; an unknown argument is a KeyError here."""
    return ROUTE_ARGUMENT.sub(lambda m: str(values[m[1]]), route)


def admin_urls(world) -> list[str]:
    """Every URL of the admin site, with the ids of real rows (ours and theirs) filled in."""
    root = reverse("admin:index")
    by_route = {f"{m._meta.app_label}/{m._meta.model_name}/": m for m in admin.site._registry}
    urls = []
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):  # one model's pages
            model = by_route[str(pattern.pattern)]
            for page in pattern.url_patterns:
                for row in world.targets(model):
                    route = fill(str(page.pattern), object_id=row.pk, id=row.pk, pk=row.pk)
                    urls.append(root + str(pattern.pattern) + route)
        elif pattern.name == "app_list":
            labels = {m._meta.app_label for m in admin.site._registry}
            urls += [reverse("admin:app_list", args=[label]) for label in sorted(labels)]
        elif pattern.name == "view_on_site":
            for model in admin.site._registry:
                for row in world.targets(model):
                    content_type = ContentType.objects.get_for_model(model)
                    urls.append(reverse("admin:view_on_site", args=[content_type.pk, row.pk]))
        elif pattern.name is None:  # the catch-all that answers unknown admin paths
            urls.append(root + "no-such-page/")
        elif pattern.name != "login":  # the login form is public; tested below
            urls.append(reverse(f"admin:{pattern.name}"))
    return list(dict.fromkeys(urls))


def hostile_form(world) -> dict:
    """What an attacker would post anywhere: flags, a password, another desk's ids."""
    theirs = world.theirs.rows
    return {
        "username": world.attacker.username,
        "is_superuser": "on",
        "is_staff": "on",
        "is_active": "on",
        "password1": "Taken-Over-2026!",
        "password2": "Taken-Over-2026!",
        "verdict": theirs[Correction].verdict_id,
        "reason": "Corrected by an outsider.",
        "new_summary": "Whatever we like.",
        "workspace": theirs[Membership].workspace_id,
        "user": world.attacker.pk,
        "role": Role.ADMIN,
        "require_two_factor": "",
        "post": "yes",  # confirms a delete
        "action": "delete_selected",
        "_selected_action": [row.pk for row in theirs.values()],
    }


def snapshot():
    """Every row the admin could touch, plus users' flags, permissions and the admin's log."""
    state = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in admin.site._registry
    }
    state["permissions"] = list(User.user_permissions.through.objects.order_by("pk").values())
    state["groups"] = list(User.groups.through.objects.order_by("pk").values())
    state["log"] = LogEntry.objects.count()
    return state


def refused(response, url) -> bool:
    if response.status_code == 403:
        return True
    location = response.get("Location", "")
    if url == reverse("admin:logout"):  # the admin sends a non-operator's logout to the index
        return response.status_code == 302 and location == reverse("admin:index")
    return response.status_code == 302 and location.startswith(reverse("admin:login") + "?")


VISITORS = ["staff workspace admin", "workspace admin", "inactive superuser", "anonymous"]


def visitor(world, kind) -> Client:
    if kind == "staff workspace admin":
        return client_for(world.attacker)
    if kind == "workspace admin":
        user = UserFactory(username="plain-admin")
        world.ours.workspace.memberships.create(user=user, role=Role.ADMIN)
        return client_for(user)
    if kind == "inactive superuser":
        return client_for(UserFactory(username="retired", is_superuser=True, is_active=False))
    return Client()


def test_the_catalogue_reaches_every_kind_of_admin_page(world):
    urls = admin_urls(world)
    theirs = world.theirs.rows
    correction = theirs[Correction]
    claim_type = ContentType.objects.get_for_model(Claim)
    expected = {
        reverse("admin:index"),
        reverse("admin:app_list", args=["claims"]),
        reverse("admin:password_change"),
        reverse("admin:claims_correction_add"),
        reverse("admin:claims_correction_change", args=[correction.pk]),
        reverse("admin:claims_correction_delete", args=[correction.pk]),
        reverse("admin:claims_correction_history", args=[correction.pk]),
        reverse("admin:claims_user_change", args=[world.shared.pk]),
        reverse("admin:auth_user_password_change", args=[world.shared.pk]),
        reverse("admin:view_on_site", args=[claim_type.pk, correction.verdict.claim_id]),
    }
    assert expected <= set(urls)
    # Five pages (list, add, change, delete, history) and a redirect per registered model.
    assert len(urls) >= 6 * len(admin.site._registry)


@pytest.mark.parametrize("kind", VISITORS)
def test_every_admin_url_refuses_a_non_operator_and_changes_nothing(world, kind):
    client = visitor(world, kind)
    before = snapshot()
    form = hostile_form(world)
    let_in = []
    for url in admin_urls(world):
        for response in (client.get(url), client.post(url, form)):
            if not refused(response, url):
                let_in.append(f"{response.request['REQUEST_METHOD']} {url}: {response.status_code}")
            assert world.theirs.workspace.slug not in response.get("Location", ""), url
    assert let_in == []
    assert snapshot() == before


def test_view_on_site_does_not_reveal_another_workspaces_address(world):
    claim = world.theirs.rows[Claim]
    content_type = ContentType.objects.get_for_model(Claim)
    url = reverse("admin:view_on_site", args=[content_type.pk, claim.pk])
    response = client_for(world.attacker).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert "rival-desk" not in response["Location"]


def user_form(user, **changes) -> dict:
    """The admin's user change form as the page would post it."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "09:00:00",
    }
    return {**data, **changes}


@pytest.mark.parametrize("target", ["attacker", "shared"])
def test_a_workspace_admin_cannot_make_anyone_a_superuser(world, target):
    user = getattr(world, target)
    client = client_for(world.attacker)
    client.post(
        reverse("admin:claims_user_change", args=[user.pk]),
        user_form(user, is_superuser="on", is_staff="on"),
    )
    user.refresh_from_db()
    assert not user.is_superuser
    assert set(user.user_permissions.all()) == (
        set(world.attacker.user_permissions.all()) if target == "attacker" else set()
    )
    # Nor does the flag open the admin afterwards, had it been set some other way.
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_workspace_admin_cannot_set_a_shared_accounts_password(world):
    client = client_for(world.attacker)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[world.shared.pk]),
        {"password1": "Taken-Over-2026!", "password2": "Taken-Over-2026!"},
    )
    assert refused(response, "")
    world.shared.refresh_from_db()
    assert world.shared.check_password(PASSWORD)
    assert not world.shared.check_password("Taken-Over-2026!")


def test_no_correction_is_added_to_another_workspaces_verdict(world):
    verdict = world.theirs.rows[Correction].verdict
    before = Correction.objects.filter(verdict=verdict).count()
    response = client_for(world.attacker).post(
        reverse("admin:claims_correction_add"),
        {"verdict": verdict.pk, "reason": "Outsider's correction", "new_summary": "Ours now"},
    )
    assert refused(response, "")
    assert Correction.objects.filter(verdict=verdict).count() == before
    assert not Correction.objects.filter(reason="Outsider's correction").exists()


def test_a_workspace_admin_cannot_join_another_workspace_through_the_admin(world):
    theirs = world.theirs.workspace
    client = client_for(world.attacker)
    client.post(
        reverse("admin:claims_membership_add"),
        {"user": world.attacker.pk, "workspace": theirs.pk, "role": Role.ADMIN},
    )
    client.post(
        reverse("admin:claims_workspace_change", args=[theirs.pk]),
        {
            "name": theirs.name,
            "slug": theirs.slug,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": world.attacker.pk,
            "memberships-0-role": Role.ADMIN,
        },
    )
    assert not theirs.memberships.filter(user=world.attacker).exists()


def test_the_admin_login_form_does_not_let_a_workspace_admin_in(world):
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": world.attacker.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert b"instance operator (superuser)" in response.content
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_login_form_answers_a_right_and_a_wrong_password_alike(world):
    right = Client().post(
        reverse("admin:login"), {"username": world.attacker.username, "password": PASSWORD}
    )
    wrong = Client().post(
        reverse("admin:login"), {"username": world.attacker.username, "password": "nope-nope"}
    )
    assert right.context["form"].errors == wrong.context["form"].errors


def test_a_superuser_logs_in_at_the_admin_login_form(db):
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "operator", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_workspace_admins_own_pages_still_work(world):
    """What they use instead: the app's workspace settings."""
    slug = world.ours.workspace.slug
    response = client_for(world.attacker).get(reverse("workspace_settings", args=[slug]))
    assert response.status_code == 200
    assert Membership.objects.get(user=world.attacker).is_admin
