"""Two-factor sign-in pages: the log-in's code step, enrolment, recovery codes, turning it off.

The rules (who owes a second factor, the lock-out) live in claims/two_factor.py.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from claims import two_factor
from claims.forms import CodeForm, ConfirmCodeForm, PasswordCheckForm, TurnOffTwoFactorForm
from claims.two_factor import LoginAttempt


class PasswordStep(auth_views.LoginView):
    """Django's log-in page, except that an account with two-factor on is not logged in by its
    password: it goes on to the code step, with its next= kept."""

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.is_enrolled(user):
            return super().form_valid(form)
        LoginAttempt.begin(self.request, user, self.get_success_url())
        return redirect("two_factor_verify")


login = PasswordStep.as_view()


@never_cache
def admin_login(request):
    """The admin's own log-in page and form (AdminSite.login), with the same code step: a
    password alone never signs an operator with two-factor on into the admin."""
    site = admin.site
    if request.method == "GET" and site.has_permission(request):
        return redirect("admin:index")
    request.current_app = site.name
    context = {**site.each_context(request), "title": "Log in", "app_path": request.get_full_path()}
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index")
    return PasswordStep.as_view(
        authentication_form=site.login_form or AdminAuthenticationForm,
        template_name=site.login_template or "admin/login.html",
        extra_context=context,
    )(request)


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """The log-in's second step: a code from the app, or a recovery code (used up)."""
    attempt = LoginAttempt.from_request(request)
    if attempt is None:
        messages.info(request, "Log in with your password first.")
        return redirect("login")
    if attempt.backend is None and not two_factor.owes_code(request.user):
        return redirect(attempt.next_url)
    if two_factor.is_locked_out(request, attempt.user):
        attempt.abandon(request)
        return two_factor.lockout_response(request, attempt.user)
    form = CodeForm(request.POST or None, initial={"next": attempt.next_url})
    if request.method == "POST" and form.is_valid():
        error = "That code is not right. Check the app shows this site, or use a recovery code."
        try:
            device = two_factor.match_code(attempt.user, form.cleaned_data["code"])
        except two_factor.Throttled as exc:
            device, error = None, f"Too many wrong codes: wait {exc.seconds} s, then try again."
        if device is not None:
            attempt.complete(request, device)
            return redirect(attempt.next_url)
        if attempt.failed(request):
            messages.error(request, "Too many wrong codes. Log in again to try once more.")
            return redirect("login")
        form.add_error("code", error)
    # 200 with the errors, as Django's log-in page answers a wrong password.
    context = {"form": form, "logged_in": attempt.backend is None}
    return render(request, "registration/two_factor_verify.html", context)


def _page(request, status=200, **forms):
    """The two-factor settings page in whichever state the account is: off, half set up
    (a secret shown, waiting for its first code) or on."""
    user = request.user
    enrolled = two_factor.is_enrolled(user)
    pending = None if enrolled else two_factor.unconfirmed_device(user)
    next_url = two_factor.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    context = {"enrolled": enrolled, "pending": pending, "next": next_url}
    context["required_by"] = two_factor.required_by(user)
    if pending:
        context["secret"] = two_factor.secret_text(pending)
        context["qr_code"] = two_factor.qr_code_data_uri(pending)
        context["confirm_form"] = forms.get("confirm_form") or ConfirmCodeForm(
            initial={"next": next_url}
        )
    if enrolled:
        context["codes_left"] = two_factor.recovery_codes_left(user)
        context["codes_form"] = forms.get("codes_form") or PasswordCheckForm(user=user)
        context["off_form"] = forms.get("off_form") or TurnOffTwoFactorForm(user=user)
    return render(request, "registration/two_factor.html", context, status=status)


@require_GET
@login_required
@never_cache
def manage(request):
    return _page(request)


@require_POST
@login_required
def setup(request):
    """Make a new secret for the user's app (again, if they start over)."""
    if two_factor.is_enrolled(request.user):
        messages.info(request, "Two-factor sign-in is already on.")
        return redirect("two_factor")
    two_factor.start_enrolment(request.user)
    next_url = two_factor.safe_next(request, request.POST.get("next"))
    return redirect(
        reverse("two_factor") + (f"?{urlencode({'next': next_url})}" if next_url else "")
    )


@require_POST
@login_required
@never_cache
@sensitive_post_parameters("code")
def confirm(request):
    """The app's first code turns two-factor on; the recovery codes are shown, this once."""
    if two_factor.is_enrolled(request.user):
        # One app per account: a second confirmed device would make codes ambiguous.
        messages.info(request, "Two-factor sign-in is already on.")
        return redirect("two_factor")
    device = two_factor.unconfirmed_device(request.user)
    if device is None:
        messages.info(request, "Start by choosing “Set up two-factor sign-in”.")
        return redirect("two_factor")
    form = ConfirmCodeForm(request.POST)
    if form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(device, form.cleaned_data["code"])
        except two_factor.Throttled as exc:
            form.add_error("code", f"Too many wrong codes: wait {exc.seconds} s, then try again.")
        else:
            if codes is not None:
                otp_login(request, device)  # this session gave the code
                return _codes_page(request, codes, form.cleaned_data["next"])
            form.add_error("code", "That code is not right. Check the secret in the app.")
    return _page(request, status=400, confirm_form=form)


def _codes_page(request, codes: list[str], next_url: str):
    context = {"codes": codes, "next": two_factor.safe_next(request, next_url)}
    # Both views that show them are never_cache: the codes stay out of every cache.
    return render(request, "registration/two_factor_recovery_codes.html", context)


def _password_refused(request, form) -> bool:
    """True if the account is locked out. A wrong password here counts as a failed log-in
    (django-axes), as a wrong code does."""
    if two_factor.is_locked_out(request, request.user):
        return True
    if form.has_error("password", "wrong_password"):
        two_factor.record_failure(request, request.user)
    return False


@require_POST
@login_required
@never_cache
@sensitive_post_parameters("password")
def recovery_codes(request):
    """New recovery codes (the old ones stop working), after the password."""
    form = PasswordCheckForm(request.POST, user=request.user)
    if _password_refused(request, form):
        return two_factor.lockout_response(request, request.user)
    if not form.is_valid():
        return _page(request, status=400, codes_form=form)
    return _codes_page(request, two_factor.replace_recovery_codes(request.user), "")


@require_POST
@login_required
@sensitive_post_parameters("password", "code")
def turn_off(request):
    """Turn two-factor off: it takes the password and a current code or recovery code."""
    user = request.user
    if not two_factor.is_enrolled(user):
        messages.info(request, "Two-factor sign-in is not on for your account.")
        return redirect("two_factor")
    form = TurnOffTwoFactorForm(request.POST, user=user)
    if _password_refused(request, form):
        return two_factor.lockout_response(request, user)
    if form.is_valid():
        try:
            device = two_factor.match_code(user, form.cleaned_data["code"])
        except two_factor.Throttled as exc:
            device, error = None, f"Too many wrong codes: wait {exc.seconds} s, then try again."
        else:
            error = "That code is not right."
        if device is not None:
            two_factor.turn_off(user)
            messages.success(request, "Two-factor sign-in is off for your account.")
            return redirect("two_factor")
        two_factor.record_failure(request, user)
        form.add_error("code", error)
    return _page(request, status=400, off_form=form)
