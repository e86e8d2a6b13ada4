"""The claims export: the queue itself as CSV, XLSX or JSON, with the queue's filters, safe to
open in a spreadsheet, said rather than downloaded when nothing matches."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from claims.claim_export import COLUMNS
from claims.models import Claim
from tests.exports import builders
from tests.factories import ClaimFactory, UserFactory

FORMULA = '=HYPERLINK("http://evil.example/","Click")'


def export(client, workspace, **params):
    response = client.get(reverse("queue_claims_export", args=[workspace.slug]), params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def desk(workspace, other_workspace, reviewer):
    """A published fact-check, a claim being worked on, and a rival desk's claim."""
    published = builders.verdict(workspace, rating_label="False")
    published.claim.claimant = "Mayor Smith"
    published.claim.status = "published"
    published.claim.save(update_fields=["claimant", "status"])
    working = ClaimFactory(
        article=builders.article(workspace, title="Ferry figures"),
        assignee=reviewer,
        status="researching",
        priority=Claim.Priority.URGENT,
        due_date=datetime.date(2026, 12, 24),
        score=0.42,
    )
    ClaimFactory(article=builders.article(other_workspace, title="Rival secret"))
    return {"published": published.claim, "working": working}


def test_csv_has_the_queue_columns(reviewer_client, reviewer, workspace, desk):
    response, body = export(reviewer_client, workspace, format="csv", status="all", sort="due")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(body)
    assert list(rows[0]) == [header for _, header in COLUMNS]
    working, published = rows  # the queue's order: due soonest first, undated last
    assert working == {
        "Claim ID": str(desk["working"].pk),
        "Claim": desk["working"].text,
        "Status": "researching",
        "Assignee": reviewer.display_name,
        "Due date": "2026-12-24",
        "Priority": "Urgent",
        "Score": "0.42",
        "Created": working["Created"],
        "Article title": "Ferry figures",
        "Article URL": desk["working"].article.source_url,
        "Claimant": "",
        "Published rating": "",
    }
    assert working["Created"].startswith(str(desk["working"].created_at.year))
    assert published["Claimant"] == "Mayor Smith"
    assert published["Published rating"] == "False"
    assert "Rival secret" not in body.decode("utf-8-sig")


def test_published_rating_is_what_readers_see(reviewer_client, workspace, desk):
    verdict = desk["published"].verdict
    # The live row changed without a correction: readers still see the frozen record.
    verdict.rating = builders.rating(workspace, "True")
    verdict.save(update_fields=["rating"])
    draft = builders.verdict(workspace, status="draft", rating_label="True")
    _, body = export(reviewer_client, workspace, format="json", status="all")
    ratings = {r["claim_id"]: r["published_rating"] for r in json.loads(body)}
    assert ratings[desk["published"].pk] == "False"
    assert ratings[draft.claim_id] is None  # not published: nothing public to show


def test_export_follows_the_queue_filters(reviewer_client, workspace, desk):
    _, body = export(reviewer_client, workspace, format="csv", assignee="me")
    assert [int(r["Claim ID"]) for r in csv_rows(body)] == [desk["working"].pk]
    _, body = export(reviewer_client, workspace, format="csv", status="published")
    assert [int(r["Claim ID"]) for r in csv_rows(body)] == [desk["published"].pk]
    # The default queue shows open claims only, and so does its export.
    _, body = export(reviewer_client, workspace, format="csv")
    assert [int(r["Claim ID"]) for r in csv_rows(body)] == [desk["working"].pk]


def test_queue_page_links_to_the_claims_export_with_its_filters(reviewer_client, workspace, desk):
    page = reviewer_client.get(
        reverse("claim_queue", args=[workspace.slug]), {"assignee": "me", "priority": "4"}
    ).content.decode()
    link = reverse("queue_claims_export", args=[workspace.slug])
    assert f"{link}?assignee=me&amp;priority=4&amp;format=xlsx" in page


@pytest.mark.parametrize("text", [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"])
def test_csv_and_xlsx_neutralise_formulas(reviewer_client, workspace, text):
    article = builders.article(workspace, title=text, body=f"{text} said someone.\nMore.")
    claim = ClaimFactory(article=article, end=len(text) + len(" said someone."))
    claim.claimant = text
    claim.save(update_fields=["claimant"])
    _, body = export(reviewer_client, workspace, format="csv")
    [row] = csv_rows(body)
    assert row["Article title"] == "'" + text
    assert row["Claimant"] == "'" + text
    assert row["Claim"].startswith("'" + text)
    _, body = export(reviewer_client, workspace, format="xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [c.value for c in sheet[2]]
    assert "'" + text in cells and text not in cells
    # JSON is data, not a spreadsheet: left as it is.
    _, body = export(reviewer_client, workspace, format="json")
    assert json.loads(body)[0]["article_title"] == text


def test_xlsx_has_typed_cells(reviewer_client, workspace, desk):
    response, body = export(reviewer_client, workspace, format="xlsx", assignee="me")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Claims"
    header, row = [[c.value for c in r] for r in sheet.iter_rows()]
    assert header == [h for _, h in COLUMNS]
    record = dict(zip(header, row, strict=True))
    assert record["Due date"] == datetime.datetime(2026, 12, 24)
    assert record["Score"] == 0.42
    assert isinstance(record["Created"], datetime.datetime)


def test_json_and_jsonl(reviewer_client, workspace, desk):
    _, body = export(reviewer_client, workspace, format="json", status="all")
    records = json.loads(body)
    assert {r["claim_id"] for r in records} == {desk["working"].pk, desk["published"].pk}
    assert set(records[0]) == {key for key, _ in COLUMNS}
    _, body = export(reviewer_client, workspace, format="jsonl", status="all")
    assert len(body.decode().splitlines()) == 2


# --- An empty selection says so -------------------------------------------------------------


def test_empty_selection_says_so_and_keeps_the_filters(reviewer_client, workspace, desk):
    response = reviewer_client.get(
        reverse("queue_claims_export", args=[workspace.slug]),
        {"format": "csv", "q": "zeppelin", "priority": "4"},
        follow=True,
    )
    [(location, status)] = response.redirect_chain
    assert status == 302
    assert location == reverse("claim_queue", args=[workspace.slug]) + "?q=zeppelin&priority=4"
    page = response.content.decode()
    assert "No claims match these filters, so there is nothing to export." in page
    assert 'value="zeppelin"' in page  # the filter form as it was
    assert "Content-Disposition" not in response


def test_empty_selection_over_htmx_gets_the_message_only(reviewer_client, workspace):
    response = reviewer_client.get(
        reverse("queue_claims_export", args=[workspace.slug]),
        {"format": "csv"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "Content-Disposition" not in response
    body = response.content.decode()
    assert 'id="messages"' in body and "hx-swap-oob=" in body
    assert "nothing to export" in body


# --- Refusals -----------------------------------------------------------------------------


def test_unknown_format_is_refused(reviewer_client, workspace, desk):
    for fmt in ("claimreview", "doc", ""):
        response, _ = export(reviewer_client, workspace, format=fmt)
        assert response.status_code == 400


def test_outsider_gets_404_and_nothing(outsider_client, workspace, desk):
    response, body = export(outsider_client, workspace, format="csv", status="all")
    assert response.status_code == 404
    assert desk["working"].text.encode() not in body


def test_anonymous_is_sent_to_login(client, workspace, desk):
    response, _ = export(client, workspace, format="csv")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_post_is_not_allowed(reviewer_client, workspace, desk):
    before = list(Claim.objects.values_list("pk", "status", "priority"))
    response = reviewer_client.post(
        reverse("queue_claims_export", args=[workspace.slug]) + "?format=csv"
    )
    assert response.status_code == 405
    assert list(Claim.objects.values_list("pk", "status", "priority")) == before


# --- Flat cost: the same queries for 1 claim as for 50 ---------------------------------------


# Session, user, membership, the filters' members and ratings, "is there anything?", the rows.
EXPORT_QUERIES = 7


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_query_count_is_pinned(reviewer_client, workspace, django_assert_num_queries, fmt):
    def add(count):
        for _ in range(count):
            verdict = builders.verdict(workspace)
            verdict.claim.assignee = UserFactory()
            verdict.claim.save(update_fields=["assignee"])

    add(1)
    export(reviewer_client, workspace, format=fmt, status="all")  # the session settles
    with django_assert_num_queries(EXPORT_QUERIES):
        response, body = export(reviewer_client, workspace, format=fmt, status="all")
    assert response.status_code == 200
    add(49)
    with django_assert_num_queries(EXPORT_QUERIES):
        response, body = export(reviewer_client, workspace, format=fmt, status="all")
    if fmt == "csv":
        assert len(csv_rows(body)) == 50
