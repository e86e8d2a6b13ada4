"""URL configuration: accounts, the admin, health, and the desk under /w/<workspace>/."""

from django.contrib import admin
from django.urls import include, path

from claims import health
from claims.views import (
    articles,
    attribution,
    claim_page,
    curation,
    desk,
    duplicates,
    exports,
    invitations,
    public,
    queue,
    reports,
    two_factor,
    workspace_settings,
)

claim = "w/<slug:slug>/claims/<int:pk>/"

urlpatterns = [
    path("", desk.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Before Django's own: the log-in with its code step (claims/views/two_factor.py).
    path("accounts/login/", two_factor.login, name="login"),
    path("accounts/two-factor/", two_factor.manage, name="two_factor"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/confirm/", two_factor.confirm, name="two_factor_confirm"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/two-factor/turn-off/", two_factor.turn_off, name="two_factor_turn_off"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The admin's log-in page, with the same code step (reverse("admin:login") lands here).
    path("admin/login/", two_factor.admin_login),
    path("admin/", admin.site.urls),
    path("workspaces/", desk.workspace_list, name="workspace_list"),
    path("notifications/", queue.notifications, name="notifications"),
    path("invitations/<str:token>/", invitations.invitation_detail, name="invitation_detail"),
    path(
        "invitations/<str:token>/signup/",
        invitations.invitation_signup,
        name="invitation_signup",
    ),
    path(
        "invitations/mine/<int:pk>/accept/",
        invitations.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "invitations/mine/<int:pk>/decline/",
        invitations.invitation_decline,
        name="invitation_decline",
    ),
    path("notifications/read/", queue.notifications_read, name="notifications_read"),
    path("w/<slug:slug>/", desk.dashboard, name="dashboard"),
    path("w/<slug:slug>/queue/", queue.claim_queue, name="claim_queue"),
    path(
        "w/<slug:slug>/settings/", workspace_settings.workspace_settings, name="workspace_settings"
    ),
    path(
        "w/<slug:slug>/settings/organisation/",
        workspace_settings.organisation_save,
        name="organisation_save",
    ),
    path(
        "w/<slug:slug>/settings/methodology/",
        workspace_settings.methodology_save,
        name="methodology_save",
    ),
    path(
        "w/<slug:slug>/settings/claim-selection/",
        workspace_settings.claim_selection_save,
        name="claim_selection_save",
    ),
    path(
        "w/<slug:slug>/settings/two-factor/",
        workspace_settings.two_factor_save,
        name="workspace_two_factor",
    ),
    path(
        "w/<slug:slug>/settings/invitations/",
        workspace_settings.member_invite,
        name="member_invite",
    ),
    path(
        "w/<slug:slug>/settings/invitations/<int:invitation_pk>/revoke/",
        workspace_settings.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "w/<slug:slug>/settings/members/<int:member_pk>/role/",
        workspace_settings.member_role,
        name="member_role",
    ),
    path(
        "w/<slug:slug>/settings/members/<int:member_pk>/remove/",
        workspace_settings.member_remove,
        name="member_remove",
    ),
    path("w/<slug:slug>/settings/ratings/", workspace_settings.rating_save, name="rating_add"),
    path(
        "w/<slug:slug>/settings/ratings/<int:rating_pk>/",
        workspace_settings.rating_save,
        name="rating_edit",
    ),
    path(
        "w/<slug:slug>/settings/ratings/<int:rating_pk>/delete/",
        workspace_settings.rating_delete,
        name="rating_delete",
    ),
    path("w/<slug:slug>/queue/bulk/", queue.queue_bulk, name="queue_bulk"),
    path("w/<slug:slug>/queue/export/", exports.queue_export, name="queue_export"),
    path(
        "w/<slug:slug>/queue/export/claims/",
        exports.queue_claims_export,
        name="queue_claims_export",
    ),
    path(
        "w/<slug:slug>/queue/claimreview-check/",
        exports.claimreview_check,
        name="claimreview_check",
    ),
    path("w/<slug:slug>/mine/", queue.my_claims, name="my_claims"),
    path("w/<slug:slug>/articles/new/", articles.article_new, name="article_new"),
    path("w/<slug:slug>/articles/<int:pk>/", articles.article_detail, name="article_detail"),
    path("w/<slug:slug>/articles/<int:pk>/retry/", articles.article_retry, name="article_retry"),
    path(
        "w/<slug:slug>/articles/<int:pk>/sentences/",
        articles.article_sentences,
        name="article_sentences",
    ),
    path("w/<slug:slug>/articles/<int:pk>/claims/", articles.claim_create, name="claim_create"),
    path("w/<slug:slug>/articles/<int:pk>/edit/", curation.article_edit, name="article_edit"),
    path("w/<slug:slug>/articles/<int:pk>/delete/", curation.article_delete, name="article_delete"),
    path(claim, claim_page.claim_detail, name="claim_detail"),
    path(claim + "assign/", claim_page.claim_assign, name="claim_assign"),
    path(claim + "take/", claim_page.claim_take, name="claim_take"),
    path(claim + "attribution/", attribution.claim_attribution, name="claim_attribution"),
    path(claim + "status/", claim_page.claim_status, name="claim_status"),
    path(claim + "sources/", claim_page.source_add, name="source_add"),
    path(claim + "sources/<int:source_pk>/", claim_page.source_edit, name="source_edit"),
    path(
        claim + "sources/<int:source_pk>/delete/",
        claim_page.source_delete,
        name="source_delete",
    ),
    path(claim + "comments/", claim_page.comment_add, name="comment_add"),
    path(
        claim + "comments/<int:comment_pk>/delete/",
        curation.comment_delete,
        name="comment_delete",
    ),
    path(claim + "duplicate/", duplicates.claim_duplicate, name="claim_duplicate"),
    path(claim + "verdict/", desk.verdict_detail, name="verdict_detail"),
    path(claim + "verdict/save/", claim_page.verdict_save, name="verdict_save"),
    path(claim + "verdict/submit/", claim_page.verdict_submit, name="verdict_submit"),
    path(claim + "verdict/publish/", claim_page.verdict_publish, name="verdict_publish"),
    path(claim + "verdict/return/", claim_page.verdict_return, name="verdict_return"),
    path(claim + "verdict/correct/", claim_page.verdict_correct, name="verdict_correct"),
    path(
        claim + "corrections/<int:correction_pk>/approve/",
        claim_page.correction_approve,
        name="correction_approve",
    ),
    path(
        claim + "corrections/<int:correction_pk>/reject/",
        claim_page.correction_reject,
        name="correction_reject",
    ),
    path("fact-checks/<slug:slug>/<int:pk>/", public.public_verdict, name="public_verdict"),
    path(
        "fact-checks/<slug:slug>/corrections/",
        public.public_corrections,
        name="public_corrections",
    ),
    path(
        "fact-checks/<slug:slug>/methodology/",
        public.public_methodology,
        name="public_methodology",
    ),
    path("w/<slug:slug>/articles/<int:pk>/report/", reports.article_report, name="article_report"),
    path(
        "w/<slug:slug>/articles/<int:pk>/report.pdf",
        reports.article_report_pdf,
        name="article_report_pdf",
    ),
    path(
        "w/<slug:slug>/articles/<int:pk>/report/pdf/",
        reports.article_report_pdf_build,
        name="article_report_pdf_build",
    ),
]
