"""manage.py export_verdicts: every format, to a file or standard output, and its errors."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.exports import builders
from tests.factories import ClaimFactory


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_verdicts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def verdicts(workspace, other_workspace):
    builders.verdict(other_workspace)  # never exported with ours
    return {
        "published": builders.verdict(workspace),
        "draft": builders.verdict(workspace, status="draft"),
        "no_url": builders.verdict(
            workspace, claim=ClaimFactory(article=builders.article(workspace, source_url=""))
        ),
    }


def test_csv_to_stdout(verdicts):
    out, err = run("--workspace", "daily-example", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    assert [int(r["Verdict ID"]) for r in rows] == sorted(v.pk for v in verdicts.values())
    assert err == ""


def test_status_filter(verdicts):
    out, _ = run("--workspace", "daily-example", "--format", "json", "--status", "draft")
    assert [r["verdict_id"] for r in json.loads(out)] == [verdicts["draft"].pk]


def test_jsonl_to_a_file(verdicts, tmp_path):
    path = tmp_path / "verdicts.jsonl"
    out, _ = run("--workspace", "daily-example", "--format", "jsonl", "--output", str(path))
    assert out == ""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert {json.loads(line)["workspace"] for line in lines} == {"Daily Example"}


def test_xlsx_to_a_file(verdicts, tmp_path):
    path = tmp_path / "verdicts.xlsx"
    run("--workspace", "daily-example", "--format", "xlsx", "--output", str(path))
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "Verdict ID"
    assert sorted(r[0] for r in rows[1:]) == sorted(v.pk for v in verdicts.values())


def test_xlsx_to_binary_stdout(verdicts):
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8")
    call_command(
        "export_verdicts", "--workspace", "daily-example", "--format", "xlsx", stdout=stdout
    )
    rows = list(load_workbook(io.BytesIO(raw.getvalue()), read_only=True).active.iter_rows())
    assert len(rows) == 4


def test_xlsx_refuses_a_text_only_stdout(verdicts):
    with pytest.raises(CommandError, match="XLSX is binary"):
        run("--workspace", "daily-example", "--format", "xlsx")


def test_claimreview_lists_what_it_leaves_out(verdicts):
    out, err = run("--workspace", "daily-example", "--format", "claimreview")
    [markup] = json.loads(out)
    assert markup["url"].endswith(f"/{verdicts['published'].pk}/")
    # Without --status only published verdicts are considered: drafts are not noise here.
    assert f"Left out verdict {verdicts['no_url'].pk}" in err
    assert "The article has no URL" in err
    assert f"verdict {verdicts['draft'].pk} " not in err
    assert "1 verdict(s) left out" in err


def test_claimreview_of_drafts_says_why_each_is_left_out_and_fails(verdicts, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "reviews.json"
    args = ["--workspace", "daily-example", "--format", "claimreview", "--status", "draft"]
    # Nothing exported is a failure (exit status 1), and no empty file is left behind.
    with pytest.raises(CommandError, match="Nothing exported: all 1 verdict"):
        call_command("export_verdicts", *args, "--output", str(target), stdout=out, stderr=err)
    assert f"Left out verdict {verdicts['draft'].pk}" in err.getvalue()
    assert "not published" in err.getvalue()
    assert not target.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "claimreview"])
def test_nothing_to_export_is_a_clear_failure(workspace, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    with pytest.raises(CommandError, match=r"Nothing to export: .* has no verdicts"):
        run("--workspace", "daily-example", "--format", fmt, "--output", str(target))
    assert not target.exists()
    builders.verdict(workspace, status="draft")
    with pytest.raises(CommandError, match="no verdicts in status “published”"):
        run("--workspace", "daily-example", "--format", "csv", "--status", "published")


def test_unknown_workspace_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no workspace with the slug “nope”"):
        run("--workspace", "nope", "--format", "csv")


def test_unwritable_output_is_a_clear_error(workspace, tmp_path):
    builders.verdict(workspace)
    with pytest.raises(CommandError, match="Cannot write"):
        run("--workspace", "daily-example", "--format", "csv", "--output", str(tmp_path / "no/x"))


def test_unknown_format_is_refused(workspace):
    with pytest.raises(CommandError, match="invalid choice"):
        run("--workspace", "daily-example", "--format", "pdf")
