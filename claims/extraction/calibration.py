"""Calibration and stacking: a small weighted logistic regression in numpy.

``fit_logistic`` turns component logits (one column per model) into calibrated log-odds,
``bias + features @ weights``. With one column it is Platt scaling; with several it also
stacks them. It runs at training time only, on dev + dev-test with each split weighted
equally, so the numbers it returns are stored in the detector file as plain floats.
"""

import numpy as np

from claims.extraction.model import sigmoid


def fit_logistic(
    features: np.ndarray,
    labels: np.ndarray,
    sample_weight: np.ndarray | None = None,
    l2: float = 1e-3,
    iterations: int = 100,
) -> tuple[np.ndarray, float]:
    """Weights and bias minimising weighted log-loss + ``l2``/2 * |weights|^2 (Newton's method).

    Deterministic, and converges in a handful of steps for the few columns used here.
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w = w / w.sum()
    design = np.hstack([x, np.ones((len(y), 1))])
    theta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = sigmoid(design @ theta)
        gradient = design.T @ (w * (p - y)) + penalty * theta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-12 * np.eye(len(theta)), gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return theta[:-1], float(theta[-1])


def split_weights(sizes: list[int]) -> np.ndarray:
    """Per-row weights under which each split counts equally, whatever its size."""
    return np.concatenate([np.full(size, 1.0 / (len(sizes) * size)) for size in sizes])


def expected_calibration_error(labels, probabilities, bins: int = 10) -> float:
    """Mean |observed rate - mean probability| over equal-width bins, weighted by bin size."""
    y = np.asarray(labels, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    index = np.minimum((p * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        inside = index == b
        if inside.any():
            error += inside.mean() * abs(y[inside].mean() - p[inside].mean())
    return float(error)
