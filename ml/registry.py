"""Model registry: one folder per model version under `paths.registry_dir`.

    <registry_dir>/<model_version>/        model files (save_pretrained layout or joblib),
                                           supportlens_model.json, model_card.json/.md
    <registry_dir>/_active/<label_set>.json   which version answers for a label set

The active pointer is a small file (swapped atomically) rather than only the
`ml_models.is_active` column, so the API and SQL functions can find the active model
without opening the working warehouse, which the writer may hold locked.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from ml.classifier import Classifier
from ml.device import select_device
from ml.tables import ensure_tables
from supportlens.config import Settings

META_FILE = "supportlens_model.json"
ACTIVE_DIR = "_active"


class NoActiveModelError(LookupError):
    """No model version is active for a label set."""


class UnknownModelVersionError(LookupError):
    """A model version was named that the registry does not hold."""


class EmptyTextError(ValueError):
    """A text to classify is empty or blank."""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    top_labels: list[str]
    top_scores: list[float]


@dataclass(frozen=True)
class ModelMeta:
    model_version: str
    label_set: str
    model_type: str
    labels: list[str]
    quantize_inference: bool = False

    def write(self, directory: Path) -> None:
        (directory / META_FILE).write_text(json.dumps(self.__dict__, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> ModelMeta:
        return cls(**json.loads((directory / META_FILE).read_text(encoding="utf-8")))


def new_version(label_set: str, model_type: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{label_set}-{model_type}-{stamp}-{secrets.token_hex(2)}"


def version_dir(settings: Settings, version: str) -> Path:
    return settings.paths.registry_dir / version


def list_versions(settings: Settings) -> list[str]:
    root = settings.paths.registry_dir
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / META_FILE).is_file())


def require_version(settings: Settings, version: str) -> Path:
    directory = version_dir(settings, version)
    if not (directory / META_FILE).is_file():
        known = list_versions(settings)
        raise UnknownModelVersionError(
            f"model version {version!r} not found in {settings.paths.registry_dir}; "
            f"known versions: {known or 'none (run supportlens train)'}"
        )
    return directory


def load_classifier(directory: Path, meta: ModelMeta) -> Classifier:
    spec = select_device("auto")
    if meta.model_type == "tfidf_linear":
        from ml.baseline import TfidfLinearClassifier

        return TfidfLinearClassifier.load(directory)
    if meta.model_type == "transformer":
        from ml.transformer import TransformerClassifier

        return TransformerClassifier.load(directory, spec, quantize=meta.quantize_inference)
    if meta.model_type == "cascade":
        from ml.cascade import CascadeClassifier

        return CascadeClassifier.load(directory, spec, quantize=meta.quantize_inference)
    raise ValueError(f"{directory / META_FILE}: unknown model_type {meta.model_type!r}")


class Predictor:
    """A loaded model version that turns texts into labelled predictions."""

    def __init__(self, meta: ModelMeta, classifier: Classifier) -> None:
        self.meta = meta
        self.classifier = classifier

    @property
    def model_version(self) -> str:
        return self.meta.model_version

    @property
    def label_set(self) -> str:
        return self.meta.label_set

    @property
    def labels(self) -> list[str]:
        return self.meta.labels

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        for index, text in enumerate(texts):
            if text is None or not str(text).strip():
                raise EmptyTextError(f"texts[{index}] is empty; every text must have content")
        return self.classifier.predict_proba(list(texts))

    def predict(self, texts: list[str], top_k: int = 3) -> list[Prediction]:
        probabilities = self.predict_proba(texts)
        return predictions_from_proba(probabilities, self.labels, top_k)


def predictions_from_proba(
    probabilities: np.ndarray, labels: list[str], top_k: int = 3
) -> list[Prediction]:
    k = max(1, min(top_k, len(labels)))
    order = np.argsort(-probabilities, axis=1)[:, :k]
    results = []
    for row, best in zip(probabilities, order, strict=True):
        scores = [float(row[i]) for i in best]
        results.append(Prediction(labels[best[0]], scores[0], [labels[i] for i in best], scores))
    return results


# One loaded model per version and process: loading a transformer takes seconds, and a
# version's files never change after registration, so the version is a safe cache key.
@functools.lru_cache(maxsize=8)
def _load_cached(directory: str) -> Predictor:
    path = Path(directory)
    meta = ModelMeta.read(path)
    return Predictor(meta, load_classifier(path, meta))


def load_version(settings: Settings, version: str) -> Predictor:
    return _load_cached(str(require_version(settings, version)))


def active_pointer(settings: Settings, label_set: str) -> Path:
    return settings.paths.registry_dir / ACTIVE_DIR / f"{label_set}.json"


def active_version(settings: Settings, label_set: str) -> str:
    pointer = active_pointer(settings, label_set)
    if not pointer.is_file():
        raise NoActiveModelError(
            f"no active model for label set {label_set!r} in {settings.paths.registry_dir}; "
            f"run `supportlens train --label-set {label_set}` first"
        )
    return json.loads(pointer.read_text(encoding="utf-8"))["model_version"]


def active_label_sets(settings: Settings) -> list[str]:
    folder = settings.paths.registry_dir / ACTIVE_DIR
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def load_active(settings: Settings, label_set: str) -> Predictor:
    """The active model for a label set (cached per process and version)."""
    return load_version(settings, active_version(settings, label_set))


def activate(
    settings: Settings, version: str, conn: duckdb.DuckDBPyConnection | None = None
) -> None:
    """Make `version` the one active model of its label set (pointer file + ml_models)."""
    meta = ModelMeta.read(require_version(settings, version))
    pointer = active_pointer(settings, meta.label_set)
    pointer.parent.mkdir(parents=True, exist_ok=True)
    tmp = pointer.with_suffix(f".{os.getpid()}.tmp")
    payload = {"model_version": version, "activated_at": time.time()}
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(tmp, pointer)
    if conn is not None:
        ensure_tables(conn)
        conn.execute(
            "update ml_models set is_active = (model_version = ?) where label_set = ?",
            [version, meta.label_set],
        )


def save_version(
    settings: Settings,
    classifier: Classifier,
    meta: ModelMeta,
    card: dict[str, Any],
    card_markdown: str,
) -> Path:
    directory = version_dir(settings, meta.model_version)
    classifier.save(directory)
    meta.write(directory)
    (directory / "model_card.json").write_text(json.dumps(card, indent=1), encoding="utf-8")
    (directory / "model_card.md").write_text(card_markdown, encoding="utf-8")
    return directory


def record_model(
    conn: duckdb.DuckDBPyConnection,
    meta: ModelMeta,
    base_model: str,
    path: Path,
    train_rows: int,
    val_accuracy: float,
    card: dict[str, Any],
) -> None:
    ensure_tables(conn)
    conn.execute(
        "insert into ml_models values (?, ?, ?, ?, ?, now(), false, ?, ?, ?)",
        [
            meta.model_version,
            meta.label_set,
            meta.model_type,
            base_model,
            str(path),
            train_rows,
            val_accuracy,
            json.dumps(card),
        ],
    )
