"""Evaluate a model version on a labelled split and write the metric tables."""

from __future__ import annotations

import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from supportlens.ml.data import Split
from supportlens.ml.metrics import (
    accuracy,
    calibration_bins,
    confusion,
    expected_calibration_error,
    per_class,
)
from supportlens.ml.registry import Predictor
from supportlens.ml.tables import ensure_tables


@dataclass(frozen=True)
class Evaluation:
    split: str
    metrics: dict[str, float]
    per_class: pd.DataFrame  # label, precision, recall, f1, support
    confusion: pd.DataFrame  # true_label, predicted_label, n (non-zero cells)
    calibration: pd.DataFrame  # bin_index, bin_lower, bin_upper, n, mean_confidence, accuracy


#: Texts per model call while evaluating: large enough for batched encoders, small enough
#: for the progress bar to move.
EVAL_CHUNK = 1024


def evaluate(
    predictor: Predictor, split: Split, split_name: str, show_progress: bool = True
) -> Evaluation:
    if len(split) == 0:
        raise ValueError(f"split {split_name!r} has no rows to evaluate on")
    started = time.perf_counter()
    parts = []
    with tqdm(
        total=len(split), desc=f"evaluate {split_name}", unit="text", disable=not show_progress
    ) as progress:
        for start in range(0, len(split), EVAL_CHUNK):
            chunk = split.texts[start : start + EVAL_CHUNK]
            # Warehouse splits are already normalised (as `supportlens predict` on the
            # warehouse): the Predictor skips its own pass instead of normalising twice.
            parts.append(predictor.predict_proba(chunk, already=split.preprocessing))
            progress.update(len(chunk))
    probabilities = np.vstack(parts)
    seconds = time.perf_counter() - started
    return evaluation_from_proba(probabilities, predictor.labels, split.labels, split_name, seconds)


def evaluation_from_proba(
    probabilities: np.ndarray,
    model_labels: list[str],
    true_labels: list[str],
    split_name: str,
    seconds: float = 0.0,
) -> Evaluation:
    # Gold labels the model never saw still count (always wrong), as extra classes.
    classes = list(model_labels) + sorted(set(true_labels) - set(model_labels))
    index = {label: i for i, label in enumerate(classes)}
    targets = np.array([index[label] for label in true_labels])
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    matrix = confusion(targets, predicted, len(classes))
    scores = per_class(matrix)
    present = scores.support > 0
    metrics = {
        "accuracy": accuracy(targets, predicted),
        "macro_precision": float(scores.precision[present].mean()),
        "macro_recall": float(scores.recall[present].mean()),
        "macro_f1": float(scores.f1[present].mean()),
        "ece": expected_calibration_error(confidence, predicted == targets),
        "mean_confidence": float(confidence.mean()),
        "n_examples": float(len(targets)),
    }
    if seconds > 0:  # only when the caller timed the scoring
        metrics["texts_per_second"] = float(len(targets) / seconds)
    relevant = present | (matrix.sum(axis=0) > 0)
    per_class_frame = pd.DataFrame(
        {
            "label": classes,
            "precision": scores.precision,
            "recall": scores.recall,
            "f1": scores.f1,
            "support": scores.support.astype("int64"),
        }
    )[relevant]
    rows, cols = np.nonzero(matrix)
    confusion_frame = pd.DataFrame(
        {
            "true_label": [classes[i] for i in rows],
            "predicted_label": [classes[j] for j in cols],
            "n": matrix[rows, cols].astype("int64"),
        }
    )
    calibration_frame = pd.DataFrame(
        [vars(b) for b in calibration_bins(confidence, predicted == targets)],
        columns=["bin_index", "bin_lower", "bin_upper", "n", "mean_confidence", "accuracy"],
    )
    return Evaluation(
        split_name,
        metrics,
        per_class_frame.reset_index(drop=True),
        confusion_frame,
        calibration_frame,
    )


def write_evaluation(
    conn: duckdb.DuckDBPyConnection, model_version: str, label_set: str, result: Evaluation
) -> None:
    """Replace this version's rows for this split (re-evaluation is idempotent)."""
    ensure_tables(conn)
    key = [model_version, result.split]
    tables = ("ml_model_metrics", "ml_per_class_metrics", "ml_confusion_matrix", "ml_calibration")
    for table in tables:
        conn.execute(f"delete from {table} where model_version = ? and split = ?", key)
    metrics = pd.DataFrame({"metric": list(result.metrics), "value": list(result.metrics.values())})
    conn.register("metrics_frame", metrics)
    conn.register("per_class_frame", result.per_class)
    conn.register("confusion_frame", result.confusion)
    conn.register("calibration_frame", result.calibration)
    try:
        conn.execute(
            "insert into ml_model_metrics select ?, ?, ?, metric, value, now() from metrics_frame",
            [model_version, label_set, result.split],
        )
        conn.execute(
            "insert into ml_per_class_metrics select ?, ?, ?, label, precision, recall, f1, "
            "support from per_class_frame",
            [model_version, label_set, result.split],
        )
        conn.execute(
            "insert into ml_confusion_matrix select ?, ?, ?, true_label, predicted_label, n "
            "from confusion_frame",
            [model_version, label_set, result.split],
        )
        conn.execute(
            "insert into ml_calibration select ?, ?, ?, bin_index, bin_lower, bin_upper, n, "
            "mean_confidence, accuracy from calibration_frame",
            [model_version, label_set, result.split],
        )
    finally:
        for name in ("metrics_frame", "per_class_frame", "confusion_frame", "calibration_frame"):
            conn.unregister(name)
