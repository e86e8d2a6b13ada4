"""Access rules every page obeys: login required, workspace isolation, allowed methods."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims.models import (
    Article,
    Claim,
    Correction,
    Invitation,
    Membership,
    Rating,
    Verdict,
    Workspace,
)
from tests.factories import (
    ClaimFactory,
    CommentFactory,
    InvitationFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)
from tests.urls_catalogue import ACCOUNT_URLS, APP_URLS, PUBLIC_URLS, named_urls, url_for


def objects_of(workspace):
    claim = ClaimFactory(article__workspace=workspace)
    source = SourceFactory(claim=claim)
    verdict = VerdictFactory(claim=claim)
    # A proposal waiting for approval (anyone could approve or reject it, were it theirs).
    correction = Correction.objects.create(
        verdict=verdict, reason="A figure was revised.", created_by=verdict.author
    )
    return {
        "workspace": workspace,
        "article": claim.article,
        "claim": claim,
        "verdict": verdict,
        "source": source,
        "correction": correction,
        "comment": CommentFactory(claim=claim),
        "membership": workspace.memberships.create(user=UserFactory(), role="reviewer"),
        "rating": workspace.ratings.create(label="Satire", position=9),
        # To someone without an account: nobody logged in here may answer it.
        "invitation": InvitationFactory(workspace=workspace, invitee="newcomer"),
    }


@pytest.fixture
def mine(workspace):
    return objects_of(workspace)


@pytest.fixture
def admin_client_(admin_member):
    client = Client()
    client.force_login(admin_member)
    return client


@pytest.fixture
def theirs(other_workspace):
    return objects_of(other_workspace)


def test_catalogue_covers_every_url():
    assert named_urls() == set(APP_URLS) | PUBLIC_URLS | ACCOUNT_URLS


READS = sorted(n for n, (_, writes) in APP_URLS.items() if not writes)
WRITES = sorted(n for n, (_, writes) in APP_URLS.items() if writes)
# Pages only a workspace admin may open.
ADMIN_ONLY = {"workspace_settings", "article_delete"}
# Write views that also show their form on GET.
FORM_PAGES = {
    "article_new",
    "source_edit",
    "invitation_detail",
    "two_factor_verify",
    "article_edit",
    "article_delete",
}


def snapshot():
    """Row counts and last-change times of everything a view could alter."""
    from claims.models import Activity, Comment, Notification, Source

    return (
        [m.objects.count() for m in (Article, Claim, Verdict, Source, Comment, Activity)],
        list(Membership.objects.order_by("pk").values_list("role", flat=True)),
        list(Rating.objects.order_by("pk").values_list("label", "value")),
        list(
            Workspace.objects.order_by("pk").values_list(
                "name", "organisation_name", "require_two_factor"
            )
        ),
        [m.objects.count() for m in (TOTPDevice, StaticToken)],
        list(Claim.objects.order_by("pk").values_list("status", "assignee", "priority")),
        list(Verdict.objects.order_by("pk").values_list("status", "version")),
        list(Correction.objects.order_by("pk").values_list("status", "decided_by")),
        list(Article.objects.order_by("pk").values_list("extraction_status", flat=True)),
        Notification.objects.filter(read_at__isnull=False).count(),
        list(
            Invitation.objects.order_by("pk").values_list(
                "role", "accepted_at", "revoked_at", "declined_at"
            )
        ),
    )


@pytest.mark.parametrize("name", sorted(APP_URLS))
def test_anonymous_is_sent_to_login_and_changes_nothing(client, mine, name):
    url = url_for(name, mine)
    before = snapshot()
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
    assert client.get(url).status_code == 302 or name in WRITES
    assert snapshot() == before


@pytest.mark.parametrize("name", READS)
def test_member_can_open_every_page(reviewer_client, admin_client_, mine, name):
    client = admin_client_ if name in ADMIN_ONLY else reviewer_client
    response = client.get(url_for(name, mine), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(ADMIN_ONLY))
def test_admin_pages_refuse_other_roles(reviewer_client, editor_client, mine, name):
    for client in (reviewer_client, editor_client):
        assert client.get(url_for(name, mine)).status_code == 403


@pytest.mark.parametrize("name", [n for n in READS if APP_URLS[n][0]])
def test_other_workspace_pages_are_not_found(reviewer_client, mine, theirs, name):
    # Their workspace by name: the reviewer is not a member.
    assert reviewer_client.get(url_for(name, theirs)).status_code == 404
    # Their object under our workspace's URL: never found either.
    if APP_URLS[name][0] != "workspace":
        mixed = {**theirs, "workspace": mine["workspace"]}
        assert reviewer_client.get(url_for(name, mixed)).status_code == 404


@pytest.mark.parametrize("name", [n for n in WRITES if APP_URLS[n][0]])
def test_other_workspace_writes_are_not_found_and_change_nothing(admin_client_, mine, theirs, name):
    client = admin_client_  # the most powerful role in its own workspace
    before = snapshot()
    data = {"body": "x", "comment": "x", "version": 1, "action": "dismiss", "reason": "x"}
    assert client.post(url_for(name, theirs), data).status_code == 404
    if APP_URLS[name][0] != "workspace":
        mixed = {**theirs, "workspace": mine["workspace"]}
        assert client.post(url_for(name, mixed), data).status_code == 404
    assert snapshot() == before


def test_other_workspace_content_never_appears_on_our_pages(reviewer_client, mine, theirs):
    theirs["claim"].article.title = "Secret rival scoop"
    theirs["claim"].article.save()
    for name in READS:
        response = reviewer_client.get(url_for(name, mine), follow=True)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Secret rival scoop" not in body


@pytest.mark.parametrize("name", READS)
def test_read_only_pages_refuse_post(reviewer_client, mine, name):
    before = snapshot()
    response = reviewer_client.post(url_for(name, mine))
    assert response.status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("name", [n for n in WRITES if n not in FORM_PAGES])
def test_state_changing_views_refuse_get(editor_client, mine, name):
    before = snapshot()
    assert editor_client.get(url_for(name, mine)).status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("name", WRITES)
def test_state_changing_views_refuse_post_without_csrf_token(editor, mine, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    before = snapshot()
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(url_for(name, mine), {"version": 1}, headers=headers)
        assert response.status_code == 403
    assert snapshot() == before
