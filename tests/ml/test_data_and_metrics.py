from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score

from supportlens.ml.data import TrainingDataError, load_dataset, stratified_holdout
from supportlens.ml.metrics import (
    accuracy,
    calibration_bins,
    confusion,
    expected_calibration_error,
    macro_f1,
    per_class,
)
from tests.ml.conftest import synthetic_examples


def connect_with(frame: pd.DataFrame, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    conn.execute("create table ml_training_examples as select * from frame")
    return conn


def test_load_dataset_splits(tmp_path: Path) -> None:
    conn = connect_with(synthetic_examples(), tmp_path)
    data = load_dataset(conn, "banking77")
    assert data.labels == ["card_arrival", "exchange_rate", "pin_reset", "refund"]
    assert len(data.validation) > 0 and data.test is not None and len(data.test) > 0
    assert set(data.train.ids).isdisjoint(data.validation.ids)


def test_validation_carved_from_train_when_absent(tmp_path: Path) -> None:
    frame = synthetic_examples()
    frame.loc[frame["split"] == "validation", "split"] = "train"
    data = load_dataset(connect_with(frame, tmp_path), "banking77", 0.2, seed=1)
    assert len(data.validation) > 0
    assert set(data.validation.labels) == set(data.labels)  # stratified: every class held out
    (tmp_path / "again").mkdir()
    again = load_dataset(connect_with(frame, tmp_path / "again"), "banking77", 0.2, seed=1)
    assert again.validation.ids == data.validation.ids  # seeded


def test_one_class_label_set_is_an_error(tmp_path: Path) -> None:
    frame = synthetic_examples()
    frame = frame[frame["label"] == "refund"]
    with pytest.raises(TrainingDataError, match="1 class"):
        load_dataset(connect_with(frame, tmp_path), "banking77")


def test_empty_text_names_the_example(tmp_path: Path) -> None:
    frame = synthetic_examples()
    frame.loc[5, "text"] = "   "
    with pytest.raises(TrainingDataError, match=frame.loc[5, "example_id"]):
        load_dataset(connect_with(frame, tmp_path), "banking77")


def test_unknown_label_set_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match=r"label sets present: \['banking77'\]"):
        load_dataset(connect_with(synthetic_examples(), tmp_path), "sgd")


def test_missing_table_says_run_build(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="supportlens build"):
        load_dataset(duckdb.connect(), "banking77")


def test_holdout_is_stratified() -> None:
    labels = ["a"] * 50 + ["b"] * 30 + ["c"] * 1
    keep, hold = stratified_holdout(labels, 0.1, seed=3)
    held = [labels[i] for i in hold]
    assert held.count("a") == 5 and held.count("b") == 3 and "c" not in held
    assert len(set(keep) | set(hold)) == len(labels)


def test_metrics_agree_with_sklearn() -> None:
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 5, 400)
    predicted = np.where(rng.random(400) < 0.7, targets, rng.integers(0, 5, 400))
    assert accuracy(targets, predicted) == pytest.approx(accuracy_score(targets, predicted))
    assert macro_f1(targets, predicted, 5) == pytest.approx(
        f1_score(targets, predicted, average="macro")
    )
    matrix = confusion(targets, predicted, 5)
    assert (
        matrix.sum() == 400
        and per_class(matrix).support.tolist() == np.bincount(targets, minlength=5).tolist()
    )


def test_expected_calibration_error() -> None:
    # Perfectly calibrated: confidence 0.8, 80 % correct -> 0; always-wrong at 0.9 -> 0.9.
    assert expected_calibration_error(np.full(10, 0.8), np.array([1] * 8 + [0] * 2)) == (
        pytest.approx(0.0)
    )
    assert expected_calibration_error(np.full(4, 0.9), np.zeros(4)) == pytest.approx(0.9)


def test_calibration_bins_split_confidence_into_equal_width_bins() -> None:
    confidence = np.array([0.05, 0.1, 0.55, 0.95, 1.0])
    correct = np.array([0, 1, 1, 1, 0])
    bins = calibration_bins(confidence, correct, n_bins=10)
    assert [(b.bin_index, b.n) for b in bins] == [(0, 2), (5, 1), (9, 2)]
    assert bins[0].accuracy == pytest.approx(0.5)
    assert bins[2].mean_confidence == pytest.approx(0.975)
