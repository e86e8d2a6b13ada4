"""Exports from the queue: the verdicts behind the current filters, never another desk's."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClaimFactory, UserFactory, VerdictFactory


def published(workspace, text, **fields):
    claim = ClaimFactory(article__workspace=workspace, status="published", assignee=None, **fields)
    return VerdictFactory(
        claim=claim,
        status="published",
        approved_by=UserFactory(),
        published_at=timezone.now(),
        summary=text,
    )


def export(client, workspace, **params):
    response = client.get(reverse("queue_export", args=[workspace.slug]), params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_csv_export_follows_the_queue_filters(reviewer_client, workspace, other_workspace):
    mine = published(workspace, "Our published verdict")
    draft = VerdictFactory(claim=ClaimFactory(article__workspace=workspace), summary="A draft")
    published(other_workspace, "Their secret verdict")
    response, body = export(reviewer_client, workspace, format="csv", status="published")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="daily-example')
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["Summary"] for r in rows] == ["Our published verdict"]
    assert str(mine.pk) == rows[0]["Verdict ID"]
    _, body = export(reviewer_client, workspace, format="csv", status="all")
    text = body.decode("utf-8-sig")
    assert "A draft" in text and draft.claim.text in text
    assert "Their secret verdict" not in text


def test_json_and_claimreview_exports(reviewer_client, workspace, other_workspace):
    published(workspace, "Ours", article__source_url="https://news.example.org/a")
    published(other_workspace, "Theirs", article__source_url="https://news.example.org/b")
    _, body = export(reviewer_client, workspace, format="json", status="all")
    assert [r["summary"] for r in json.loads(body)] == ["Ours"]
    _, body = export(reviewer_client, workspace, format="claimreview", status="published")
    reviews = json.loads(body)
    assert len(reviews) == 1 and reviews[0]["@type"] == "ClaimReview"
    assert "news.example.org/a" in json.dumps(reviews)


def test_unknown_format_is_refused(reviewer_client, workspace):
    response = reviewer_client.get(
        reverse("queue_export", args=[workspace.slug]), {"format": "doc"}
    )
    assert response.status_code == 400


def test_outsider_cannot_export(outsider_client, workspace):
    published(workspace, "Ours")
    response = outsider_client.get(
        reverse("queue_export", args=[workspace.slug]), {"format": "csv", "status": "all"}
    )
    assert response.status_code == 404


def test_claimreview_check_lists_what_would_be_left_out(reviewer_client, workspace):
    published(workspace, "No article address", article__source_url="")
    published(workspace, "Fine", article__source_url="https://news.example.org/ok")
    page = reviewer_client.get(
        reverse("claimreview_check", args=[workspace.slug]), {"status": "published"}
    ).content.decode()
    # What it checked, with which filters, how many pass, and why the others don't.
    assert "Status: <strong>Published</strong>" in page
    assert "Checked <strong>2</strong> verdicts" in page
    assert "<strong>1</strong> makes valid ClaimReview markup" in page
    assert "<strong>1</strong> would be left out" in page
    listed = page[page.index("Verdicts left out") :]
    assert listed.count("<tr>") == 2  # header + the one invalid verdict
    assert "No article address" not in page  # the summary is not the claim
    assert "URL" in listed or "address" in listed


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl", "claimreview"])
def test_every_format_downloads(reviewer_client, workspace, fmt):
    published(workspace, "Ours", article__source_url="https://news.example.org/a")
    response, body = export(reviewer_client, workspace, format=fmt, status="all")
    assert response.status_code == 200 and body


def check_page(client, workspace, **params):
    return client.get(reverse("claimreview_check", args=[workspace.slug]), params)


def test_claimreview_check_counts_reasons_and_names_the_filters(reviewer_client, workspace):
    for i in range(3):
        published(workspace, f"No address {i}", article__source_url="")
    VerdictFactory(claim=ClaimFactory(article__workspace=workspace), summary="A draft")
    page = check_page(reviewer_client, workspace, status="all", priority="2").content.decode()
    assert "Status: <strong>Any status</strong>" in page
    assert "Priority: <strong>Normal</strong>" in page
    assert "Checked <strong>4</strong> verdicts" in page
    assert "<strong>0</strong> make valid" in page
    assert "<strong>4</strong> would be left out" in page
    tally = page[page.index("Why verdicts would be left out") : page.index("Verdicts left out")]
    # One line per reason, with how many verdicts it keeps out (the draft has no URL either).
    assert tally.count("<tr>") == 2
    assert re.search(r"no URL[^<]*</td><td class=\"num\">4</td>", tally)
    assert re.search(r"not published[^<]*</td><td class=\"num\">1</td>", tally)


def test_claimreview_check_with_nothing_selected_says_so(reviewer_client, workspace):
    page = check_page(reviewer_client, workspace, q="zeppelin").content.decode()
    assert "Search: <strong>zeppelin</strong>" in page
    assert "None of these claims has a verdict, so there was nothing to check." in page
    assert "Every verdict checked" not in page


def test_claimreview_check_is_bounded(reviewer_client, workspace, monkeypatch):
    from claims.views import exports

    monkeypatch.setattr(exports, "CHECK_LIMIT", 3)
    monkeypatch.setattr(exports, "LIST_LIMIT", 1)
    for i in range(5):
        published(workspace, f"No address {i}", article__source_url="")
    page = check_page(reviewer_client, workspace, status="all").content.decode()
    assert "Checked <strong>3</strong> verdicts of 5 (the first 3 by number" in page
    assert "Showing the first 1 of 3." in page


def test_claimreview_check_queries_are_pinned(
    reviewer_client, workspace, django_assert_num_queries
):
    published(workspace, "One", article__source_url="")
    check_page(reviewer_client, workspace, status="all")
    # Session, user, membership, the filters' members and ratings, the count, the verdicts,
    # their sources, their corrections, then every page's notifications, menu and user.
    with django_assert_num_queries(12):
        check_page(reviewer_client, workspace, status="all")
    for i in range(49):
        published(workspace, f"Many {i}", article__source_url="")
    with django_assert_num_queries(12):
        response = check_page(reviewer_client, workspace, status="all")
    assert "Checked <strong>50</strong> verdicts" in response.content.decode()


def test_claimreview_check_refuses_outsiders_and_post(outsider_client, reviewer_client, workspace):
    published(workspace, "Ours", article__source_url="")
    url = reverse("claimreview_check", args=[workspace.slug])
    assert outsider_client.get(url, {"status": "all"}).status_code == 404
    assert reviewer_client.post(url).status_code == 405
