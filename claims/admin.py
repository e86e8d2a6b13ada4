"""Django admin for every model.

Superusers see everything. Other staff see only the workspaces where they are an admin member,
and only rows that belong to those workspaces; foreign-key choices are narrowed the same way.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from claims.models import (
    Activity,
    Article,
    Claim,
    Comment,
    Correction,
    Membership,
    Notification,
    Rating,
    Role,
    Source,
    User,
    Verdict,
    Workspace,
)


def admin_workspace_ids(user) -> list[int]:
    return list(
        Membership.objects.filter(user=user, role=Role.ADMIN).values_list("workspace_id", flat=True)
    )


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """Limits a non-superuser's rows to their workspaces via `workspace_path`."""

    workspace_path = "workspace"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.workspace_path}__in": admin_workspace_ids(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            ids = admin_workspace_ids(request.user)
            model = db_field.related_model
            if model is Workspace:
                kwargs["queryset"] = Workspace.objects.filter(pk__in=ids)
            elif model is User:
                kwargs["queryset"] = User.objects.filter(memberships__workspace__in=ids).distinct()
            elif hasattr(model, "workspace"):
                kwargs["queryset"] = model.objects.filter(workspace__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(memberships__workspace__in=admin_workspace_ids(request.user)).distinct()


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_path = "pk"
    list_display = ["name", "slug", "organisation_name", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, RatingInline]


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    list_select_related = ["user", "workspace"]


@admin.register(Rating)
class RatingAdmin(WorkspaceScopedAdmin):
    list_display = ["label", "value", "workspace", "position"]
    list_select_related = ["workspace"]


@admin.register(Article)
class ArticleAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "workspace", "outlet", "origin", "extraction_status", "created_at"]
    list_filter = ["origin", "extraction_status"]
    search_fields = ["title", "source_url", "outlet"]
    list_select_related = ["workspace"]
    readonly_fields = ["fingerprint", "extracted_at", "model_version", "created_at"]
    raw_id_fields = ["submitted_by"]


@admin.register(Claim)
class ClaimAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "workspace", "status", "score", "assignee", "priority", "due_date"]
    list_filter = ["status", "priority", "origin"]
    search_fields = ["text"]
    list_select_related = ["workspace", "assignee"]
    # Offsets and text are tied to the article body; editing them here would break the link.
    readonly_fields = ["article", "text", "start", "end", "score", "origin", "created_at"]
    raw_id_fields = ["assignee", "created_by"]


@admin.register(Source)
class SourceAdmin(WorkspaceScopedAdmin):
    workspace_path = "claim__workspace"
    list_display = ["__str__", "stance", "publisher", "added_by", "created_at"]
    list_filter = ["stance"]
    list_select_related = ["added_by"]
    raw_id_fields = ["claim", "added_by"]


@admin.register(Comment)
class CommentAdmin(WorkspaceScopedAdmin):
    workspace_path = "claim__workspace"
    list_display = ["__str__", "author", "created_at"]
    list_select_related = ["author"]
    raw_id_fields = ["claim", "author"]


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    readonly_fields = ["old_rating", "new_rating", "old_summary", "new_summary", "created_by"]


@admin.register(Verdict)
class VerdictAdmin(WorkspaceScopedAdmin):
    workspace_path = "claim__workspace"
    list_display = ["__str__", "status", "author", "approved_by", "published_at", "version"]
    list_filter = ["status"]
    list_select_related = ["rating", "author", "approved_by"]
    raw_id_fields = ["claim", "author", "approved_by"]
    readonly_fields = ["version"]
    inlines = [CorrectionInline]


@admin.register(Correction)
class CorrectionAdmin(WorkspaceScopedAdmin):
    workspace_path = "verdict__claim__workspace"
    list_display = ["__str__", "old_rating", "new_rating", "created_by"]
    list_select_related = ["verdict", "old_rating", "new_rating", "created_by"]
    raw_id_fields = ["verdict", "created_by"]


@admin.register(Activity)
class ActivityAdmin(WorkspaceScopedAdmin):
    list_display = ["created_at", "actor", "verb", "workspace", "claim"]
    list_filter = ["verb"]
    list_select_related = ["actor", "workspace", "claim"]
    raw_id_fields = ["actor", "article", "claim", "verdict"]

    # The log is a record; nobody edits history.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(WorkspaceScopedAdmin):
    list_display = ["message", "recipient", "workspace", "read_at", "created_at"]
    list_select_related = ["recipient", "workspace"]
    raw_id_fields = ["recipient", "claim"]
