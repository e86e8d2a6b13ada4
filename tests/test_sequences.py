"""Sequences across features, tried the way an attacker or a careless desk would: two-factor
sign-in against password reset, invitations, the admin's log-in and htmx; invitations that are
withdrawn, used or answered by someone else; admins demoted in another tab; approval after an
edit; uploads parsed twice or deleted before the worker reads them.

Each test walks through pages (or the one write path) in the order a person would, and checks
what the next person sees.
"""

import re
import threading

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from claims import desk, members
from claims.models import Article, ArticleUpload, Claim, Invitation, Membership, Role, Verdict
from tests.conftest import _require, client_for
from tests.factories import (
    PASSWORD,
    ClaimFactory,
    InvitationFactory,
    MembershipFactory,
    SourceFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.test_two_factor import (
    code_for,
    dashboard,
    enrol,
    give_code,
    is_logged_in,
    is_verified,
    log_in,
    require_site,
    require_workspace,
)

# Tasks run here, as in the embedded default: these tests check what the task does.
pytestmark = pytest.mark.usefixtures("eager_tasks")

NEW_PASSWORD = "tidal-orbit-quill-42"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """TOTP codes on a clock the test controls, as in tests/test_two_factor.py."""
    from django_otp.plugins.otp_totp import models as totp_models

    from tests.test_two_factor import Clock

    clock = Clock()
    monkeypatch.setattr(totp_models, "time", clock)
    return clock


@pytest.fixture(autouse=True)
def no_device_back_off(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def text(response) -> str:
    return response.content.decode()


# --- Two-factor sign-in against the other ways in -------------------------------------------


def _reset_password(client, email):
    client.post(reverse("password_reset"), {"email": email})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link)["Location"]  # Django moves the token out of the address
    return client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_a_password_reset_does_not_log_in_nor_skip_the_code(reviewer, workspace, clock):
    device, _ = enrol(reviewer)
    client = Client()
    response = _reset_password(client, reviewer.email)
    assert response["Location"] == reverse("password_reset_complete")
    assert not is_logged_in(client)
    assert client.get(dashboard(workspace))["Location"].startswith(reverse("login"))
    # The new password is only the first step, as the old one was.
    assert log_in(client, "rita", NEW_PASSWORD)["Location"] == reverse("two_factor_verify")
    assert not is_logged_in(client)
    give_code(client, code_for(device, clock))
    assert client.get(dashboard(workspace)).status_code == 200


def test_a_session_that_owes_a_code_cannot_change_the_password(reviewer, clock):
    """Logged in before two-factor was turned on elsewhere: the password form is closed too."""
    client = client_for(reviewer)
    enrol(reviewer)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"].startswith(reverse("two_factor_verify"))
    reviewer.refresh_from_db()
    assert reviewer.check_password(PASSWORD)


def test_signing_up_from_an_invitation_still_owes_the_workspace_requirement(
    workspace, admin_member
):
    require_workspace(workspace)
    invitation = InvitationFactory(
        workspace=workspace, invitee="new.person@example.org", invited_by=admin_member
    )
    client = Client()
    response = client.post(
        reverse("invitation_signup", args=[invitation.token]),
        {"username": "newperson", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response["Location"] == dashboard(workspace)
    # A member now, but the workspace stays closed until they set two-factor up.
    assert client.get(dashboard(workspace))["Location"].startswith(reverse("two_factor"))
    queue = reverse("claim_queue", args=[workspace.slug])
    assert client.get(queue, headers={"HX-Request": "true"})["HX-Redirect"].startswith(
        reverse("two_factor")
    )


def test_signing_up_under_the_site_requirement_opens_only_enrolment(workspace, admin_member):
    require_site()
    invitation = InvitationFactory(
        workspace=workspace, invitee="new.person@example.org", invited_by=admin_member
    )
    client = Client()
    client.post(
        reverse("invitation_signup", args=[invitation.token]),
        {"username": "newperson", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    for url in (dashboard(workspace), reverse("workspace_list"), reverse("notifications")):
        assert client.get(url)["Location"].startswith(reverse("two_factor")), url
    assert client.get(reverse("two_factor")).status_code == 200


def test_a_session_that_owes_a_code_cannot_accept_an_invitation(workspace, other_workspace, clock):
    """Logged in before two-factor went on: the in-app accept button is closed like the rest."""
    user = UserFactory(username="victim")
    client = client_for(user)
    enrol(user)
    invitation = InvitationFactory(workspace=other_workspace, invitee="victim")
    response = client.post(reverse("invitation_accept", args=[invitation.pk]))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert not Membership.objects.filter(user=user).exists()
    response = client.post(reverse("invitation_detail", args=[invitation.token]))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert not Membership.objects.filter(user=user).exists()


def test_htmx_requests_outside_a_workspace_are_sent_to_the_code_step(reviewer, clock):
    client = client_for(reviewer)
    enrol(reviewer)
    response = client.get(reverse("notifications"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("two_factor_verify"))
    assert "Notifications" not in text(response)


def test_an_operator_session_that_owes_a_code_gets_no_admin_page(db, clock):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = client_for(root)  # logged in before two-factor was turned on
    device, _ = enrol(root)
    for url in (reverse("admin:index"), reverse("admin:login"), "/admin/claims/workspace/"):
        assert client.get(url)["Location"].startswith(reverse("two_factor_verify")), url
    give_code(client, code_for(device, clock))
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_refuses_a_workspace_admin_with_the_right_password(admin_member, workspace):
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 200
    assert "instance operator (superuser)" in text(response)
    assert not is_logged_in(client)


def test_another_accounts_password_in_a_logged_in_browser_goes_to_its_code_step(
    reviewer, editor, workspace, clock
):
    """The desk computer: eddie left his session open; rita (two-factor on) logs in on it.
    Her password must lead to her code step, not silently back into eddie's session."""
    device, _ = enrol(reviewer)
    client = client_for(editor)
    response = log_in(client, "rita")
    assert response["Location"] == reverse("two_factor_verify")
    page = client.get(reverse("two_factor_verify"))
    assert page.status_code == 200
    give_code(client, code_for(device, clock))
    assert is_verified(client)
    assert client.session["_auth_user_id"] == str(reviewer.pk)


def test_turning_two_factor_off_after_the_workspace_requires_it_closes_the_workspace(
    admin_member, workspace, clock
):
    """The admin who switched the requirement on cannot then drop their own second factor
    and stay in."""
    admin = Client()
    device, _ = enrol(admin_member)
    log_in(admin, "ada")
    give_code(admin, code_for(device, clock))
    clock.tick()
    admin.post(reverse("workspace_two_factor", args=[workspace.slug]), {"require_two_factor": "on"})
    workspace.refresh_from_db()
    assert workspace.require_two_factor
    admin.post(
        reverse("two_factor_turn_off"), {"password": PASSWORD, "code": code_for(device, clock)}
    )
    settings_page = reverse("workspace_settings", args=[workspace.slug])
    assert admin.get(settings_page)["Location"].startswith(reverse("two_factor"))
    response = admin.post(reverse("workspace_two_factor", args=[workspace.slug]), {})
    assert response["Location"].startswith(reverse("two_factor"))
    workspace.refresh_from_db()
    assert workspace.require_two_factor


# --- Invitations ----------------------------------------------------------------------------


def _invite(client, workspace, who, role="reviewer"):
    return client.post(reverse("member_invite", args=[workspace.slug]), {"who": who, "role": role})


def _sent_link(outbox_index=-1) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", mail.outbox[outbox_index].body)[1]


@pytest.fixture
def invitee(db):
    return UserFactory(username="victim", email="victim@example.org")


def test_invite_withdraw_then_the_old_link(
    admin_member, workspace, invitee, django_capture_on_commit_callbacks
):
    admin = client_for(admin_member)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, workspace, "victim@example.org", role="editor")
    link = _sent_link()
    invitation = Invitation.objects.get()
    admin.post(reverse("invitation_revoke", args=[workspace.slug, invitation.pk]))
    client = client_for(invitee)
    response = client.post(link)
    assert response.status_code == 410
    assert "withdrawn" in text(response)
    assert not Membership.objects.filter(user=invitee).exists()
    # Inviting again sends a new link; the withdrawn one stays dead.
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, workspace, "victim@example.org")
    assert client.post(link).status_code == 410
    assert client.post(_sent_link())["Location"] == dashboard(workspace)
    assert Membership.objects.get(user=invitee).role == Role.REVIEWER


def test_resending_with_another_role_kills_the_first_link(
    admin_member, workspace, invitee, django_capture_on_commit_callbacks
):
    """The admin meant reviewer after all: the first e-mail (admin) must not still work."""
    admin = client_for(admin_member)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, workspace, "victim@example.org", role="admin")
    first = _sent_link()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, workspace, "victim@example.org", role="reviewer")
    client = client_for(invitee)
    assert client.post(first).status_code == 404
    client.post(_sent_link())
    assert Membership.objects.get(user=invitee).role == Role.REVIEWER


def test_accepted_then_removed_then_the_old_link(
    admin_member, workspace, invitee, django_capture_on_commit_callbacks
):
    admin = client_for(admin_member)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, workspace, "victim@example.org", role="editor")
    link = _sent_link()
    client = client_for(invitee)
    client.post(link)
    membership = Membership.objects.get(user=invitee)
    admin.post(reverse("member_remove", args=[workspace.slug, membership.pk]))
    assert not Membership.objects.filter(user=invitee).exists()
    response = client.post(link)
    assert response.status_code == 410
    assert not Membership.objects.filter(user=invitee).exists()
    assert client.get(dashboard(workspace)).status_code == 404


def test_accepted_then_demoted_keeps_no_power(
    admin_member, workspace, invitee, django_capture_on_commit_callbacks
):
    admin = client_for(admin_member)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, workspace, "victim@example.org", role="admin")
    client = client_for(invitee)
    client.post(_sent_link())
    membership = Membership.objects.get(user=invitee)
    admin.post(reverse("member_role", args=[workspace.slug, membership.pk]), {"role": "reviewer"})
    assert _invite(client, workspace, "friend@example.org", role="admin").status_code == 403
    assert not Invitation.objects.filter(invitee="friend@example.org").exists()
    # Nor does the invitation's link (used) make them an admin again.
    assert client.post(_sent_link()).status_code == 410
    assert Membership.objects.get(user=invitee).role == Role.REVIEWER


def test_an_editor_posting_to_the_invite_url_is_refused(editor_client, workspace):
    response = _invite(editor_client, workspace, "friend@example.org", role="admin")
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_accepting_twice_makes_one_membership(workspace, invitee):
    invitation = InvitationFactory(workspace=workspace, invitee="victim", role=Role.EDITOR)
    first, second = client_for(invitee), client_for(invitee)
    assert first.post(reverse("invitation_detail", args=[invitation.token])).status_code == 302
    response = second.post(reverse("invitation_accept", args=[invitation.pk]))
    assert response["Location"] == reverse("workspace_list")
    assert Membership.objects.filter(user=invitee).count() == 1


# --- Admins demoted in another tab ----------------------------------------------------------


@pytest.fixture
def two_admins(workspace, admin_member):
    bea = UserFactory(username="bea")
    MembershipFactory(user=bea, workspace=workspace, role=Role.ADMIN)
    return client_for(admin_member), client_for(bea)


def test_an_admin_demoted_in_another_tab_can_no_longer_act(
    two_admins, workspace, admin_member, reviewer
):
    ada, bea = two_admins
    ada_membership = Membership.objects.get(user=admin_member)
    bea_membership = Membership.objects.get(user__username="bea")
    rita = Membership.objects.get(user=reviewer)
    invitation = InvitationFactory(workspace=workspace, invitee="someone")
    # ada's settings page was loaded while she was an admin ...
    assert ada.get(reverse("workspace_settings", args=[workspace.slug])).status_code == 200
    bea.post(reverse("member_role", args=[workspace.slug, ada_membership.pk]), {"role": "editor"})
    # ... and every button on it now refuses her, changing nothing.
    slug = workspace.slug
    attempts = [
        (reverse("member_role", args=[slug, bea_membership.pk]), {"role": "reviewer"}),
        (reverse("member_role", args=[slug, ada_membership.pk]), {"role": "admin"}),
        (reverse("member_remove", args=[slug, rita.pk]), {}),
        (reverse("member_invite", args=[slug]), {"who": "x@example.org", "role": "admin"}),
        (reverse("invitation_revoke", args=[slug, invitation.pk]), {}),
        (reverse("workspace_two_factor", args=[slug]), {"require_two_factor": "on"}),
    ]
    for url, data in attempts:
        assert ada.post(url, data).status_code == 403, url
    assert dict(Membership.objects.values_list("user__username", "role")) == {
        "ada": Role.EDITOR,
        "bea": Role.ADMIN,
        "rita": Role.REVIEWER,
    }
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert not Invitation.objects.filter(invitee="x@example.org").exists()


def test_the_last_admin_cannot_demote_themselves(workspace, admin_member):
    ada = client_for(admin_member)
    membership = Membership.objects.get(user=admin_member)
    ada.post(reverse("member_role", args=[workspace.slug, membership.pk]), {"role": "editor"})
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_an_invitation_from_a_removed_admin_is_still_listed_for_the_others_to_withdraw(
    two_admins, workspace, admin_member
):
    """ada invites someone as admin, then is removed: the invitation stands (the others may
    want it) but bea sees it and can withdraw it."""
    ada, bea = two_admins
    _invite(ada, workspace, "friend@example.org", role="admin")
    ada_membership = Membership.objects.get(user=admin_member)
    bea.post(reverse("member_remove", args=[workspace.slug, ada_membership.pk]))
    page = text(bea.get(reverse("workspace_settings", args=[workspace.slug])))
    assert "friend@example.org" in page
    invitation = Invitation.objects.get(invitee="friend@example.org")
    bea.post(reverse("invitation_revoke", args=[workspace.slug, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.closed_reason().startswith("This invitation was withdrawn")


# --- Approval -------------------------------------------------------------------------------


@pytest.fixture
def desk_team(workspace):
    def member(name, role):
        return MembershipFactory(user=UserFactory(username=name), workspace=workspace, role=role)

    return {
        "alice": member("alice", Role.REVIEWER),
        "ed": member("ed", Role.EDITOR),
        "cora": member("cora", Role.EDITOR),
    }


def _verdict(claim):
    return Verdict.objects.get(claim=claim)


def _save(team, who, claim, summary):
    verdict = Verdict.objects.filter(claim=claim).first()
    return desk.save_verdict(
        membership=team[who],
        claim=claim,
        rating=claim.workspace.ratings.get(label="False"),
        summary=summary,
        explanation="Because.",
        version=verdict.version if verdict else 0,
    )


def _submit(team, who, claim):
    verdict = _verdict(claim)
    desk.submit_verdict(membership=team[who], verdict=verdict, version=verdict.version)


def _publish(team, who, claim):
    verdict = _verdict(claim)
    return desk.publish_verdict(membership=team[who], verdict=verdict, version=verdict.version)


@pytest.fixture
def assigned_claim(workspace, desk_team):
    claim = ClaimFactory(article__workspace=workspace)
    desk.assign_claim(membership=desk_team["ed"], claim=claim, assignee=desk_team["alice"].user)
    SourceFactory(claim=claim)
    return claim


def test_an_editor_who_was_demoted_and_promoted_still_cannot_approve_their_edit(
    desk_team, assigned_claim, workspace
):
    claim = assigned_claim
    _save(desk_team, "alice", claim, "Alice's text.")
    _submit(desk_team, "alice", claim)
    _save(desk_team, "ed", claim, "Ed's text.")
    ed = desk_team["ed"]
    Membership.objects.filter(pk=ed.pk).update(role=Role.REVIEWER)
    Membership.objects.filter(pk=ed.pk).update(role=Role.EDITOR)
    ed.refresh_from_db()
    with pytest.raises(desk.NotAllowed, match="You changed this verdict's text"):
        _publish(desk_team, "ed", claim)
    assert _verdict(claim).status == Verdict.Status.SUBMITTED


def test_correction_by_an_editor_then_a_duplicate_carries_the_corrected_text(
    desk_team, assigned_claim, workspace
):
    """cora approves, ed proposes a correction that cora approves, then a new claim is linked
    as a duplicate: it is published with ed's corrected text, and the approval it carries is
    cora's (never ed approving ed)."""
    claim = assigned_claim
    _save(desk_team, "alice", claim, "Alice's text.")
    _submit(desk_team, "alice", claim)
    _publish(desk_team, "cora", claim)
    verdict = _verdict(claim)
    proposal = desk.propose_correction(
        membership=desk_team["ed"],
        verdict=verdict,
        version=verdict.version,
        rating=workspace.ratings.get(label="Misleading"),
        summary="Ed's correction.",
        explanation="Newer figures.",
        sources=[{"url": s.url, "stance": s.stance} for s in claim.sources.all()],
        reason="The ministry revised its figure.",
    )
    desk.approve_correction(membership=desk_team["cora"], correction=proposal)
    copy = ClaimFactory(article__workspace=workspace)
    desk.link_duplicates(
        membership=desk_team["ed"], original=claim, claims=Claim.objects.filter(pk=copy.pk)
    )
    carried = _verdict(copy)
    assert (carried.status, carried.summary, carried.approved_by) == (
        Verdict.Status.PUBLISHED,
        "Ed's correction.",
        desk_team["cora"].user,
    )
    assert carried.approved_by_id != carried.last_edited_by_id


# --- Uploads --------------------------------------------------------------------------------

STORY = (
    "The city council approved a budget of $4.2 billion on Tuesday.\n\n"
    "Officials said crime fell by 12 percent last year."
)


def _upload(client, workspace, name="story.txt"):
    file = SimpleUploadedFile(name, STORY.encode())
    return client.post(
        reverse("article_new", args=[workspace.slug]), {"source": "upload", "file": file}
    )


def test_the_same_file_twice_then_retry_does_not_make_a_second_copy(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(reviewer_client, workspace)
        _upload(reviewer_client, workspace, name="again.txt")
    first, copy = Article.objects.order_by("pk")
    assert first.extraction_status == Article.Status.DONE
    assert copy.extraction_status == Article.Status.FAILED
    assert "same text as" in copy.extraction_error
    claims_before = Claim.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(reverse("article_retry", args=[workspace.slug, copy.pk]))
    copy.refresh_from_db()
    assert copy.extraction_status == Article.Status.FAILED
    assert "same text as" in copy.extraction_error
    assert Claim.objects.count() == claims_before
    assert not copy.claims.exists()


def test_a_copy_is_read_on_retry_once_the_first_is_gone(
    reviewer_client, workspace, admin_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(reviewer_client, workspace)
        _upload(reviewer_client, workspace, name="again.txt")
    first, copy = Article.objects.order_by("pk")
    admin = client_for(admin_member)
    admin.post(reverse("article_delete", args=[workspace.slug, first.pk]), {"confirm": "delete"})
    assert not Article.objects.filter(pk=first.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(reverse("article_retry", args=[workspace.slug, copy.pk]))
    copy.refresh_from_db()
    assert copy.extraction_status == Article.Status.DONE
    assert copy.claims.exists()


def test_an_upload_deleted_before_the_worker_runs_leaves_nothing(
    reviewer_client, workspace, admin_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        _upload(reviewer_client, workspace)
    article = Article.objects.get()
    assert ArticleUpload.objects.filter(article=article).exists()
    admin = client_for(admin_member)
    response = admin.post(
        reverse("article_delete", args=[workspace.slug, article.pk]), {"confirm": "delete"}
    )
    assert response.status_code == 302
    for callback in callbacks:
        callback()  # the worker picks the task up now
    assert not Article.objects.exists()
    assert not ArticleUpload.objects.exists()
    assert not Claim.objects.exists()


# --- At the same moment (PostgreSQL: real row locks) ----------------------------------------


def _at_once(*actions):
    """Run each action in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(number, action):
        try:
            barrier.wait()
            outcomes[number] = ("ok", action())
        except Exception as exc:  # the outcome is what the test looks at
            outcomes[number] = (type(exc).__name__, str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_one_invitation_accepted_twice_at_the_same_moment_makes_one_membership(settings):
    _require(settings.USING_POSTGRES, "DATABASE_URL is not PostgreSQL")
    workspace = WorkspaceFactory(slug="race-desk")
    user = UserFactory(username="victim")
    for _ in range(5):
        Membership.objects.filter(user=user).delete()
        invitation = InvitationFactory(workspace=workspace, invitee="victim", role=Role.EDITOR)

        def accept(invitation=invitation):
            return members.accept_invitation(invitation=invitation, user=user).pk

        outcomes = _at_once(accept, accept)
        assert sorted(kind for kind, _ in outcomes) == ["NotAllowed", "ok"], outcomes
        [refusal] = [message for kind, message in outcomes if kind == "NotAllowed"]
        assert refusal == "This invitation has already been used."
        assert Membership.objects.filter(user=user).count() == 1
