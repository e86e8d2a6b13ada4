"""Every response carries the security headers, and every page works under the CSP.

Pages come from tests/urls_catalogue.py (every app URL, read with GET and written with POST)
plus the pages Django and django-axes render themselves: errors, log-in and password reset,
the lock-out, the admin, a static file and /healthz.
"""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from claims.models import Correction, ReportPdf, Role
from tests.conftest import client_for
from tests.factories import (
    PASSWORD,
    ClaimFactory,
    CommentFactory,
    InvitationFactory,
    MembershipFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)
from tests.security.envsettings import PRODUCTION, computed_settings
from tests.security.markup import htmx_config, live_markup, parse
from tests.urls_catalogue import APP_URLS, url_for


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def header_problems(response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        directives = csp_directives(csp)
        scripts = directives.get("script-src", directives.get("default-src", ["*"]))
        problems += [
            f"script-src allows {value}"
            for value in scripts
            if value in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")
        ]
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}")
        if directives.get("object-src") != ["'none'"]:
            problems.append(f"object-src is {directives.get('object-src')}")
    problems += static_header_problems(response)
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {response.get('X-Frame-Options')}")
    return problems


def static_header_problems(response) -> list[str]:
    problems = []
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')}")
    return problems


def page_problems(name, response) -> list[str]:
    """For an HTML page: nothing the CSP would block, and htmx set up to need nothing else."""
    if not response.get("Content-Type", "").startswith("text/html") or not response.content:
        return []
    page = parse(name, response.content.decode())
    problems = live_markup(page)
    loads_htmx = any("htmx" in (s.element.get("src") or "") for s in page.scripts)
    if loads_htmx:
        config = htmx_config(page)
        if config is None:
            problems.append("loads htmx without its htmx-config <meta>")
        else:
            for key in ("allowEval", "includeIndicatorStyles", "allowScriptTags"):
                if config.get(key) is not False:
                    problems.append(f"htmx-config {key} is {config.get(key)!r}, not false")
    return problems


@pytest.fixture
def everything(workspace, admin_member, editor):
    """One of each object the catalogue's URLs name, plus a published verdict."""
    claim = ClaimFactory(article__workspace=workspace, assignee=editor, status="assigned")
    verdict = VerdictFactory(
        claim=claim,
        author=editor,
        status="published",
        approved_by=admin_member,
        published_at=timezone.now(),
    )
    return {
        "workspace": workspace,
        "article": claim.article,
        "claim": claim,
        "verdict": verdict,
        "source": SourceFactory(claim=claim),
        # A proposed correction, by the verdict's author (the admin may decide it).
        "correction": Correction.objects.create(
            verdict=verdict, reason="A figure was revised.", created_by=editor
        ),
        "comment": CommentFactory(claim=claim, author=editor),
        "membership": MembershipFactory(workspace=workspace, role=Role.REVIEWER),
        "rating": workspace.ratings.create(label="Satire", position=9),
        "invitation": InvitationFactory(workspace=workspace, invitee=admin_member.username),
    }


def responses(admin_member, everything):
    """(name, response) for every kind of page and answer the site gives."""
    admin, anonymous = client_for(admin_member), Client()
    workspace, verdict = everything["workspace"], everything["verdict"]
    yield "404", admin.get("/no-such-page/")
    yield "404 in a workspace", admin.get(reverse("claim_detail", args=[workspace.slug, 10**9]))
    yield (
        "403",
        client_for(everything["membership"].user).get(
            reverse("workspace_settings", args=[workspace.slug])
        ),
    )
    yield "405", admin.post(reverse("dashboard", args=[workspace.slug]))
    yield "login", anonymous.get(reverse("login"))
    yield "login refused", anonymous.post(reverse("login"), {"username": "x", "password": "y"})
    yield "password reset", anonymous.get(reverse("password_reset"))
    yield "password reset done", anonymous.get(reverse("password_reset_done"))
    yield (
        "password reset bad link",
        anonymous.get(reverse("password_reset_confirm", args=["MQ", "bad-token"])),
    )
    yield "password reset complete", anonymous.get(reverse("password_reset_complete"))
    yield "password change", admin.get(reverse("password_change"))
    yield (
        "public verdict",
        anonymous.get(reverse("public_verdict", args=[workspace.slug, verdict.pk])),
    )
    yield "healthz", anonymous.get(reverse("healthz"))
    yield "admin login", anonymous.get(reverse("admin:login"))
    superuser = client_for(UserFactory(username="root", is_staff=True, is_superuser=True))
    yield "admin index", superuser.get(reverse("admin:index"))
    yield "admin list", superuser.get(reverse("admin:claims_claim_changelist"))
    yield "csrf failure", Client(enforce_csrf_checks=True).post(reverse("login"), {})
    # Last, since the POSTs change things (an empty form still removes a member).
    for name, (_, writes) in sorted(APP_URLS.items()):
        if name == "article_report_pdf":
            continue  # slow to render; test_pdf_report_has_the_headers
        path = url_for(name, everything)
        yield f"GET {name}", admin.get(path)
        if writes:
            yield f"POST {name}", admin.post(path, {})


def test_every_response_has_the_security_headers(db, admin_member, everything):
    problems = {
        name: found
        for name, response in responses(admin_member, everything)
        if (found := header_problems(response))
    }
    assert not problems


def test_every_page_works_under_the_csp(db, admin_member, everything):
    problems = {}
    for name, response in responses(admin_member, everything):
        if name == "csrf failure":
            continue  # Django's own page: the CSP blocks its inline <style>, its text shows
        if found := page_problems(name, response):
            problems[name] = found
    assert not problems


def test_pdf_report_has_the_headers(admin_member, everything):
    from claims import reports

    # The worker builds the PDF (claims/reports.py); the download serves it.
    ReportPdf.objects.create(article=everything["article"])
    reports.build_pdf(everything["article"].pk)
    path = url_for("article_report_pdf", everything)
    response = client_for(admin_member).get(path)
    assert response["Content-Type"] == "application/pdf"
    assert header_problems(response) == []


def test_the_lockout_page_has_the_headers(client, db):
    UserFactory(username="guessed")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(reverse("login"), {"username": "guessed", "password": "wrong"})
    assert response.status_code == 429
    assert header_problems(response) == []
    assert page_problems("locked out", response) == []


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
@pytest.mark.parametrize("path", ["css/app.css", "vendor/htmx-2.0.11.min.js", "favicon.svg"])
def test_static_files_are_not_sniffed(db, path):
    """WhiteNoise answers before the CSP and frame middleware run; for our own scripts,
    styles and icon only the headers below matter (no user content is ever a static file)."""
    response = Client().get(settings.STATIC_URL + path)
    assert response.status_code == 200
    assert static_header_problems(response) == []


# --- With production settings (DEBUG=0) -----------------------------------------------------

SECURE_SETTINGS = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_")


@pytest.fixture
def production(settings):
    for name, value in computed_settings(prefixes=SECURE_SETTINGS, **PRODUCTION).items():
        setattr(settings, name, value)


def test_production_sends_hsts_over_https(db, production):
    response = Client().get(reverse("login"), secure=True)
    assert response.status_code == 200
    hsts = {part.strip() for part in response["Strict-Transport-Security"].split(";")}
    assert hsts == {"max-age=31536000", "includeSubDomains", "preload"}


def test_production_redirects_plain_http_except_the_health_check(db, production):
    response = Client().get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert Client().get(reverse("healthz")).status_code == 200
    # Behind the TLS-terminating proxy, which says the request came over https.
    proxied = Client().get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def test_production_cookies_are_secure_http_only_and_same_site(db, production):
    UserFactory(username="cookie")
    client = Client(enforce_csrf_checks=True)
    login_page = client.get(reverse("login"), secure=True)
    csrf = login_page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(
        reverse("login"),
        {
            "username": "cookie",
            "password": PASSWORD,
            "csrfmiddlewaretoken": login_page.context["csrf_token"],
        },
        secure=True,
        headers={"Referer": "https://testserver/accounts/login/"},
    )
    assert response.status_code == 302
    assert SESSION_KEY in client.session
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
