"""The command-line contract: extract_claims and score_sentences, without a database."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "claims/demo/venezuela-deportations.txt"


def manage(*args, stdin=None):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=120,
    )
    return result


def test_extract_claims_json_offsets_point_into_the_article():
    result = manage("extract_claims", str(SAMPLE), "--format", "json")
    assert result.returncode == 0, result.stderr
    article = SAMPLE.read_text(encoding="utf-8")
    rows = json.loads(result.stdout)
    assert rows and all(row["checkworthy"] for row in rows)
    for row in rows:
        assert set(row) == {
            *("text", "start", "end", "score", "checkworthy"),
            *("reason", "cues", "needs_context"),
        }
        assert row["reason"] is None
        assert article[row["start"] : row["end"]] == row["text"]
        assert 0 <= row["score"] <= 1
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert any("7,200" in r["text"] for r in rows)
    assert not any("With Post wires" in r["text"] for r in rows)


def test_extract_claims_all_includes_every_sentence_from_stdin():
    article = SAMPLE.read_bytes()
    some = json.loads(manage("extract_claims", "-", stdin=article).stdout)
    every = json.loads(manage("extract_claims", "-", "--all", stdin=article).stdout)
    assert len(every) > len(some)
    assert any(not r["checkworthy"] for r in every)
    assert {"reason": "byline", "checkworthy": False}.items() <= next(
        r for r in every if r["text"] == "With Post wires"
    ).items()


def test_extract_claims_text_format():
    result = manage("extract_claims", str(SAMPLE), "--format", "text")
    first = result.stdout.decode().splitlines()[0]
    assert first.split()[1] == "*"
    assert first.split()[2].startswith("[")


def test_extract_claims_needs_no_database(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("The bridge cost $12 million in 2019.", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "extract_claims", str(text), "--all"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["text"] == "The bridge cost $12 million in 2019."


@pytest.mark.parametrize(
    ("content", "message"), [(None, b"Cannot read"), (b"\xff\xfe\x00bad", b"not UTF-8")]
)
def test_extract_claims_bad_input_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    result = manage("extract_claims", str(path))
    assert result.returncode != 0
    assert message in result.stderr


def test_extract_claims_empty_input_gives_an_empty_list():
    result = manage("extract_claims", "-", stdin=b"")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_score_sentences_one_score_per_line_in_order():
    lines = [
        "The unemployment rate fell to 3.5 percent in 2019.",
        "Thank you all for coming tonight.",
        "",
        "Our country spends $700 billion a year on defense.",
    ]
    result = manage("score_sentences", "-", stdin="\n".join(lines).encode())
    assert result.returncode == 0, result.stderr
    scores = [float(x) for x in result.stdout.decode().split()]
    assert len(scores) == len(lines)
    assert all(0 <= s <= 1 for s in scores)
    assert scores[0] > scores[1] and scores[3] > scores[1]


def test_extract_claims_threshold_option():
    lenient = json.loads(manage("extract_claims", str(SAMPLE), "--threshold", "0.05").stdout)
    strict = json.loads(manage("extract_claims", str(SAMPLE), "--threshold", "0.999").stdout)
    assert len(strict) < len(lenient)
    assert all(row["score"] >= 0.999 for row in strict)
