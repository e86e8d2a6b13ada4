"""The claim queue: filters in the URL, search, sorting, pagination, bulk actions, my claims."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import Activity, Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, VerdictFactory


def queue(client, workspace, **params):
    return client.get(reverse("claim_queue", args=[workspace.slug]), params)


def shown(response):
    return {c.pk for c in response.context["page"].object_list}


def claim_in(workspace, body, **fields):
    article = ArticleFactory(workspace=workspace, body=body)
    end = body.index(".") + 1
    return article.add_claim(start=0, end=end, **fields)


@pytest.fixture
def claims(workspace, reviewer):
    today = timezone.localdate()
    return {
        "bridge": claim_in(workspace, "The bridge cost $12 million.", score=0.9, priority=4),
        "mine": claim_in(
            workspace,
            "Unemployment fell to 3.9 percent.",
            score=0.7,
            assignee=reviewer,
            status="assigned",
            due_date=today - datetime.timedelta(days=2),
        ),
        "soon": claim_in(
            workspace,
            "Exports grew 7 percent in 2024.",
            score=0.5,
            assignee=UserFactory(),
            status="researching",
            due_date=today + datetime.timedelta(days=3),
        ),
        "dismissed": claim_in(workspace, "Crime doubled overnight.", status="dismissed"),
        "published": claim_in(workspace, "Taxes rose 2 percent.", status="published"),
    }


def test_default_shows_open_claims_by_score(reviewer_client, workspace, claims):
    response = queue(reviewer_client, workspace)
    order = [c.pk for c in response.context["page"].object_list]
    assert order == [claims["bridge"].pk, claims["mine"].pk, claims["soon"].pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "all"}, {"bridge", "mine", "soon", "dismissed", "published"}),
        ({"status": "dismissed"}, {"dismissed"}),
        ({"assignee": "me"}, {"mine"}),
        ({"assignee": "unassigned"}, {"bridge"}),
        ({"priority": "4"}, {"bridge"}),
        ({"due": "overdue"}, {"mine"}),
        ({"due": "week"}, {"soon"}),
        ({"due": "none"}, {"bridge"}),
        ({"min_score": "0.6"}, {"bridge", "mine"}),
        ({"q": "bridge"}, {"bridge"}),
        ({"q": "unemployment"}, {"mine"}),
        ({"status": "bogus", "priority": "9", "min_score": "x"}, {"bridge", "mine", "soon"}),
    ],
)
def test_filters(reviewer_client, workspace, claims, params, expected):
    response = queue(reviewer_client, workspace, **params)
    assert response.status_code == 200
    assert shown(response) == {claims[name].pk for name in expected}


def test_filter_by_article_and_rating(reviewer_client, workspace, claims):
    verdict = VerdictFactory(claim=claims["soon"])
    response = queue(reviewer_client, workspace, article=claims["soon"].article_id)
    assert shown(response) == {claims["soon"].pk}
    response = queue(reviewer_client, workspace, rating=verdict.rating_id)
    assert shown(response) == {claims["soon"].pk}
    response = queue(reviewer_client, workspace, rating="none")
    assert shown(response) == {claims["bridge"].pk, claims["mine"].pk}


def test_search_matches_the_article_text_too(reviewer_client, workspace):
    article = ArticleFactory(
        workspace=workspace, title="Harbour report", body="Cargo rose 8 percent. Ships waited."
    )
    claim = article.add_claim(start=0, end=21)
    assert shown(queue(reviewer_client, workspace, q="harbour")) == {claim.pk}
    assert shown(queue(reviewer_client, workspace, q="zeppelin")) == set()


@pytest.mark.parametrize("sort", ["score", "due", "priority", "newest", "oldest", "status"])
def test_sorts(reviewer_client, workspace, claims, sort):
    response = queue(reviewer_client, workspace, sort=sort, status="all")
    assert len(shown(response)) == 5
    if sort == "due":
        first = response.context["page"].object_list[0]
        assert first == claims["mine"]  # overdue first, undated last


def test_filters_live_in_the_url_and_pagination_keeps_them(reviewer_client, workspace):
    article = ArticleFactory(workspace=workspace, body="Fact one. " * 120)
    for i in range(60):
        article.add_claim(start=i * 10, end=i * 10 + 9, priority=3)
    response = queue(reviewer_client, workspace, priority="3", q="Fact")
    page = response.content.decode()
    assert response.context["page"].paginator.count == 60
    assert "q=Fact&amp;priority=3&amp;page=2" in page or "priority=3&amp;q=Fact&amp;page=2" in page
    second = queue(reviewer_client, workspace, priority="3", q="Fact", page="2")
    assert len(second.context["page"].object_list) == 10
    # Past the last page: the last page, not an error.
    assert queue(reviewer_client, workspace, page="99").status_code == 200


def test_htmx_filter_returns_only_the_results(reviewer_client, workspace, claims):
    response = reviewer_client.get(
        reverse("claim_queue", args=[workspace.slug]),
        {"assignee": "me"},
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="queue-results">')
    assert claims["mine"].text in page and claims["bridge"].text not in page


def test_overdue_claims_stand_out(reviewer_client, workspace, claims):
    page = queue(reviewer_client, workspace).content.decode()
    assert 'class="overdue-row"' in page and "overdue" in page


def test_queue_query_count_is_constant(reviewer_client, workspace, django_assert_max_num_queries):
    claim_in(workspace, "One claim here.")
    queue(reviewer_client, workspace)
    with django_assert_max_num_queries(12) as few:
        queue(reviewer_client, workspace)
    for i in range(40):
        claim = claim_in(
            workspace, f"Claim number {i} here.", assignee=UserFactory(), status="assigned"
        )
        if i % 2:
            VerdictFactory(claim=claim)
    with django_assert_max_num_queries(len(few.captured_queries)):
        queue(reviewer_client, workspace, q="claim")
    with django_assert_max_num_queries(len(few.captured_queries)):
        queue(reviewer_client, workspace)


def test_my_claims_overdue_first(reviewer_client, reviewer, workspace, claims):
    later = claim_in(
        workspace,
        "Wages rose 4 percent.",
        assignee=reviewer,
        status="assigned",
        due_date=timezone.localdate() + datetime.timedelta(days=9),
    )
    undated = claim_in(workspace, "Rents fell 1 percent.", assignee=reviewer, status="assigned")
    response = reviewer_client.get(reverse("my_claims", args=[workspace.slug]))
    order = [c.pk for c in response.context["page"].object_list]
    assert order == [claims["mine"].pk, later.pk, undated.pk]


def test_my_claims_query_count_is_constant(
    reviewer_client, reviewer, workspace, django_assert_max_num_queries
):
    url = reverse("my_claims", args=[workspace.slug])
    claim_in(workspace, "The first one here.", assignee=reviewer, status="assigned")
    reviewer_client.get(url)
    with django_assert_max_num_queries(9) as few:
        reviewer_client.get(url)
    for i in range(20):
        claim_in(workspace, f"Mine {i} here.", assignee=reviewer, status="assigned")
    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer_client.get(url)


def bulk(client, workspace, ids, **data):
    payload = {"claims": ids, "next": reverse("claim_queue", args=[workspace.slug]), **data}
    return client.post(reverse("queue_bulk", args=[workspace.slug]), payload)


def test_bulk_assign_from_the_queue(editor_client, workspace, claims, reviewer):
    ids = [claims["bridge"].pk, claims["soon"].pk]
    response = bulk(editor_client, workspace, ids, action="assign", assignee=reviewer.pk)
    assert response.status_code == 302
    assert set(Claim.objects.filter(pk__in=ids).values_list("assignee", flat=True)) == {reviewer.pk}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Updated 2 claims."]


def test_bulk_dismiss_needs_a_reason(editor_client, workspace, claims):
    bulk(editor_client, workspace, [claims["bridge"].pk], action="dismiss")
    assert Claim.objects.get(pk=claims["bridge"].pk).status == "new"
    bulk(editor_client, workspace, [claims["bridge"].pk], action="dismiss", reason="Opinion")
    claim = Claim.objects.get(pk=claims["bridge"].pk)
    assert (claim.status, claim.dismissed_reason) == ("dismissed", "Opinion")


def test_bulk_by_a_reviewer_is_limited(reviewer_client, workspace, claims):
    before = Activity.objects.count()
    bulk(reviewer_client, workspace, [claims["bridge"].pk], action="dismiss", reason="x")
    assert Claim.objects.get(pk=claims["bridge"].pk).status == "new"
    assert Activity.objects.count() == before


def test_bulk_ignores_other_workspaces_claims(editor_client, workspace, other_workspace):
    foreign = ClaimFactory(article__workspace=other_workspace)
    bulk(editor_client, workspace, [foreign.pk], action="dismiss", reason="x")
    foreign.refresh_from_db()
    assert foreign.status == "new"


def test_bulk_with_nothing_selected(editor_client, workspace):
    response = bulk(editor_client, workspace, [], action="unassign")
    assert [str(m) for m in response.wsgi_request._messages] == ["Select at least one claim."]


def test_bulk_next_cannot_leave_the_site(editor_client, workspace, claims):
    response = editor_client.post(
        reverse("queue_bulk", args=[workspace.slug]),
        {"claims": [claims["bridge"].pk], "action": "unassign", "next": "https://evil.example"},
    )
    assert response["Location"] == reverse("claim_queue", args=[workspace.slug])


def test_notifications_unread_count_and_mark_read(reviewer_client, reviewer, workspace, claims):
    from claims.models import Notification

    Notification.objects.create(
        recipient=reviewer, workspace=workspace, claim=claims["mine"], message="Assigned to you"
    )
    page = reviewer_client.get(reverse("dashboard", args=[workspace.slug])).content.decode()
    assert 'aria-label="1 unread"' in page
    listing = reviewer_client.get(reverse("notifications")).content.decode()
    assert "Assigned to you" in listing
    # Opening the claim reads its notification.
    reviewer_client.get(claims["mine"].get_absolute_url())
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    Notification.objects.create(recipient=reviewer, workspace=workspace, message="Another")
    reviewer_client.post(reverse("notifications_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_notifications_are_private(reviewer_client, workspace, editor):
    from claims.models import Notification

    Notification.objects.create(recipient=editor, workspace=workspace, message="Editor only")
    assert b"Editor only" not in reviewer_client.get(reverse("notifications")).content
