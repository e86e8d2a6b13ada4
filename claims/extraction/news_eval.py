"""Measure claim selection on the news development set (data/news/, see its README).

    python -m claims.extraction.news_eval [--threshold T ...] [--articles]

For each threshold, prints F1, precision and recall of the check-worthy class and the share
of sentences flagged, for each stage of the selection in candidates.py:

    model alone      score >= threshold, every sentence
    + rules          page furniture, non-prose, questions, fragments and headings excluded
    + cues           sentences with nothing checkable excluded (unless the model is sure)
    + cap            at most a third of the possible claims (the shipped selection)

and the model's average precision on the labelled sentences. The unit is a labelled sentence
(labels.tsv); it counts as flagged when check-worthy candidates cover most of its characters,
so a change of segmentation does not break the set. This is a development set: thresholds
and rules are tuned on it, so its figures flatter them.
"""

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

from claims.extraction import metrics
from claims.extraction.candidates import (
    NOTHING_CHECKABLE,
    OVER_CAP,
    Candidate,
    default_threshold,
    extract_candidates,
)
from claims.extraction.model import model_version

NEWS_DIR = Path(__file__).parent / "data" / "news"

STAGES = ("model alone", "+ rules", "+ cues", "+ cap (shipped)")


@dataclass(frozen=True)
class Labelled:
    """One labelled sentence of an article: its span in the article file and its label."""

    start: int
    end: int
    checkworthy: bool


def load_labels(path: Path = NEWS_DIR / "labels.tsv") -> dict[str, list[Labelled]]:
    """The resolved labels, per article (the stem of its .txt file)."""
    articles: dict[str, list[Labelled]] = {}
    with path.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE):
            articles.setdefault(row["article"], []).append(
                Labelled(int(row["start"]), int(row["end"]), row["label"] == "1")
            )
    return articles


def pass_agreement(first: str = "a", second: str = "c") -> tuple[int, int, float, float]:
    """Between two labelling passes (by default A and C, the two independent annotators):
    (sentences, disagreements, agreement, Cohen's kappa)."""
    with (NEWS_DIR / "labels.tsv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
    a = [row[f"label_{first}"] == "1" for row in rows]
    b = [row[f"label_{second}"] == "1" for row in rows]
    n = len(rows)
    agreement = sum(x == y for x, y in zip(a, b, strict=True)) / n
    yes_a, yes_b = sum(a) / n, sum(b) / n
    chance = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    return n, round((1 - agreement) * n), agreement, (agreement - chance) / (1 - chance)


def load_article(name: str) -> str:
    return (NEWS_DIR / f"{name}.txt").read_text(encoding="utf-8")


def in_stage(candidate: Candidate, stage: str, threshold: float) -> bool:
    """Would ``candidate`` be flagged if the selection stopped at ``stage``?"""
    if stage == "model alone":
        return candidate.score >= threshold
    if stage == "+ rules":
        return candidate.checkworthy or candidate.reason in (NOTHING_CHECKABLE, OVER_CAP)
    if stage == "+ cues":
        return candidate.checkworthy or candidate.reason == OVER_CAP
    return candidate.checkworthy


def flags(labelled: list[Labelled], chosen: list[Candidate]) -> list[bool]:
    """For each labelled sentence, whether the chosen candidates cover most of it."""
    result = []
    for sentence in labelled:
        covered = sum(
            max(0, min(sentence.end, c.end) - max(sentence.start, c.start)) for c in chosen
        )
        result.append(covered * 2 > sentence.end - sentence.start)
    return result


@dataclass(frozen=True)
class StageResult:
    f1: float
    precision: float
    recall: float
    flagged: int
    sentences: int


def evaluate(threshold: float) -> tuple[dict[str, StageResult], float, dict[str, tuple]]:
    """Per stage: the scores over the whole set; the model's AP; per article, for the shipped
    selection: (flagged, flagged and labelled check-worthy, sentences, labelled check-worthy).
    """
    truth: list[bool] = []
    predicted: dict[str, list[bool]] = {stage: [] for stage in STAGES}
    model_scores: list[float] = []
    per_article = {}
    for name, labelled in sorted(load_labels().items()):
        candidates = extract_candidates(load_article(name), include_all=True, threshold=threshold)
        truth.extend(sentence.checkworthy for sentence in labelled)
        for stage in STAGES:
            chosen = [c for c in candidates if in_stage(c, stage, threshold)]
            predicted[stage].extend(flags(labelled, chosen))
        for sentence in labelled:
            overlapping = [
                c.score for c in candidates if c.start < sentence.end and c.end > sentence.start
            ]
            model_scores.append(max(overlapping, default=0.0))
        shipped = flags(labelled, [c for c in candidates if c.checkworthy])
        correct = sum(flag and s.checkworthy for flag, s in zip(shipped, labelled, strict=True))
        per_article[name] = (
            sum(shipped),
            correct,
            len(labelled),
            sum(s.checkworthy for s in labelled),
        )
    results = {}
    for stage in STAGES:
        # metrics.evaluate thresholds scores; 1.0 and 0.0 against 0.5 is the flag itself.
        scored = metrics.evaluate(truth, [float(flag) for flag in predicted[stage]], 0.5)
        results[stage] = StageResult(
            scored.f1, scored.precision, scored.recall, sum(predicted[stage]), len(truth)
        )
    return results, metrics.average_precision(truth, model_scores), per_article


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threshold",
        type=float,
        action="append",
        help="a threshold to measure at (repeatable); default: the model's and 0.5",
    )
    parser.add_argument("--articles", action="store_true", help="also print each article")
    args = parser.parse_args(argv)
    thresholds = args.threshold or sorted({round(default_threshold(), 4), 0.5})
    labels = load_labels()
    total = sum(len(rows) for rows in labels.values())
    yes = sum(row.checkworthy for rows in labels.values() for row in rows)
    print(
        f"news dev set: {len(labels)} articles, {total} sentences, {yes} check-worthy "
        f"({yes / total:.1%}); model version {model_version()}"
    )
    _, disagreements, agreement, kappa = pass_agreement()
    print(
        f"independent labelling passes A and C: {disagreements} disagreements (adjudicated), "
        f"agreement {agreement:.3f}, Cohen's kappa {kappa:.3f}"
    )
    for threshold in thresholds:
        results, average_precision, per_article = evaluate(threshold)
        print(
            f"\nthreshold {threshold:.4f}   (model AP on these sentences {average_precision:.3f})"
        )
        print(f"{'stage':<17} {'F1':>6} {'prec':>6} {'recall':>6} {'flagged':>14}")
        for stage, result in results.items():
            share = f"{result.flagged}/{result.sentences} {result.flagged / result.sentences:.0%}"
            print(
                f"{stage:<17} {result.f1:>6.3f} {result.precision:>6.3f} "
                f"{result.recall:>6.3f} {share:>14}"
            )
        if args.articles:
            for name, (flagged, correct, sentences, gold) in per_article.items():
                print(
                    f"  {name:<31} flagged {flagged:>2} of {sentences:>2} sentences,"
                    f" {correct:>2} of them labelled check-worthy (of {gold:>2})"
                )


if __name__ == "__main__":
    main()
