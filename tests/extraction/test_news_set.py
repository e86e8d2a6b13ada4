"""The news development set is consistent, and the selection keeps its promises on it."""

import csv
import math

import pytest

from claims.extraction import extract_candidates
from claims.extraction.candidates import SELECTION_REASONS, SURE_SCORE
from claims.extraction.news_eval import NEWS_DIR, load_article, load_labels, main, pass_agreement


def read(name):
    with (NEWS_DIR / name).open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def labels():
    return load_labels()


def test_at_least_eight_articles_each_with_provenance(labels):
    readme = (NEWS_DIR / "README.md").read_text(encoding="utf-8")
    assert len(labels) >= 8
    assert {path.stem for path in NEWS_DIR.glob("*.txt")} == set(labels)
    for name in labels:
        assert f"| {name} |" in readme
    assert "opinion" in readme


def test_every_labelled_sentence_is_its_span_of_the_article():
    rows = read("labels.tsv")
    for row in rows:
        text = load_article(row["article"])
        assert text[int(row["start"]) : int(row["end"])] == row["text"]
        assert row["label"] in {"0", "1"}


def test_both_passes_label_the_same_sentences_and_the_resolution_keeps_them():
    resolved = read("labels.tsv")
    passes = {name: read(f"labels_{name}.tsv") for name in ("a", "b", "c")}
    key = ("article", "start", "end")
    for name, rows in passes.items():
        assert [tuple(r[k] for k in key) for r in rows] == [
            tuple(r[k] for k in key) for r in resolved
        ]
        assert [r["label"] for r in rows] == [r[f"label_{name}"] for r in resolved]
    # Where the two independent annotators (A and C) agree, their label stands; only their
    # disagreements went to the adjudicator, whose every decision is on file.
    adjudicated = {(r["article"], r["start"], r["end"]): r for r in read("adjudication.tsv")}
    for row in resolved:
        span = (row["article"], row["start"], row["end"])
        if row["label_a"] == row["label_c"]:
            assert row["label"] == row["label_a"] and span not in adjudicated
        else:
            assert row["label"] == adjudicated[span]["label"] and adjudicated[span]["reason"]


def test_the_agreement_reported_in_the_readme_is_the_files():
    readme = (NEWS_DIR / "README.md").read_text(encoding="utf-8")
    for column, (first, second) in enumerate([("a", "c"), ("a", "b")]):
        n, disagreements, agreement, kappa = pass_agreement(first, second)
        assert f"| sentences | {n} |" in readme
        row = {
            "disagreements": str(disagreements),
            "observed agreement": f"{agreement:.3f}",
            "Cohen's kappa": f"{kappa:.3f}",
        }
        for name, value in row.items():
            line = next(x for x in readme.splitlines() if x.startswith(f"| {name} |"))
            assert line.split("|")[2 + column].strip() == value, (name, first, second)


def test_no_rule_ever_excludes_a_labelled_claim(labels):
    """Furniture rules are narrow: on real news they hide no check-worthy sentence."""
    for name, labelled in labels.items():
        candidates = extract_candidates(load_article(name), include_all=True)
        for sentence in labelled:
            if not sentence.checkworthy:
                continue
            for candidate in candidates:
                if candidate.start < sentence.end and candidate.end > sentence.start:
                    # A one- or two-word retort ("Wrong.") can be labelled for what it means
                    # in context, but means nothing alone in the queue: fragments stay out.
                    if candidate.reason == "fragment" and len(candidate.text.split()) <= 2:
                        continue
                    assert candidate.reason in (None, *SELECTION_REASONS), candidate


def test_at_most_a_third_of_each_article_unless_the_model_is_sure(labels):
    for name in labels:
        candidates = extract_candidates(load_article(name), include_all=True, threshold=0.0)
        possible = sum(c.reason is None or c.reason in SELECTION_REASONS for c in candidates)
        unsure = [c for c in candidates if c.checkworthy and c.score < SURE_SCORE]
        assert len(unsure) <= math.ceil(possible / 3), name


def test_news_eval_prints_the_table(capsys):
    main(["--threshold", "0.5"])
    out = capsys.readouterr().out
    assert "19 articles, 594 sentences, 212 check-worthy" in out
    for stage in ("model alone", "+ rules", "+ cues", "+ cap (shipped)"):
        assert stage in out
