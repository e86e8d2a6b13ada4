"""The claim queue, "my claims", bulk actions and notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from claims import desk
from claims.forms import BulkActionForm, QueueFilterForm
from claims.models import Claim, search_terms
from claims.permissions import get_membership, visible_notifications

PAGE_SIZE = 50


def paginate(claims, page_number):
    """One page of claims: page through ids alone, then load the rows shown.

    Ordering and OFFSET run on the claims table (index order for the default sort); the
    joins for display happen for the 50 rows on the page only.
    """
    page = Paginator(claims.values_list("pk", flat=True), PAGE_SIZE).get_page(page_number)
    ids = list(page.object_list)
    rows = Claim.objects.for_queue().in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


@require_GET
@login_required
def claim_queue(request, slug):
    membership = get_membership(request, slug)
    form = QueueFilterForm(request.GET, membership=membership)
    claims = form.apply(membership.workspace.claims.all())
    page = paginate(claims, request.GET.get("page"))
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "form": form,
        "page": page,
        "bulk_form": BulkActionForm(membership=membership),
        "today": timezone.localdate(),
        "sort_headers": form.sort_headers(),
        "search_terms": search_terms(form.value("q"))[0],
    }
    template = "claims/queue.html"
    if request.htmx and request.htmx.target == "queue-results":
        template += "#queue-results"
    return render(request, template, context)


@require_GET
@login_required
def my_claims(request, slug):
    membership = get_membership(request, slug)
    claims = (
        membership.workspace.claims.filter(assignee=request.user)
        .open()
        .order_by(*QueueFilterForm.SORTS["due"])
    )
    page = paginate(claims, request.GET.get("page"))
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "page": page,
        "today": timezone.localdate(),
        "search_terms": [],
    }
    return render(request, "claims/my_claims.html", context)


@require_POST
@login_required
def queue_bulk(request, slug):
    membership = get_membership(request, slug)
    form = BulkActionForm(request.POST, membership=membership)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("claim_queue", args=[slug])
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect(back)
    claims = Claim.objects.filter(
        workspace=membership.workspace, pk__in=form.cleaned_data["claims"]
    )
    try:
        done, skipped = desk.bulk_update(
            membership=membership,
            claims=claims,
            action=form.cleaned_data["action"],
            assignee=form.cleaned_data.get("assignee"),
            priority=form.cleaned_data.get("priority"),
            reason=form.cleaned_data.get("reason", ""),
            original=form.cleaned_data.get("original"),
        )
    except desk.NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        text = f"Updated {done} claim{'s' if done != 1 else ''}."
        if skipped:
            text += f" {skipped} skipped: you can't change them this way."
        messages.success(request, text)
    return redirect(back)


@require_GET
@login_required
def notifications(request):
    items = visible_notifications(request.user).select_related("claim", "workspace")[:100]
    return render(request, "claims/notifications.html", {"notifications": items})


@require_POST
@login_required
def notifications_read(request):
    unread = visible_notifications(request.user).filter(read_at__isnull=True)
    unread.update(read_at=timezone.now())
    messages.success(request, "All notifications marked as read.")
    return redirect("notifications")
