"""Confidence a councillor can read: temperature scaling, its error, and where "unsure" begins.

A head trained with class balancing and L2 is right more or less often than
its raw probabilities say. One temperature per head, fitted on a validation
split, makes "70% sure" mean right about 70% of the time (Guo et al. 2017,
"On calibration of modern neural networks"). The expected calibration error
(ECE) says how far apart the two are. Below the unsure threshold the app
shows "unsure" rather than a confident wrong label.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

TEMPERATURES = np.exp(np.linspace(np.log(0.05), np.log(20.0), 400))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, truth: Sequence[int]) -> float:
    """The temperature that minimises the negative log-likelihood of the truth (a grid fine enough for one number)."""
    truth = np.asarray(truth)
    rows = np.arange(len(truth))
    best, best_nll = 1.0, np.inf
    for t in TEMPERATURES:
        nll = -np.log(softmax(logits / t)[rows, truth] + 1e-12).mean()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


def expected_calibration_error(probabilities: np.ndarray, truth: Sequence[int], bins: int = 15) -> float:
    """Confidence against accuracy in equal-width bins, weighted by how many predictions fall in each."""
    truth = np.asarray(truth)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == truth
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)


def unsure_threshold(probabilities: np.ndarray, truth: Sequence[int], *, wrong_below: float = 0.5,
                     most_unsure: float = 0.35) -> float:
    """The confidence below which a label is more often wrong than ``wrong_below`` allows.

    Walks up the confidences of the validation split and returns the lowest
    one above which predictions are right at least (1 - wrong_below) of the
    time in a sliding window, never marking more than ``most_unsure`` of the
    items unsure: a label shown is then more likely right than wrong.
    """
    truth = np.asarray(truth)
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == truth).astype(float)
    order = np.argsort(confidence)
    window = max(25, len(order) // 20)
    cap = float(np.quantile(confidence, most_unsure))
    for start in range(len(order) - window + 1):
        if correct[order[start:start + window]].mean() >= 1.0 - wrong_below:
            return round(min(float(confidence[order[start]]), cap), 4)
    return round(cap, 4)
