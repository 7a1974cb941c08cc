"""Reading labelled examples from the warehouse and checking they can train a model."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from supportlens.ml.preprocessing import WAREHOUSE_TEXT

log = logging.getLogger(__name__)

TRAINING_TABLE = "ml_training_examples"
SCORING_TABLE = "ml_scoring_inputs"


class TrainingDataError(ValueError):
    """The labelled examples cannot train a classifier (missing, empty, one class, ...)."""


@dataclass(frozen=True)
class Split:
    ids: list[str]
    texts: list[str]
    labels: list[str]
    # The preprocessing the texts already had (`supportlens.ml.preprocessing`), passed as
    # `already=` to `Predictor` so it is not redone: WAREHOUSE_TEXT for rows read from
    # the warehouse; None for texts from anywhere else (the model's own is applied).
    preprocessing: str | None = None

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class Dataset:
    label_set: str
    train: Split
    validation: Split
    test: Split | None
    labels: list[str]  # sorted class names; index = class id


def _split_from_frame(frame: pd.DataFrame) -> Split:
    return Split(
        ids=frame["example_id"].astype(str).tolist(),
        texts=frame["text"].tolist(),
        labels=frame["label"].tolist(),
        preprocessing=WAREHOUSE_TEXT,  # ml_training_examples.text: dbt normalised it
    )


def check_texts(frame: pd.DataFrame, where: str) -> None:
    """Empty or null texts / labels cannot be learned from: name the first offenders."""
    blank_text = frame["text"].isna() | (frame["text"].astype(str).str.strip() == "")
    blank_label = frame["label"].isna() | (frame["label"].astype(str).str.strip() == "")
    for mask, fieldname in ((blank_text, "text"), (blank_label, "label")):
        if mask.any():
            ids = frame.loc[mask, "example_id"].astype(str).head(5).tolist()
            raise TrainingDataError(
                f"{where}: {int(mask.sum())} row(s) with empty {fieldname!r}, "
                f"e.g. example_id {ids}; fix the source or filter them in dbt"
            )


def stratified_holdout(
    labels: list[str], fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded per-class split: each class with >= 2 rows gives ~fraction to the holdout."""
    rng = np.random.default_rng(seed)
    keep: list[int] = []
    hold: list[int] = []
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    for label in sorted(by_label):
        members = np.array(by_label[label])
        rng.shuffle(members)
        n_hold = round(len(members) * fraction) if len(members) >= 2 else 0
        n_hold = min(max(n_hold, 1 if len(members) >= 2 else 0), len(members) - 1)
        hold.extend(members[:n_hold].tolist())
        keep.extend(members[n_hold:].tolist())
    return np.array(sorted(keep)), np.array(sorted(hold))


def load_dataset(
    conn: duckdb.DuckDBPyConnection,
    label_set: str,
    validation_fraction: float = 0.1,
    seed: int = 42,
) -> Dataset:
    """Train/validation/test examples for one label set from `ml_training_examples`."""
    try:
        frame = conn.execute(
            f"select example_id, text, label, split from {TRAINING_TABLE} "
            "where label_set = ? order by example_id",
            [label_set],
        ).df()
    except duckdb.CatalogException as exc:
        raise TrainingDataError(
            f"table {TRAINING_TABLE} not found in the warehouse; run `supportlens build` first"
        ) from exc
    where = f"{TRAINING_TABLE} (label_set={label_set!r})"
    if frame.empty:
        known = [
            r[0]
            for r in conn.execute(f"select distinct label_set from {TRAINING_TABLE}").fetchall()
        ]
        raise TrainingDataError(f"{where}: no rows; label sets present: {sorted(known)}")
    check_texts(frame, where)
    unknown_splits = sorted(set(frame["split"]) - {"train", "validation", "test"})
    if unknown_splits:
        raise TrainingDataError(f"{where}: unknown split value(s) {unknown_splits}")
    train = frame[frame["split"] == "train"].reset_index(drop=True)
    classes = sorted(train["label"].unique())
    if len(classes) < 2:
        raise TrainingDataError(
            f"{where}: the train split has {len(classes)} class(es) {classes}; "
            "a classifier needs at least 2"
        )
    validation = frame[frame["split"] == "validation"].reset_index(drop=True)
    if validation.empty:
        keep, hold = stratified_holdout(train["label"].tolist(), validation_fraction, seed)
        validation = train.iloc[hold].reset_index(drop=True)
        train = train.iloc[keep].reset_index(drop=True)
        log.info(
            "no validation rows: carved a stratified holdout from train",
            extra={"label_set": label_set, "validation_rows": len(validation)},
        )
    test = frame[frame["split"] == "test"].reset_index(drop=True)
    return Dataset(
        label_set=label_set,
        train=_split_from_frame(train),
        validation=_split_from_frame(validation),
        test=_split_from_frame(test) if not test.empty else None,
        labels=classes,
    )
