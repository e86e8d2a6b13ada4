"""The Django admin, for instance operators: superusers only (see claims/admin_site.py).

An operator sets up workspaces and their first admin, manages accounts, sets the instance-wide
policy and removes spam. The newsroom's work itself (claims, sources, verdicts, corrections,
invitations) has one write path, the app's pages through claims/desk.py and claims/members.py,
so the admin shows that data read-only; articles, claims and comments may still be deleted,
with all that hangs off them.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.shortcuts import redirect

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
    SentencePage,
    SitePolicy,
    Source,
    User,
    Verdict,
    Workspace,
)

# Groups and per-model permissions open nothing here; listing them would suggest otherwise.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


# Web addresses without a scheme are https (Django 6's default, chosen now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Workflow data: viewable, changed only through the app's workflow."""

    formfield_overrides = HTTPS_URLS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeletableAdmin(ReadOnlyAdmin):
    """Read-only, but an operator may delete spam together with everything attached to it.

    Never a published fact-check (claims/curation.py refuses the same in the app): a row that
    leads to a published verdict through `published_path` cannot be deleted, and there is no
    bulk delete that would skip that check.
    """

    published_path = ""

    def has_delete_permission(self, request, obj=None):
        if not request.user.is_superuser:
            return False
        if obj is None or not self.published_path:
            return True
        published = {self.published_path: Verdict.Status.PUBLISHED}
        return not type(obj).objects.filter(pk=obj.pk, **published).exists()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_deleted_objects(self, objs, request):
        # The attached rows (verdicts, activity...) are read-only on their own, which the admin
        # would report as missing permissions; removing them along with their article is fine.
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_superuser"]
    list_filter = ["is_superuser", "is_active"]
    filter_horizontal = []
    # Staff status, groups and permissions grant nothing in this project: not offered.
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        ("Access", {"fields": ["is_active", "is_superuser"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organisation_name", "require_two_factor", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = HTTPS_URLS
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            form.instance.install_default_ratings()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    list_select_related = ["user", "workspace"]
    autocomplete_fields = ["user", "workspace"]


@admin.register(SitePolicy)
class SitePolicyAdmin(admin.ModelAdmin):
    """One row: the changelist opens it."""

    fields = ["require_two_factor", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:claims_sitepolicy_change", SitePolicy.current().pk)


# --- The newsroom's data, read-only -----------------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    # The token's hash is left out: there is no reason to show even that.
    fields = [
        "workspace",
        "invitee",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "declined_at",
        "revoked_at",
    ]
    list_display = ["invitee", "workspace", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["invitee", "workspace__name"]
    list_select_related = ["workspace", "invited_by"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["label", "value", "workspace", "position"]
    list_select_related = ["workspace"]


@admin.register(Article)
class ArticleAdmin(DeletableAdmin):
    published_path = "claims__verdict__status"
    list_display = ["__str__", "workspace", "outlet", "origin", "extraction_status", "created_at"]
    list_filter = ["origin", "extraction_status"]
    search_fields = ["title", "source_url", "outlet"]
    list_select_related = ["workspace"]
    # The body may run to a million characters: show its start, enough to recognise spam.
    fields = [
        "workspace",
        "title",
        "body_start",
        "body_length",
        "source_url",
        "outlet",
        "author",
        "published_date",
        "submitted_by",
        "origin",
        "original_filename",
        "extraction_status",
        "extraction_error",
        "extracted_at",
        "model_version",
        "created_at",
    ]
    readonly_fields = ["body_start", "body_length"]

    @admin.display(description="Text (start)")
    def body_start(self, article):
        return article.body[:2000]

    @admin.display(description="Length of the text")
    def body_length(self, article):
        return f"{len(article.body):,} characters"


@admin.register(ArticleUpload)
class ArticleUploadAdmin(ReadOnlyAdmin):
    list_display = ["filename", "article", "created_at"]
    list_select_related = ["article"]
    fields = ["article", "filename", "details", "created_at"]


@admin.register(ReportPdf)
class ReportPdfAdmin(ReadOnlyAdmin):
    """Built by the worker; the file itself is downloaded from the app's report page."""

    list_display = ["article", "status", "requested_at", "built_at"]
    list_select_related = ["article"]
    fields = ["article", "status", "error", "requested_by", "requested_at", "built_at"]


@admin.register(SentencePage)
class SentencePageAdmin(ReadOnlyAdmin):
    """Sentence spans the worker stored for an article's sentences page."""

    list_display = ["article", "number"]
    list_select_related = ["article"]
    fields = ["article", "number"]


@admin.register(Claim)
class ClaimAdmin(DeletableAdmin):
    published_path = "verdict__status"
    list_display = ["__str__", "workspace", "status", "score", "assignee", "priority", "due_date"]
    list_filter = ["status", "priority", "origin"]
    search_fields = ["text"]
    list_select_related = ["workspace", "assignee"]


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "stance", "publisher", "added_by", "created_at"]
    list_filter = ["stance"]
    list_select_related = ["added_by"]


@admin.register(Comment)
class CommentAdmin(DeletableAdmin):
    list_display = ["__str__", "author", "created_at"]
    list_select_related = ["author"]


class CorrectionInline(ReadOnlyInline):
    model = Correction


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "author", "approved_by", "published_at", "version"]
    list_filter = ["status"]
    list_select_related = ["rating", "author", "approved_by"]
    inlines = [CorrectionInline]


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "old_rating", "new_rating", "created_by"]
    list_select_related = ["verdict", "old_rating", "new_rating", "created_by"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "verb", "workspace", "claim"]
    list_filter = ["verb"]
    list_select_related = ["actor", "workspace", "claim"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["message", "recipient", "workspace", "read_at", "created_at"]
    list_select_related = ["recipient", "workspace"]
