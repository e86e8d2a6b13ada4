"""Two-factor sign-in: who owes a second factor, the log-in's code step, enrolment, recovery.

Built on django-otp. An account "has two-factor on" when it has a confirmed TOTP device (an
authenticator app); a static device beside it holds its single-use recovery codes. A session
is verified (`request.user.is_verified()`, from django-otp's OTPMiddleware) once it gave a
code from either.

The rule, decided by `owed()` and nowhere else:
- an account with two-factor on always signs in with a code: its password alone opens no page
  (the password step does not even log in; see claims/views/two_factor.py);
- a workspace that requires it is closed to members whose session is not verified, and the
  whole instance is when the site policy (SitePolicy) requires it.
Workspace pages apply it in `permissions.get_membership`, from flags fetched in the
membership's own query, so they cost no extra query; lists that gather rows of several
workspaces (notifications) filter them with `may_open()`, the same rule in SQL; every other
logged-in page goes through `TwoFactorMiddleware`, which costs one query for sessions that
are not verified.

Wrong codes are failed log-ins for django-axes (the `user_login_failed` signal, with the user
name and the request), so they count towards the same lock-out as wrong passwords; each
log-in may also try only TWO_FACTOR_CODE_ATTEMPTS codes, and django-otp's device throttle
makes every further wrong code wait twice as long as the one before.
"""

import time
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims.models import SitePolicy, User

RECOVERY_CODE_COUNT = 10
PENDING_KEY = "two_factor_pending"
FAILURES_KEY = "two_factor_failures"

VERIFY = "verify"  # the account has two-factor on: give a code
ENROL = "enrol"  # a rule requires it and the account has none yet: set it up

SITE_RULE = "This site requires two-factor sign-in. Set it up to continue."
VERIFY_MESSAGE = "Enter a code from your authenticator app to continue."


def owed(*, verified: bool, enrolled: bool, required: bool) -> str | None:
    """What a session must do before it may go on: VERIFY, ENROL or nothing (None)."""
    if verified:
        return None
    if enrolled:
        return VERIFY
    return ENROL if required else None


def is_verified(user) -> bool:
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def owes_code(user) -> bool:
    """A logged-in session of an account with two-factor on that has not given a code."""
    return not is_verified(user) and is_enrolled(user)


class TwoFactorRequired(PermissionDenied):
    """Raised where a page finds the session owes a second factor; the middleware answers it.

    A PermissionDenied, so that code which catches none of this still refuses (403).
    """

    def __init__(self, step: str, message: str):
        super().__init__(message)
        self.step = step


# --- Who owes what --------------------------------------------------------------------------


def _flags(user) -> dict:
    return {
        "two_factor_enrolled": Exists(TOTPDevice.objects.filter(user=user, confirmed=True)),
        "two_factor_site_rule": Exists(SitePolicy.objects.filter(pk=1, require_two_factor=True)),
    }


def membership_flags() -> dict:
    """Annotations for the membership query: whether its user has two-factor on, and whether
    the site requires it. With the workspace's own flag, all `check_membership` needs."""
    return _flags(OuterRef("user"))


def check_membership(request, membership) -> None:
    """Raise TwoFactorRequired if this session may not open the membership's workspace yet.

    The membership must come from a query annotated with `membership_flags()` unless the
    session is verified (then nothing is owed and the flags are not needed).
    """
    if is_verified(request.user):
        return
    workspace = membership.workspace
    step = owed(
        verified=False,
        enrolled=membership.two_factor_enrolled,
        required=workspace.require_two_factor or membership.two_factor_site_rule,
    )
    if step == VERIFY:
        raise TwoFactorRequired(VERIFY, VERIFY_MESSAGE)
    if step == ENROL:
        message = SITE_RULE
        if workspace.require_two_factor:
            message = f"{workspace.name} requires two-factor sign-in. Set it up to continue."
        raise TwoFactorRequired(ENROL, message)


def may_open(user, workspace: str = "workspace") -> Q:
    """The workspaces this session may open, as a filter on rows that name a workspace through
    the lookup `workspace` ("" for Workspace itself): `owed()` is None, in SQL.

    For pages outside a workspace that gather rows from several (notifications): rows of a
    workspace the session may not open yet are left out, in the same query, as get_membership
    would refuse them. A verified session owes nothing; any other may open only workspaces
    that nobody requires it for, and only if the account has two-factor off (with it on, the
    session owes a code everywhere).
    """
    if is_verified(user):
        return Q()
    flags = _flags(user)
    required = f"{workspace}__require_two_factor" if workspace else "require_two_factor"
    return (
        Q(**{required: False})
        & ~Q(flags["two_factor_enrolled"])
        & ~Q(flags["two_factor_site_rule"])
    )


def account_flags(user) -> tuple[bool, bool]:
    """(has two-factor on, the site requires it), in one query."""
    flags = _flags(OuterRef("pk"))
    return User.objects.filter(pk=user.pk).annotate(**flags).values_list(*flags).get()


def required_by(user) -> list[str]:
    """Who requires this account to use two-factor sign-in, for its settings page."""
    names = list(
        user.memberships.filter(workspace__require_two_factor=True)
        .order_by("workspace__name")
        .values_list("workspace__name", flat=True)
    )
    if SitePolicy.objects.filter(pk=1, require_two_factor=True).exists():
        names.insert(0, "this site")
    return names


# --- Answering a session that owes a second factor ------------------------------------------

# Pages a session that owes a second factor may still open, by URL name.
OPEN_PAGES = {
    "login",
    "logout",
    "admin:logout",
    "two_factor_verify",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "public_verdict",
    "healthz",
}
# Pages for setting two-factor up: open to a session that owes ENROL, not to one that owes
# VERIFY (an account with two-factor on changes it only from a verified session).
ENROL_PAGES = {"two_factor", "two_factor_setup", "two_factor_confirm"}
# Workspace pages: get_membership applies the rule, with the workspace's own requirement.
WORKSPACE_ROUTE = "w/<slug:slug>/"


class TwoFactorMiddleware:
    """Applies `owed()` to every logged-in page outside a workspace, and answers the
    TwoFactorRequired that get_membership raises inside one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match.view_name in OPEN_PAGES or match.route.startswith(WORKSPACE_ROUTE):
            return None
        enrolled, site_rule = account_flags(user)
        step = owed(verified=False, enrolled=enrolled, required=site_rule)
        if step is None or (step == ENROL and match.view_name in ENROL_PAGES):
            return None
        return owed_response(request, step, VERIFY_MESSAGE if step == VERIFY else SITE_RULE)

    def process_exception(self, request, exception):
        if isinstance(exception, TwoFactorRequired):
            return owed_response(request, exception.step, str(exception))
        return None


def owed_response(request, step: str, message: str):
    """Send the browser to the code step or to enrolment, and back here afterwards.

    htmx requests get HX-Redirect (a 302 would be followed inside the swapped region); a
    client that does not take HTML gets a 403 in JSON saying where to go.
    """
    url = reverse("two_factor_verify" if step == VERIFY else "two_factor")
    back = _this_page(request)
    if back:
        url += "?" + urlencode({"next": back})
    if getattr(request, "htmx", False):
        messages.info(request, message)
        return HttpResponseClientRedirect(url)
    if not request.accepts("text/html"):
        return JsonResponse({"error": message, "location": url}, status=403)
    messages.info(request, message)
    return redirect(url)


def _this_page(request) -> str:
    """Where to come back to: this page if it can be opened again with GET, else nothing."""
    if getattr(request, "htmx", False):
        current = request.htmx.current_url or ""
        return safe_next(request, urlsplit(current)._replace(scheme="", netloc="").geturl())
    return request.get_full_path() if request.method == "GET" else ""


def safe_next(request, url: str | None) -> str:
    """`url` if it is a page of this site, else "" (no open redirect through next=)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


# --- The log-in's code step -----------------------------------------------------------------


@dataclass
class LoginAttempt:
    """A log-in between its password and its code, kept in the session.

    `backend` is None when the user is logged in already (a session from before they turned
    two-factor on): the code then only verifies that session.
    """

    user: User
    backend: str | None
    next_url: str
    failures: int = 0

    @classmethod
    def begin(cls, request, user, next_url: str) -> None:
        """Record a correct password. Not a log-in: nothing but the code step opens."""
        if request.user.is_authenticated and request.user.pk != user.pk:
            # Another account's password in a logged-in browser: leave that session first,
            # as auth.login does, or the code step would carry on as the account logged in.
            auth.logout(request)
        request.session.cycle_key()  # a session id planted before the password is useless
        request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": next_url,
        }
        request.session[FAILURES_KEY] = 0

    @classmethod
    def from_request(cls, request) -> "LoginAttempt | None":
        failures = request.session.get(FAILURES_KEY, 0)
        if request.user.is_authenticated:
            next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
            return cls(request.user, None, next_url or settings.LOGIN_REDIRECT_URL, failures)
        data = request.session.get(PENDING_KEY)
        if not data:
            return None
        user = User.objects.filter(pk=data["user"], is_active=True).first()
        if user is None or time.time() - data["at"] > settings.TWO_FACTOR_LOGIN_SECONDS:
            request.session.pop(PENDING_KEY, None)
            return None
        return cls(user, data["backend"], data["next"], failures)

    def complete(self, request, device) -> None:
        """The code was right: log in (or verify the session) with that device."""
        self._forget(request)
        if self.backend:
            auth.login(request, self.user, backend=self.backend)  # django-axes resets the count
        else:
            request.session.cycle_key()
        otp_login(request, device)

    def failed(self, request) -> bool:
        """Count a wrong code for django-axes and for this log-in. True when this log-in has
        used up its attempts or the account is now locked out: it is then thrown away."""
        record_failure(request, self.user)
        self.failures += 1
        used_up = self.failures >= settings.TWO_FACTOR_CODE_ATTEMPTS
        if used_up or getattr(request, "axes_locked_out", False):
            self.abandon(request)
            return True
        request.session[FAILURES_KEY] = self.failures
        return False

    def abandon(self, request) -> None:
        self._forget(request)
        if self.backend is None:
            auth.logout(request)

    @staticmethod
    def _forget(request) -> None:
        request.session.pop(PENDING_KEY, None)
        request.session.pop(FAILURES_KEY, None)


def record_failure(request, user) -> None:
    """A wrong code or password for this account, as django-axes counts failed log-ins."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


def is_locked_out(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


def lockout_response(request, user):
    return get_lockout_response(request, None, {"username": user.get_username()})


class Throttled(Exception):
    """django-otp's back-off: after n wrong codes a device refuses all codes for 2^(n-1) s."""

    def __init__(self, until: datetime | None):
        super().__init__(until)
        wait = (until - timezone.now()).total_seconds() if until else 1
        self.seconds = max(1, round(wait))


def normalise(code: str) -> str:
    """Codes as people type them: spaces, dashes and capitals do not matter."""
    return "".join(code.split()).replace("-", "").lower()


def is_app_code(code: str) -> bool:
    return code.isdigit() and len(code) == 6


def match_code(user, code: str):
    """The device that accepts this code (six digits from the app, or a recovery code, which
    is then used up), or None. Raises Throttled while the device is backing off."""
    code = normalise(code)
    model = TOTPDevice if is_app_code(code) else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return None
        allowed, details = device.verify_is_allowed()
        if not allowed:
            raise Throttled((details or {}).get("locked_until"))
        return device if device.verify_token(code) else None


# --- Enrolment, recovery codes, turning it off ----------------------------------------------


def start_enrolment(user) -> TOTPDevice:
    """A new secret for the user's app, unconfirmed until they type a code it makes."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def unconfirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).select_related("user").first()


def confirm_enrolment(device: TOTPDevice, code: str) -> list[str] | None:
    """Turn two-factor on if `code` comes from the app; the new recovery codes, else None.
    Raises Throttled after repeated wrong codes."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise Throttled((details or {}).get("locked_until"))
    with transaction.atomic():
        if not device.verify_token(normalise(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return replace_recovery_codes(device.user)


def replace_recovery_codes(user) -> list[str]:
    """Ten new single-use codes; the old ones stop working. Shown to the user once."""
    device = StaticDevice.objects.filter(user=user).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def turn_off(user) -> int:
    """Remove the account's app and recovery codes: it signs in with its password alone
    again. Sessions verified with them stop being verified. Returns how many were removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    static, _ = StaticDevice.objects.filter(user=user).delete()
    return removed + static


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG in a data: URI (an <img>; no script)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
