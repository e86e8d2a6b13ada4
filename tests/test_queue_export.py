"""Exports from the queue: the verdicts behind the current filters, never another desk's."""

import csv
import io
import json

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
    assert page.count("<tr>") == 2  # header + the one invalid verdict
    assert "URL" in page or "address" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl", "claimreview"])
def test_every_format_downloads(reviewer_client, workspace, fmt):
    published(workspace, "Ours", article__source_url="https://news.example.org/a")
    response, body = export(reviewer_client, workspace, format=fmt, status="all")
    assert response.status_code == 200 and body
