"""Answering an invitation: from the e-mailed link (accept it, or create an account), or in
the app for invitations by user name (accept or decline from the workspace list).

The link's token is the secret; a logged-in account it was not sent to gets a 404 that says
what to do, and learns nothing about the invitation.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from claims import members
from claims.desk import NotAllowed
from claims.forms import InvitationSignupForm
from claims.models import Invitation


def _by_token(token: str) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("workspace", "invited_by").by_token(token)
    )


def _joined(request, membership):
    messages.success(request, f"Welcome to {membership.workspace.name}.")
    return redirect("dashboard", membership.workspace.slug)


@require_http_methods(["GET", "POST"])
@login_required
def invitation_detail(request, token):
    """GET: who invites you where, as what. POST: accept."""
    invitation = _by_token(token)
    if not invitation.is_for(request.user):
        return render(request, "claims/invitation.html", {"not_for_you": True}, status=404)
    problem = members.acceptance_problem(invitation, request.user)
    if request.method == "POST" and not problem:
        try:
            return _joined(
                request, members.accept_invitation(invitation=invitation, user=request.user)
            )
        except NotAllowed as exc:
            problem = str(exc)
    return _page(request, "claims/invitation.html", invitation=invitation, problem=problem)


@require_http_methods(["GET", "POST"])
def invitation_signup(request, token):
    """Create an account for the invited e-mail address, log in and join."""
    if request.user.is_authenticated:
        return redirect("invitation_detail", token)
    invitation = _by_token(token)
    problem = members.sign_up_problem(invitation)
    form = InvitationSignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            membership = members.sign_up_and_accept(invitation=invitation, form=form)
        except NotAllowed as exc:
            problem = str(exc)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, membership)
    return _page(
        request,
        "claims/invitation_signup.html",
        invitation=invitation,
        problem=problem,
        form=form,
        token=token,
    )


def _page(request, template, *, invitation, problem, **context):
    """Render with a status that says what happened: 410 the link no longer works, 409 the
    POST was refused, 400 the form has errors, else 200."""
    closed = bool(invitation.closed_reason())
    if closed:
        status = 410
    elif request.method == "POST":
        status = 409 if problem else 400
    else:
        status = 200
    context.update(invitation=invitation, problem=problem, closed=closed)
    return render(request, template, context, status=status)


def _mine(request, pk) -> Invitation:
    return get_object_or_404(
        Invitation.objects.addressed_to(request.user).select_related("workspace"), pk=pk
    )


@require_POST
@login_required
def invitation_accept(request, pk):
    invitation = _mine(request, pk)
    try:
        membership = members.accept_invitation(invitation=invitation, user=request.user)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("workspace_list")
    return _joined(request, membership)


@require_POST
@login_required
def invitation_decline(request, pk):
    invitation = _mine(request, pk)
    try:
        members.decline_invitation(invitation=invitation, user=request.user)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You declined the invitation to {invitation.workspace.name}.")
    return redirect("workspace_list")
