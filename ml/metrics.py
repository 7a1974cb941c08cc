"""Classification metrics on integer class ids (numpy only, so they are cheap and exact)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def accuracy(targets: np.ndarray, predicted: np.ndarray) -> float:
    targets, predicted = np.asarray(targets), np.asarray(predicted)
    return float((targets == predicted).mean()) if len(targets) else 0.0


@dataclass(frozen=True)
class PerClass:
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray


def confusion(targets: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """matrix[true, predicted] = count; targets of -1 (label unknown to the model) dropped."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    keep = np.asarray(targets) >= 0
    np.add.at(matrix, (np.asarray(targets)[keep], np.asarray(predicted)[keep]), 1)
    return matrix


def per_class(matrix: np.ndarray) -> PerClass:
    true_positive = np.diag(matrix).astype(float)
    predicted_total = matrix.sum(axis=0).astype(float)
    support = matrix.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted_total > 0, true_positive / predicted_total, 0.0)
        recall = np.where(support > 0, true_positive / support, 0.0)
        denominator = precision + recall
        f1 = np.where(denominator > 0, 2 * precision * recall / denominator, 0.0)
    return PerClass(precision, recall, f1, support)


def macro_f1(targets: np.ndarray, predicted: np.ndarray, n_classes: int) -> float:
    scores = per_class(confusion(targets, predicted, n_classes))
    present = scores.support > 0  # classes absent from the evaluated split do not count
    return float(scores.f1[present].mean()) if present.any() else 0.0


@dataclass(frozen=True)
class CalibrationBin:
    bin_index: int
    bin_lower: float
    bin_upper: float
    n: int
    mean_confidence: float
    accuracy: float


def calibration_bins(
    confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15
) -> list[CalibrationBin]:
    """Equal-width confidence bins with their mean confidence and accuracy (empty bins left out):
    the reliability diagram, and the input of the expected calibration error."""
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    result = []
    for b in range(n_bins):
        members = bins == b
        if members.any():
            result.append(
                CalibrationBin(
                    b,
                    float(edges[b]),
                    float(edges[b + 1]),
                    int(members.sum()),
                    float(confidence[members].mean()),
                    float(correct[members].mean()),
                )
            )
    return result


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15
) -> float:
    """Weighted gap between confidence and accuracy over equal-width confidence bins."""
    total = len(confidence)
    if total == 0:
        return 0.0
    bins = calibration_bins(confidence, correct, n_bins)
    return float(sum(b.n / total * abs(b.mean_confidence - b.accuracy) for b in bins))
