"""What a download from the queue is called, and what happens when there is nothing in it.

JSON verdicts and ClaimReview markup are both .json files: their names must tell them apart
in a downloads folder, and say which desk and which day they are from.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.exports import builders


def download(client, workspace, name="queue_export", **params):
    response = client.get(reverse(name, args=[workspace.slug]), params)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.fixture
def published(workspace):
    return builders.verdict(workspace)


@pytest.mark.parametrize(
    ("name", "fmt", "filename"),
    [
        ("queue_export", "json", "daily-example-verdicts-{date}.json"),
        ("queue_export", "claimreview", "daily-example-claimreview-{date}.json"),
        ("queue_export", "csv", "daily-example-verdicts-{date}.csv"),
        ("queue_export", "xlsx", "daily-example-verdicts-{date}.xlsx"),
        ("queue_export", "jsonl", "daily-example-verdicts-{date}.jsonl"),
        ("queue_claims_export", "csv", "daily-example-claims-{date}.csv"),
        ("queue_claims_export", "xlsx", "daily-example-claims-{date}.xlsx"),
        ("queue_claims_export", "json", "daily-example-claims-{date}.json"),
    ],
)
def test_file_names_say_what_and_when(reviewer_client, workspace, published, name, fmt, filename):
    response = download(reviewer_client, workspace, name, format=fmt, status="all")
    assert response.status_code == 200
    expected = filename.format(date=timezone.localdate().isoformat())
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_json_and_claimreview_never_share_a_name(reviewer_client, workspace, published):
    names = {
        download(reviewer_client, workspace, format=fmt, status="all")["Content-Disposition"]
        for fmt in ("json", "claimreview")
    }
    assert len(names) == 2


# --- Nothing to download ----------------------------------------------------------------------


def test_no_verdicts_says_so_and_keeps_the_filters(reviewer_client, workspace):
    builders.verdict(workspace, status="draft")
    response = reviewer_client.get(
        reverse("queue_export", args=[workspace.slug]),
        {"format": "csv", "status": "published", "q": "bridge"},
        follow=True,
    )
    [(location, _)] = response.redirect_chain
    assert location == reverse("claim_queue", args=[workspace.slug]) + "?q=bridge&status=published"
    assert "None of these claims has a verdict yet, so there is nothing to export." in (
        response.content.decode()
    )
    assert "Content-Disposition" not in response


def test_claimreview_of_drafts_only_says_so(reviewer_client, workspace):
    builders.verdict(workspace, status="draft")
    response = reviewer_client.get(
        reverse("queue_export", args=[workspace.slug]),
        {"format": "claimreview", "status": "all"},
        follow=True,
    )
    page = response.content.decode()
    assert "None of these claims has a published verdict" in page
    assert "Content-Disposition" not in response
    # With a draft there is something to export in the other formats.
    assert download(reviewer_client, workspace, format="csv", status="all").status_code == 200


def test_no_verdicts_over_htmx_gets_the_message_alone(reviewer_client, workspace):
    response = reviewer_client.get(
        reverse("queue_export", args=[workspace.slug]),
        {"format": "json"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert "nothing to export" in response.content.decode()
    assert "Content-Disposition" not in response


def test_outsider_gets_404_and_wrong_method_405(
    outsider_client, reviewer_client, workspace, published
):
    url = reverse("queue_export", args=[workspace.slug])
    assert outsider_client.get(url, {"format": "json", "status": "all"}).status_code == 404
    assert reviewer_client.post(url + "?format=json").status_code == 405
