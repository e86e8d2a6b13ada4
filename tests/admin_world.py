"""Two workspaces with a row of every model the admin shows, for the admin tests.

`attacker` is a workspace admin of `ours` in the state seed_demo used to leave such admins in:
staff status and every permission there is. `shared` belongs to both workspaces, the account a
workspace admin must never gain power over. `theirs` holds the other newsroom's rows.
"""

from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Permission
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
from tests.factories import (
    ClaimFactory,
    CommentFactory,
    MembershipFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)


@dataclass
class Desk:
    """One workspace's rows, one of each kind."""

    workspace: Workspace
    rows: dict  # model -> instance


@dataclass
class AdminWorld:
    attacker: User
    shared: User
    ours: Desk
    theirs: Desk

    def targets(self, model) -> list:
        """The rows of `model` an attack aims at: ours and theirs, or whatever exists."""
        if model is User:
            return [self.attacker, self.shared]
        rows = [desk.rows[model] for desk in (self.ours, self.theirs) if model in desk.rows]
        return rows or list(model._default_manager.order_by("pk")[:2])


def _desk(workspace: Workspace, author: User, title: str) -> Desk:
    claim = ClaimFactory(article__workspace=workspace, article__title=title)
    verdict = VerdictFactory(claim=claim, author=author)
    rows = {
        Workspace: workspace,
        Membership: workspace.memberships.get(user=author),
        Article: claim.article,
        Claim: claim,
        Verdict: verdict,
        Rating: verdict.rating,
        Source: SourceFactory(claim=claim),
        Comment: CommentFactory(claim=claim, author=author),
        ArticleUpload: ArticleUpload.objects.create(
            article=claim.article, data=b"%PDF-1.4", filename=f"{workspace.slug}.pdf"
        ),
        ReportPdf: ReportPdf.objects.create(article=claim.article),
        SentencePage: SentencePage.objects.create(
            article=claim.article, number=1, spans=[[0, len(claim.article.body), 0.5]]
        ),
        Correction: Correction.objects.create(
            verdict=verdict, old_summary="Before", new_summary="After", reason="A typo."
        ),
        Activity: Activity.objects.create(
            workspace=workspace, actor=author, verb=Activity.Verb.COMMENTED, claim=claim
        ),
        Notification: Notification.objects.create(
            recipient=author, workspace=workspace, claim=claim, message=f"News from {title}"
        ),
        Invitation: Invitation.objects.create(
            workspace=workspace,
            invitee=f"newcomer@{workspace.slug}.example.org",
            invited_by=author,
            token_hash=f"{workspace.slug:0<64}"[:64],
            expires_at=timezone.now() + timedelta(days=7),
        ),
    }
    return Desk(workspace=workspace, rows=rows)


def _second_factors(user: User) -> None:
    """An authenticator app and recovery codes, when two-factor sign-in is installed."""
    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    if apps.is_installed("django_otp.plugins.otp_static"):
        from django_otp.plugins.otp_static.models import StaticDevice

        StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)


def build_admin_world(workspace: Workspace, other_workspace: Workspace) -> AdminWorld:
    attacker = UserFactory(username="desk-admin", is_staff=True)
    attacker.user_permissions.set(Permission.objects.all())
    MembershipFactory(user=attacker, workspace=workspace, role=Role.ADMIN)
    shared = UserFactory(username="shared", email="shared@example.org")
    MembershipFactory(user=shared, workspace=workspace, role=Role.REVIEWER)
    MembershipFactory(user=shared, workspace=other_workspace, role=Role.EDITOR)
    rival = UserFactory(username="rival-editor")
    MembershipFactory(user=rival, workspace=other_workspace, role=Role.ADMIN)
    SitePolicy.current()
    seen = {"user_agent": "test", "http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(
        **seen,
        username="shared",
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessLog.objects.create(**seen, username="shared", attempt_time=timezone.now())
    AccessFailureLog.objects.create(**seen, username="shared", attempt_time=timezone.now())
    _second_factors(shared)
    return AdminWorld(
        attacker=attacker,
        shared=shared,
        ours=_desk(workspace, shared, "Our story"),
        theirs=_desk(other_workspace, rival, "Their story"),
    )
