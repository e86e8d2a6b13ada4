"""Every URL of the app, enumerated from the URLconf, with arguments to call it.

Tests iterate over this catalogue, and `test_catalogue_covers_every_url` fails when a new URL
is added without being described here, so no view escapes the access tests.
"""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# name -> kind of object its pk refers to (None: no object), and whether it changes state.
APP_URLS = {
    "home": (None, False),
    "workspace_list": (None, False),
    "dashboard": ("workspace", False),
    "article_detail": ("article", False),
    "claim_detail": ("claim", False),
    "verdict_detail": ("verdict", False),
}

# URLs anyone may open without logging in.
PUBLIC_URLS = {
    "healthz",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}

# Django's own account pages that need a login; covered by test_accounts.
ACCOUNT_URLS = {"logout", "password_change", "password_change_done"}


def named_urls() -> set[str]:
    """Names of every non-admin URL pattern in the project."""
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def url_for(name: str, objects: dict) -> str:
    """The URL of `name` for the objects of one workspace: {"workspace", "article", ...}."""
    kind, _ = APP_URLS[name]
    if kind is None:
        return reverse(name)
    workspace = objects["workspace"]
    if kind == "workspace":
        return reverse(name, args=[workspace.slug])
    if kind == "verdict":
        return reverse(name, args=[workspace.slug, objects["verdict"].claim_id])
    return reverse(name, args=[workspace.slug, objects[kind].pk])
