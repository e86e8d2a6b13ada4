"""The Django admin for superusers: every model shown, workflow data read-only.

What a non-superuser meets there (nothing) is in test_admin_catalogue.py.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from claims.models import (
    Activity,
    Article,
    ArticleUpload,
    Claim,
    Comment,
    Correction,
    Invitation,
    Membership,
    Notification,
    Rating,
    ReportPdf,
    Role,
    SentencePage,
    SitePolicy,
    Source,
    User,
    Verdict,
    Workspace,
)
from tests.admin_world import build_admin_world
from tests.conftest import client_for
from tests.factories import UserFactory

# What an operator may do with each model's rows: (add, change, delete). Deciding this is part
# of registering a model; the verdict workflow goes through claims/desk.py, never the admin.
ALLOWED = {
    User: (True, True, True),
    Workspace: (True, True, True),
    Membership: (True, True, True),
    SitePolicy: (False, True, False),
    # Spam goes, with all that hangs off it.
    Article: (False, False, True),
    Claim: (False, False, True),
    Comment: (False, False, True),
    # The workflow's data and records.
    Invitation: (False, False, False),
    Rating: (False, False, False),
    ArticleUpload: (False, False, False),
    ReportPdf: (False, False, False),
    SentencePage: (False, False, False),
    Source: (False, False, False),
    Verdict: (False, False, False),
    Correction: (False, False, False),
    Activity: (False, False, False),
    Notification: (False, False, False),
}


@pytest.fixture
def world(workspace, other_workspace):
    return build_admin_world(workspace, other_workspace)


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.fixture
def operator_client(operator):
    return client_for(operator)


def test_every_model_is_registered():
    for model in apps.get_app_config("claims").get_models():
        assert admin.site.is_registered(model), model


def test_what_an_operator_may_change_is_an_allow_list(operator):
    request = RequestFactory().get("/admin/")
    request.user = operator
    registered = {m for m in admin.site._registry if m._meta.app_label == "claims"}
    assert registered == set(ALLOWED)
    for model, allowed in ALLOWED.items():
        model_admin = admin.site._registry[model]
        granted = (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
        assert granted == allowed, model
        assert model_admin.has_view_permission(request), model


def test_groups_are_not_offered(operator_client):
    """Groups and permissions open nothing; the admin does not suggest otherwise."""
    assert not admin.site.is_registered(apps.get_model("auth", "Group"))
    assert b"Groups" not in operator_client.get(reverse("admin:index")).content


@pytest.mark.parametrize("label", sorted(m._meta.label for m in admin.site._registry))
def test_an_operator_opens_every_list_and_row(operator_client, world, label):
    model = apps.get_model(label)
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    response = operator_client.get(reverse(f"{name}_changelist"), follow=True)
    assert response.status_code == 200
    rows = world.targets(model)
    assert rows, f"build_admin_world makes no {model.__name__}: add one"
    for row in rows:
        assert operator_client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200
        assert operator_client.get(reverse(f"{name}_history", args=[row.pk])).status_code == 200


def test_an_operator_sees_both_workspaces(operator_client, world):
    response = operator_client.get(reverse("admin:claims_article_changelist"))
    assert b"Our story" in response.content and b"Their story" in response.content


def test_the_user_form_offers_superuser_status_and_not_staff_groups_or_permissions(
    operator_client, world
):
    response = operator_client.get(reverse("admin:claims_user_change", args=[world.shared.pk]))
    fields = response.context["adminform"].form.fields
    assert "is_superuser" in fields and "is_active" in fields
    assert not {"is_staff", "groups", "user_permissions"} & set(fields)


def test_an_operator_makes_another_operator(operator_client, world):
    user = UserFactory(username="second-operator")
    operator_client.post(
        reverse("admin:claims_user_change", args=[user.pk]),
        {
            "username": user.username,
            "email": user.email,
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    user.refresh_from_db()
    assert user.is_superuser
    assert client_for(user).get(reverse("admin:index")).status_code == 200


def test_verdicts_are_read_only_even_for_an_operator(operator_client, world):
    verdict = world.theirs.rows[Verdict]
    url = reverse("admin:claims_verdict_change", args=[verdict.pk])
    page = operator_client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = operator_client.post(
        url, {"summary": "Rewritten in the admin", "status": "published", "version": 9}
    )
    assert response.status_code == 403
    fresh = Verdict.objects.get(pk=verdict.pk)
    assert (fresh.summary, fresh.status, fresh.version) == (
        verdict.summary,
        verdict.status,
        verdict.version,
    )


def test_no_correction_is_made_in_the_admin(operator_client, world):
    verdict = world.theirs.rows[Verdict]
    response = operator_client.post(
        reverse("admin:claims_correction_add"),
        {"verdict": verdict.pk, "reason": "Admin correction", "new_summary": "Other"},
    )
    assert response.status_code == 403
    assert not Correction.objects.filter(reason="Admin correction").exists()


def test_claim_status_and_assignee_are_not_changed_in_the_admin(operator_client, world):
    claim = world.ours.rows[Claim]
    response = operator_client.post(
        reverse("admin:claims_claim_change", args=[claim.pk]),
        {"status": Claim.Status.PUBLISHED, "assignee": world.attacker.pk},
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert (claim.status, claim.assignee) == (Claim.Status.NEW, None)


def test_an_operator_deletes_a_spam_article_with_everything_attached(operator_client, world):
    article = world.theirs.rows[Article]
    url = reverse("admin:claims_article_delete", args=[article.pk])
    confirm = operator_client.get(url)
    assert confirm.status_code == 200
    assert not confirm.context["perms_lacking"]
    response = operator_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not Verdict.objects.filter(pk=world.theirs.rows[Verdict].pk).exists()
    assert not Correction.objects.filter(verdict__claim__article=article).exists()
    # The other newsroom's work is untouched.
    assert Article.objects.filter(pk=world.ours.rows[Article].pk).exists()


@pytest.mark.parametrize("model", [Article, Claim])
def test_an_operator_cannot_delete_a_published_fact_check(operator_client, world, model):
    verdict = world.theirs.rows[Verdict]
    Verdict.objects.filter(pk=verdict.pk).update(
        status="published", approved_by=world.attacker, published_at=timezone.now()
    )
    row = world.theirs.rows[model]
    name = f"admin:claims_{model._meta.model_name}"
    url = reverse(f"{name}_delete", args=[row.pk])
    assert operator_client.get(url).status_code == 403
    assert operator_client.post(url, {"post": "yes"}).status_code == 403
    # No bulk delete either, which would not look at each row.
    changelist = operator_client.post(
        reverse(f"{name}_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    assert model.objects.filter(pk=row.pk).exists()
    assert Verdict.objects.filter(pk=verdict.pk, status="published").exists()


def test_an_operator_deletes_a_spam_comment(operator_client, world):
    comment = world.ours.rows[Comment]
    operator_client.post(reverse("admin:claims_comment_delete", args=[comment.pk]), {"post": "yes"})
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_invitations_are_listed_without_their_token(operator_client, world):
    invitation = world.ours.rows[Invitation]
    response = operator_client.get(reverse("admin:claims_invitation_change", args=[invitation.pk]))
    assert invitation.invitee.encode() in response.content
    assert invitation.token_hash.encode() not in response.content


def test_an_article_page_shows_the_start_of_a_huge_text(operator_client, world):
    article = world.ours.rows[Article]
    Article.objects.filter(pk=article.pk).update(body="spam " * 200_000)
    response = operator_client.get(reverse("admin:claims_article_change", args=[article.pk]))
    assert response.status_code == 200
    assert b"1,000,000 characters" in response.content
    assert len(response.content) < 200_000


def test_an_operator_requires_two_factor_sign_in_for_the_whole_instance(operator_client, db):
    response = operator_client.get(reverse("admin:claims_sitepolicy_changelist"))
    policy = SitePolicy.current()
    change = reverse("admin:claims_sitepolicy_change", args=[policy.pk])
    assert response.status_code == 302 and response["Location"] == change
    assert not policy.require_two_factor
    assert operator_client.get(reverse("admin:claims_sitepolicy_add")).status_code == 403
    operator_client.post(change, {"require_two_factor": "on"})
    assert SitePolicy.current().require_two_factor
    assert SitePolicy.objects.count() == 1


def test_an_operator_sets_up_a_workspace_and_its_first_admin(operator_client, db):
    """README, deploying: the operator creates the workspace; its admin does the rest in-app."""
    first_admin = UserFactory(username="first-admin")
    response = operator_client.post(
        reverse("admin:claims_workspace_add"),
        {
            "name": "Coast Desk",
            "slug": "coast-desk",
            "claim_threshold": "0.5",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": first_admin.pk,
            "memberships-0-role": Role.ADMIN,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    workspace = Workspace.objects.get(slug="coast-desk")
    assert workspace.memberships.get().user == first_admin
    assert workspace.memberships.get().role == Role.ADMIN
    assert workspace.ratings.count() == len(Rating.DEFAULT_SCALE)
    settings_page = client_for(first_admin).get(reverse("workspace_settings", args=["coast-desk"]))
    assert settings_page.status_code == 200


def test_the_menu_links_to_the_admin_for_operators_only(operator_client, world):
    workspace = world.ours.workspace
    Membership.objects.create(
        user=User.objects.get(username="operator"), workspace=workspace, role=Role.REVIEWER
    )
    link = f'href="{reverse("admin:index")}"'.encode()
    dashboard = reverse("dashboard", args=[workspace.slug])
    assert link in operator_client.get(dashboard).content
    assert link not in client_for(world.attacker).get(dashboard).content
