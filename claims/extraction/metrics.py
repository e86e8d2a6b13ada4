"""Metrics of the Yes (check-worthy) class, in numpy so evaluation needs no scikit-learn.

Definitions follow scikit-learn's f1_score, precision_score, recall_score (0 when undefined)
and average_precision_score; ``tests/extraction/test_metrics.py`` checks they agree.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scores:
    """How well ``score >= threshold`` finds the check-worthy sentences of one split."""

    f1: float
    precision: float
    recall: float
    average_precision: float


def evaluate(labels: list[bool], scores: list[float], threshold: float) -> Scores:
    """F1, precision and recall at ``threshold``, and threshold-free average precision."""
    truth = np.asarray(labels, dtype=bool)
    predicted = np.asarray(scores, dtype=float) >= threshold
    true_positives = int(np.sum(truth & predicted))
    precision = true_positives / max(int(predicted.sum()), 1)
    recall = true_positives / max(int(truth.sum()), 1)
    f1 = 2 * true_positives / max(int(predicted.sum()) + int(truth.sum()), 1)
    return Scores(
        f1=f1,
        precision=precision,
        recall=recall,
        average_precision=average_precision(labels, scores),
    )


def average_precision(labels: list[bool], scores: list[float]) -> float:
    """Sum over thresholds of precision times the gain in recall (scikit-learn's definition)."""
    positives = int(np.sum(labels))
    if positives == 0 or len(scores) == 0:
        return 0.0
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    ranked = np.asarray(scores, dtype=float)[order]
    true_positives = np.cumsum(np.asarray(labels, dtype=bool)[order])
    predicted = np.arange(1, len(ranked) + 1)
    # Tied scores fall on the same side of any threshold, so only the last of a run counts.
    last_of_run = np.r_[ranked[1:] != ranked[:-1], True]
    true_positives, predicted = true_positives[last_of_run], predicted[last_of_run]
    recall_gain = np.diff(np.r_[0, true_positives]) / positives
    return float(np.sum(recall_gain * true_positives / predicted))


def best_threshold(splits: list[tuple[list[bool], list[float]]]) -> tuple[float, float]:
    """The threshold that maximises the mean F1 over ``splits`` (labels, scores), and that mean.

    Each split counts equally whatever its size, so a small split drawn from a different
    period is not drowned by a large one. The threshold sits halfway between the lowest score
    it accepts and the next lower score, so a rounding difference in a re-computed score
    cannot flip a decision.
    """
    candidates = np.unique(np.concatenate([np.asarray(s, dtype=float) for _, s in splits]))[::-1]
    mean_f1 = np.zeros(len(candidates))
    for labels, scores in splits:
        truth = np.asarray(labels, dtype=bool)
        ranked = np.sort(np.asarray(scores, dtype=float))
        ranked_positives = np.sort(np.asarray(scores, dtype=float)[truth])
        # How many scores (all, and those of check-worthy sentences) are >= each candidate.
        predicted = len(ranked) - np.searchsorted(ranked, candidates, side="left")
        true_positives = len(ranked_positives) - np.searchsorted(
            ranked_positives, candidates, side="left"
        )
        mean_f1 += 2 * true_positives / np.maximum(predicted + truth.sum(), 1) / len(splits)
    best = int(np.argmax(mean_f1))  # the first maximum: the highest threshold among equals
    lower = candidates[best + 1] if best + 1 < len(candidates) else 0.0
    return float((candidates[best] + lower) / 2), float(mean_f1[best])
