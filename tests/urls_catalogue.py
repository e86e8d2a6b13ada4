"""Every URL of the app, enumerated from the URLconf, with arguments to call it.

Tests iterate over this catalogue, and `test_catalogue_covers_every_url` fails when a new URL
is added without being described here, so no view escapes the access tests.
"""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# name -> kind of object its pk refers to (None: no object), and whether it changes state.
APP_URLS = {
    "home": (None, False),
    "workspace_list": (None, False),
    "notifications": (None, False),
    "notifications_read": (None, True),
    "dashboard": ("workspace", False),
    "workspace_settings": ("workspace", False),
    "organisation_save": ("workspace", True),
    "claim_selection_save": ("workspace", True),
    "methodology_save": ("workspace", True),
    "member_invite": ("workspace", True),
    "invitation_revoke": ("invitation", True),
    # The e-mailed link: GET shows the invitation, POST accepts it (for its invitee only).
    "invitation_detail": ("invitation_token", True),
    "invitation_accept": ("my_invitation", True),
    "invitation_decline": ("my_invitation", True),
    "workspace_two_factor": ("workspace", True),
    # Two-factor sign-in: the account's own settings, and the log-in's code step (GET shows
    # the form; without a password step first it sends anyone to the log-in page).
    "two_factor": (None, False),
    "two_factor_setup": (None, True),
    "two_factor_confirm": (None, True),
    "two_factor_verify": (None, True),
    "two_factor_recovery_codes": (None, True),
    "two_factor_turn_off": (None, True),
    "member_role": ("membership", True),
    "member_remove": ("membership", True),
    "rating_add": ("workspace", True),
    "rating_edit": ("rating", True),
    "rating_delete": ("rating", True),
    "claim_queue": ("workspace", False),
    "queue_bulk": ("workspace", True),
    "queue_export": ("workspace", False),
    "queue_claims_export": ("workspace", False),
    "claimreview_check": ("workspace", False),
    "my_claims": ("workspace", False),
    "article_new": ("workspace", True),
    "article_detail": ("article", False),
    "article_retry": ("article", True),
    "article_sentences": ("article", False),
    "claim_create": ("article", True),
    # Correcting data (claims/curation.py): GET shows the form / what a deletion takes with it.
    "article_edit": ("article", True),
    "article_delete": ("article", True),
    "claim_detail": ("claim", False),
    "claim_assign": ("claim", True),
    "claim_take": ("claim", True),
    "claim_attribution": ("claim", True),
    "claim_status": ("claim", True),
    "source_add": ("claim", True),
    "source_edit": ("source", True),
    "source_delete": ("source", True),
    "comment_add": ("claim", True),
    "comment_delete": ("comment", True),
    "claim_duplicate": ("claim", True),
    "verdict_detail": ("verdict", False),
    "verdict_save": ("claim", True),
    "verdict_submit": ("claim", True),
    "verdict_publish": ("claim", True),
    "verdict_return": ("claim", True),
    # Proposing a correction (the name dates from one-editor corrections); deciding one.
    "verdict_correct": ("claim", True),
    "correction_approve": ("correction", True),
    "correction_reject": ("correction", True),
    "article_report": ("article", False),
    "article_report_pdf": ("article", False),
    "article_report_pdf_build": ("article", True),
}

# URLs anyone may open without logging in.
PUBLIC_URLS = {
    "healthz",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "public_verdict",
    "public_corrections",  # tests/test_public_pages.py
    "public_methodology",
    "invitation_signup",  # needs the e-mailed token; tests/test_invitations.py
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


# Query strings some URLs need to do their work.
QUERIES = {"queue_export": "?format=csv", "queue_claims_export": "?format=csv"}


def url_for(name: str, objects: dict) -> str:
    """The URL of `name` for the objects of one workspace: {"workspace", "article", ...}."""
    return _path_for(name, objects) + QUERIES.get(name, "")


def _path_for(name: str, objects: dict) -> str:
    kind, _ = APP_URLS[name]
    if kind is None:
        return reverse(name)
    if kind == "invitation_token":
        return reverse(name, args=[objects["invitation"].token])
    if kind == "my_invitation":
        return reverse(name, args=[objects["invitation"].pk])
    workspace = objects["workspace"]
    if kind == "workspace":
        return reverse(name, args=[workspace.slug])
    if kind == "verdict":
        return reverse(name, args=[workspace.slug, objects["verdict"].claim_id])
    if kind == "membership":
        return reverse(name, args=[workspace.slug, objects["membership"].pk])
    if kind == "rating":
        return reverse(name, args=[workspace.slug, objects["rating"].pk])
    if kind == "invitation":
        return reverse(name, args=[workspace.slug, objects["invitation"].pk])
    if kind == "source":
        source = objects["source"]
        return reverse(name, args=[workspace.slug, source.claim_id, source.pk])
    if kind == "correction":
        correction = objects["correction"]
        return reverse(name, args=[workspace.slug, correction.verdict.claim_id, correction.pk])
    if kind == "comment":
        comment = objects["comment"]
        return reverse(name, args=[workspace.slug, comment.claim_id, comment.pk])
    return reverse(name, args=[workspace.slug, objects[kind].pk])
