"""The desk's rough edges, as a member meets them: the status control offers only the moves
that will be accepted, notifications name the claim and its due date, history speaks in
people's names, every htmx action replaces the previous message, HEAD answers like GET, and
every page starts with a skip link under a CSP that htmx needs no exception for."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import desk
from claims.models import Activity, Claim, Membership, Notification, Role
from tests.factories import ArticleFactory, MembershipFactory, UserFactory

HTMX = {"HX-Request": "true"}
BODY = (
    "The council said the new bridge cost $12 million, twice the original budget agreed in 2021.\n"
    "Residents enjoyed the opening ceremony."
)


@pytest.fixture
def people(workspace, other_workspace):
    def member(username, first, last, role, ws=workspace):
        user = UserFactory(username=username, first_name=first, last_name=last)
        MembershipFactory(user=user, workspace=ws, role=role)
        return user

    return {
        "alice": member("alice", "Alice", "Reviewer", Role.REVIEWER),
        "bob": member("bob", "Bob", "Bystander", Role.REVIEWER),
        "editor": member("ana", "Ana", "Editor", Role.EDITOR),
        "outsider": member("olga", "Olga", "Outside", Role.ADMIN, other_workspace),
    }


@pytest.fixture
def claim(workspace):
    article = ArticleFactory(workspace=workspace, body=BODY, title="Bridge costs")
    return article.add_claim(start=0, end=BODY.index("\n"), score=0.9)


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def membership(user, workspace) -> Membership:
    return Membership.objects.get(user=user, workspace=workspace)


def put(claim, status, assignee=None, reason=""):
    Claim.objects.filter(pk=claim.pk).update(
        status=status, assignee=assignee, dismissed_reason=reason
    )
    claim.refresh_from_db()


def url(name, claim):
    return reverse(name, kwargs={"slug": claim.workspace.slug, "pk": claim.pk})


def region(html: str, element_id: str) -> str:
    """The section with this id, up to its closing tag."""
    start = html.index(f'<section id="{element_id}"')
    return html[start : html.index("</section>", start)]


def offered(html: str) -> list[str]:
    """The status moves the assignment region offers, as the values its buttons send."""
    return re.findall(r'name="status" value="([a-z_]+)"', region(html, "assignment"))


# --- The status control ---------------------------------------------------------------------

# (status, assigned to alice?, who looks) -> the moves offered, dismissing included
CASES = [
    ("new", False, "editor", ["dismissed"]),
    ("new", False, "alice", []),
    ("assigned", True, "alice", ["researching"]),
    ("assigned", True, "editor", ["researching", "dismissed"]),
    ("researching", True, "alice", ["assigned"]),
    ("researching", True, "editor", ["assigned", "dismissed"]),
    ("researching", True, "bob", []),
    ("in_review", True, "editor", []),
    ("in_review", True, "alice", []),
    ("published", True, "editor", []),
    ("dismissed", False, "editor", ["new"]),
    ("dismissed", True, "editor", ["assigned"]),
    ("dismissed", True, "alice", []),
]


@pytest.mark.parametrize(("status", "assigned", "who", "moves"), CASES)
def test_the_status_control_offers_only_the_allowed_moves(
    people, workspace, claim, status, assigned, who, moves
):
    put(claim, status, people["alice"] if assigned else None, "Opinion" * (status == "dismissed"))
    assert claim.allowed_moves(membership(people[who], workspace)) == moves
    page = client_as(people[who]).get(claim.get_absolute_url()).content.decode()
    assert offered(page) == moves
    assignment = region(page, "assignment")
    assert f'id="assignment-status">{claim.get_status_display()}<' in assignment
    if not moves:
        # No control that would be refused; a sentence says what moves the claim on instead.
        assert 'id="status-hint"' in assignment


def test_a_new_claim_has_no_assigned_default_and_says_how_to_start(people, claim):
    page = client_as(people["editor"]).get(claim.get_absolute_url()).content.decode()
    assignment = region(page, "assignment")
    assert 'value="assigned"' not in assignment
    assert "selected" not in assignment.split('id="assign-form"')[0]
    assert "Take this claim" in assignment
    # The reviewer who may not move it is told how to start, not shown a form.
    page = client_as(people["alice"]).get(claim.get_absolute_url()).content.decode()
    assert "Take the claim to work on it." in region(page, "assignment")
    assert 'id="status-form"' not in page


@pytest.mark.parametrize(("status", "assigned", "who", "moves"), [c for c in CASES if c[3]])
def test_every_move_offered_is_accepted(people, claim, status, assigned, who, moves):
    client = client_as(people[who])
    for move in moves:
        put(claim, status, people["alice"] if assigned else None)
        data = {"status": move, "dismissed_reason": "An opinion, not a checkable claim."}
        response = client.post(url("claim_status", claim), data)
        assert response.status_code == 302, response.content[-1500:]
        claim.refresh_from_db()
        assert claim.status == move


def test_the_old_default_on_a_new_claim_is_a_form_error_not_a_refusal(people, claim):
    client = client_as(people["editor"])
    response = client.post(url("claim_status", claim), {"status": "assigned"}, headers=HTMX)
    assert response.status_code == 400
    assert "that move isn&#x27;t possible from there" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, Activity.objects.count()) == ("new", 0)


def test_dismissing_without_a_reason_keeps_the_form_open_and_changes_nothing(people, claim):
    put(claim, "researching", people["alice"])
    response = client_as(people["editor"]).post(
        url("claim_status", claim), {"status": "dismissed", "dismissed_reason": "   "}, headers=HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why the claim is dismissed." in html
    assert '<details class="add-form" open>' in region(html, "assignment")
    claim.refresh_from_db()
    assert claim.status == "researching"


def test_after_an_htmx_move_the_control_shows_the_real_status_and_its_moves(people, claim):
    put(claim, "assigned", people["alice"])
    client = client_as(people["alice"])
    response = client.post(url("claim_status", claim), {"status": "researching"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="assignment-status">Researching<' in html
    assert offered(html) == ["assigned"]
    # The header, swapped out of band, agrees.
    assert '<span class="badge status-researching" id="claim-status">Researching</span>' in html
    assert "Status: Researching." in html  # the message


def test_a_stale_move_is_refused_with_the_status_it_has_now(people, claim):
    """The page offered "Back to assigned"; meanwhile the verdict went in for review."""
    put(claim, "in_review", people["alice"])
    response = client_as(people["alice"]).post(
        url("claim_status", claim), {"status": "assigned"}, headers=HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The claim is in review now" in html
    assert 'id="assignment-status">In review<' in html
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_someone_who_may_not_work_on_it_is_refused_and_nothing_changes(people, claim):
    put(claim, "researching", people["alice"])
    response = client_as(people["bob"]).post(url("claim_status", claim), {"status": "assigned"})
    assert response.status_code == 403
    assert "Only the claim&#x27;s assignee or an editor" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, Activity.objects.count()) == ("researching", 0)


def test_the_status_view_hides_the_claim_from_outsiders_and_refuses_get(people, claim):
    put(claim, "researching", people["alice"])
    outsider = client_as(people["outsider"])
    assert outsider.post(url("claim_status", claim), {"status": "assigned"}).status_code == 404
    assert client_as(people["editor"]).get(url("claim_status", claim)).status_code == 405
    claim.refresh_from_db()
    assert claim.status == "researching"


def test_published_and_dismissed_claims_say_why_they_cannot_be_assigned(people, claim):
    put(claim, "dismissed", None, "Opinion")
    page = client_as(people["editor"]).get(claim.get_absolute_url()).content.decode()
    assignment = region(page, "assignment")
    assert 'id="assign-form"' not in assignment
    assert "The claim is dismissed; reopen it first." in assignment


def test_update_claim_enforces_the_same_transitions(people, workspace, claim):
    editor, alice = membership(people["editor"], workspace), membership(people["alice"], workspace)
    put(claim, "in_review", people["alice"])
    with pytest.raises(desk.NotAllowed, match="waiting for an editor"):
        desk.update_claim(membership=editor, claim=claim, status="researching")
    put(claim, "dismissed", people["alice"], "Opinion")
    with pytest.raises(desk.NotAllowed, match="Only an editor can dismiss or reopen"):
        desk.update_claim(membership=alice, claim=claim, status="assigned")
    desk.update_claim(membership=editor, claim=claim, status="assigned")
    claim.refresh_from_db()
    assert (claim.status, claim.dismissed_reason) == ("assigned", "")


def test_take_then_research_then_back_is_a_sequence_without_refusals(people, claim):
    client = client_as(people["alice"])
    assert client.post(url("claim_take", claim), headers=HTMX).status_code == 200
    html = client.get(claim.get_absolute_url()).content.decode()
    assert offered(html) == ["researching"]
    response = client.post(url("claim_status", claim), {"status": "researching"}, headers=HTMX)
    assert offered(response.content.decode()) == ["assigned"]
    response = client.post(url("claim_status", claim), {"status": "assigned"}, headers=HTMX)
    assert offered(response.content.decode()) == ["researching"]
    claim.refresh_from_db()
    assert (claim.status, claim.assignee) == ("assigned", people["alice"])


# --- Notifications --------------------------------------------------------------------------


def test_the_assignment_notice_names_the_claim_and_the_due_date(people, workspace, claim):
    due = timezone.localdate().replace(month=12, day=3)
    client = client_as(people["editor"])
    data = {"assignee": people["alice"].pk, "due_date": due.isoformat(), "priority": 3}
    assert client.post(url("claim_assign", claim), data).status_code == 302
    note = Notification.objects.get(recipient=people["alice"])
    # The claim's first 60 characters, the ellipsis included.
    assert note.message == f"Ana Editor assigned you “{claim.text[:59]}…” (due 3 Dec)"
    assert "twice the…" in note.message
    page = client_as(people["alice"]).get(reverse("notifications")).content.decode()
    assert "Ana Editor assigned you “The council said the new bridge cost $12 million" in page
    assert "(due 3 Dec)" in page


def test_a_due_date_in_another_year_says_the_year_and_no_due_date_says_nothing(
    people, workspace, claim
):
    editor = membership(people["editor"], workspace)
    next_year = timezone.localdate() + datetime.timedelta(days=400)
    desk.assign_claim(membership=editor, claim=claim, assignee=people["alice"], due_date=next_year)
    assert Notification.objects.get().message.endswith(
        f"(due {next_year.day} {next_year:%b} {next_year.year})"
    )
    Notification.objects.all().delete()
    short = ArticleFactory(workspace=workspace, body="Taxes rose 4%.\nMore.")
    other = short.add_claim(start=0, end=14, score=0.5)
    desk.assign_claim(membership=editor, claim=other, assignee=people["alice"])
    assert Notification.objects.get().message == "Ana Editor assigned you “Taxes rose 4%.”"


def test_comment_and_bulk_assignment_notices_name_the_claim(people, workspace, claim):
    editor = membership(people["editor"], workspace)
    desk.bulk_update(
        membership=editor,
        claims=Claim.objects.filter(pk=claim.pk),
        action="assign",
        assignee=people["alice"],
    )
    claim.refresh_from_db()
    desk.add_comment(membership=editor, claim=claim, body="Check the 2021 budget.")
    messages = sorted(Notification.objects.values_list("message", flat=True))
    assert messages == [
        f"Ana Editor assigned you “{claim.text[:59]}…”",
        f"Ana Editor commented on “{claim.text[:59]}…”",
    ]


# --- History --------------------------------------------------------------------------------


def test_history_names_people_not_user_names(people, workspace, claim):
    client = client_as(people["editor"])
    client.post(url("claim_assign", claim), {"assignee": people["alice"].pk, "priority": 2})
    client.post(url("claim_assign", claim), {"assignee": "", "priority": 2})
    client_as(people["bob"]).post(url("claim_take", claim))
    history = region(client.get(claim.get_absolute_url()).content.decode(), "claim-history")
    assert "<strong>Ana Editor</strong> assigned the claim to Alice Reviewer" in history
    assert "<strong>Bob Bystander</strong> assigned the claim to Bob Bystander" in history
    assert " to alice" not in history and " to bob" not in history


def test_history_of_older_events_falls_back_to_the_user_name(people, workspace, claim):
    Activity.objects.create(
        workspace=workspace,
        actor=people["editor"],
        verb=Activity.Verb.CLAIM_ASSIGNED,
        claim=claim,
        detail={"to": "alice"},
    )
    history = region(
        client_as(people["editor"]).get(claim.get_absolute_url()).content.decode(),
        "claim-history",
    )
    assert "assigned the claim to alice" in history


# --- Messages over htmx ---------------------------------------------------------------------


def test_an_htmx_action_replaces_the_previous_message_even_with_none_of_its_own(people, claim):
    put(claim, "assigned", people["alice"])
    client = client_as(people["alice"])
    said = client.post(url("claim_status", claim), {"status": "researching"}, headers=HTMX)
    said = said.content.decode()
    assert '<div id="messages" hx-swap-oob="innerHTML">' in said
    assert '<p class="message message-success">Status: Researching.</p>' in said
    # A comment has no message: the region comes anyway, empty, to clear the old one.
    quiet = client.post(url("comment_add", claim), {"body": "On it."}, headers=HTMX)
    quiet = quiet.content.decode()
    oob = quiet[quiet.index('<div id="messages" hx-swap-oob="innerHTML">') :]
    assert "Status: Researching." not in quiet and 'class="message' not in oob


def test_refusals_over_htmx_are_alerts_in_the_messages_region(people, claim):
    put(claim, "researching", people["alice"])
    response = client_as(people["bob"]).post(
        url("claim_status", claim), {"status": "assigned"}, headers=HTMX
    )
    html = response.content.decode()
    oob = html[html.index('<div id="messages" hx-swap-oob="innerHTML">') :]
    assert 'class="message message-error" role="alert">Only the claim' in oob


def test_an_htmx_get_without_messages_leaves_the_shown_ones_alone(people, workspace):
    client = client_as(people["editor"])
    response = client.get(
        reverse("article_new", args=[workspace.slug]) + "?source=url", headers=HTMX
    )
    assert "hx-swap-oob" not in response.content.decode()


def test_the_messages_region_is_a_live_region(people, workspace):
    page = client_as(people["editor"]).get(reverse("dashboard", args=[workspace.slug]))
    assert (
        '<div id="messages" class="messages" role="status" aria-live="polite">'
        in page.content.decode()
    )


# --- HEAD, skip link, CSP -------------------------------------------------------------------


def _headers(response) -> dict:
    # Set-Cookie differs per request (a fresh CSRF token); everything else must match.
    return {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}


@pytest.mark.parametrize("signed_in", [False, True])
def test_head_answers_like_get_on_the_pages_a_monitor_hits(people, workspace, signed_in):
    client = client_as(people["alice"]) if signed_in else Client()
    for path in ("/", reverse("healthz")):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code
        assert _headers(head) == _headers(got)
        assert head.content == b""
    # Where "/" leads (the log-in page, a dashboard) answers HEAD too: 200, no body.
    chain = client.get("/", follow=True).redirect_chain
    landed = client.head(chain[-1][0])
    assert landed.status_code == 200 and landed.content == b""


def test_the_skip_link_is_the_first_thing_to_focus(people, workspace, claim):
    client = client_as(people["editor"])
    for path in (
        reverse("dashboard", args=[workspace.slug]),
        claim.get_absolute_url(),
        "/accounts/login/",
    ):
        page = client.get(path, follow=True).content.decode()
        body = page[page.index("<body") :]
        first = re.search(
            r"<(a|button|input|select|textarea|summary)\b[^>]*>", body.split(">", 1)[1]
        )
        assert first.group(0) == '<a class="skip-link" href="#content">'
        assert '<main class="page" id="content" tabindex="-1">' in page


def test_htmx_runs_under_the_csp_without_inline_styles(client):
    response = client.get("/accounts/login/")
    page = response.content.decode()
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', page)[1])
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert " style=" not in page
    # The indicator's styles htmx would have injected come from our stylesheet instead.
    from django.contrib.staticfiles import finders

    with open(finders.find("css/app.css")) as stylesheet:
        css = stylesheet.read()
    assert ".htmx-indicator { display: none; }" in css
    assert ".htmx-request .htmx-indicator" in css


def test_the_tabs_come_with_the_form_they_name(people, workspace):
    client = client_as(people["editor"])
    base = reverse("article_new", args=[workspace.slug])
    for source in ("paste", "upload", "url"):
        html = client.get(f"{base}?source={source}", headers=HTMX).content.decode()
        current = re.findall(r'<a href="\?source=(\w+)"[^>]*aria-current="page"', html)
        assert current == [source]
        assert f'name="source" value="{source}"' in html
