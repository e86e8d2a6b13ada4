from django.apps import AppConfig

# The module, not the class: a second default AppConfig in this namespace would be taken as
# the "claims" app's configuration.
from django.contrib.admin import apps as admin_apps


class ClaimsConfig(AppConfig):
    default = True
    name = "claims"
    verbose_name = "Fact-check desk"


class OperatorAdminConfig(admin_apps.AdminConfig):
    """Stands for "django.contrib.admin" in INSTALLED_APPS: the superusers-only admin site."""

    default = False
    default_site = "claims.admin_site.OperatorAdminSite"
