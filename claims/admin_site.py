"""The Django admin site: for instance operators (active superusers) only.

Workspace admins run their workspace in the app (Workspace settings). Here, staff status, groups
and per-model permissions grant nothing: whatever flag or permission someone obtains, every admin
URL (the login form, the view-on-site shortcut, each model's pages) still refuses them. That is
why nothing in the admin needs scoping to a workspace.

`claims.apps.OperatorAdminConfig` makes this class the default `admin.site`, so models that
other apps register (django-axes' lock-out records) fall under the same rule.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm


class OperatorLoginForm(AuthenticationForm):
    """The admin's login form: a correct password of any other account fails the same way."""

    required_css_class = "required"
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Enter the user name and password of an instance operator (superuser) account. "
            "Workspace admins manage their workspace from its Workspace settings page."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class OperatorAdminSite(admin.AdminSite):
    site_header = "Fact-check desk: instance administration"
    site_title = "Instance administration"
    login_form = OperatorLoginForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
