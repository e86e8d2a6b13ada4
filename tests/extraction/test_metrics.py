"""The numpy metrics agree with scikit-learn's (which evaluate.py does without)."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

from claims.extraction import metrics


@pytest.mark.parametrize("seed", range(5))
def test_metrics_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    labels = list(rng.random(300) < 0.3)
    # Rounded scores make plenty of ties, the case where definitions differ most easily.
    scores = list(np.round(np.clip(rng.normal(0.4, 0.25, 300) + 0.2 * np.array(labels), 0, 1), 2))
    result = metrics.evaluate(labels, scores, threshold=0.5)
    predicted = np.array(scores) >= 0.5
    assert result.f1 == pytest.approx(f1_score(labels, predicted))
    assert result.precision == pytest.approx(precision_score(labels, predicted))
    assert result.recall == pytest.approx(recall_score(labels, predicted))
    assert result.average_precision == pytest.approx(average_precision_score(labels, scores))


def test_best_threshold_maximises_f1_and_sits_between_scores():
    labels = [True, True, False, True, False, False]
    scores = [0.9, 0.8, 0.7, 0.6, 0.3, 0.1]
    threshold, f1 = metrics.best_threshold([(labels, scores)])
    assert threshold == pytest.approx(0.45)  # accept down to 0.6, reject 0.3
    assert f1 == pytest.approx(6 / 7)
    for candidate in np.linspace(0, 1, 101):
        assert metrics.evaluate(labels, scores, candidate).f1 <= f1 + 1e-12


def test_best_threshold_weighs_splits_equally():
    # Pooled, the big split wins and the threshold goes above 0.5 (F1 0.91 on the pool). Each
    # split counting equally, rescuing the small split's F1 (0 -> 1) beats the big split's loss.
    big = ([True] * 10 + [False] * 90, [0.9] * 10 + [0.5] * 90)
    small = ([True, True, False], [0.4, 0.4, 0.1])
    assert metrics.best_threshold([(big[0] + small[0], big[1] + small[1])])[0] > 0.5
    threshold, mean_f1 = metrics.best_threshold([big, small])
    assert threshold == pytest.approx(0.25)
    assert mean_f1 == pytest.approx((20 / 110 + 1) / 2)


def test_no_positives_or_no_scores():
    assert metrics.evaluate([False, False], [0.2, 0.9], 0.5).f1 == 0.0
    assert metrics.average_precision([], []) == 0.0
