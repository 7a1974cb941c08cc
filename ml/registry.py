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

from supportlens.config import Settings
from supportlens.ml.classifier import Classifier
from supportlens.ml.device import select_device
from supportlens.ml.preprocessing import TRAINING_TEXT, check_known, preprocess
from supportlens.ml.tables import ensure_tables

META_FILE = "supportlens_model.json"
ACTIVE_DIR = "_active"


class NoActiveModelError(LookupError):
    """No model version is active for a label set."""


class UnknownModelVersionError(LookupError):
    """A model version was named that the registry does not hold."""


class EmptyTextError(ValueError):
    """A text to classify is empty or blank (nothing left once preprocessed)."""


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
    # The text preprocessing the model was trained with, which `Predictor` applies to
    # every input (ml/preprocessing.py). The default is what training reads
    # (ml_training_examples.text), and also how a folder written before this field
    # existed is read: such models were trained on that same column.
    preprocessing: str = TRAINING_TEXT

    def write(self, directory: Path) -> None:
        (directory / META_FILE).write_text(json.dumps(self.__dict__, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> ModelMeta:
        meta = cls(**json.loads((directory / META_FILE).read_text(encoding="utf-8")))
        check_known(meta.preprocessing, str(directory / META_FILE))
        return meta


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
        from supportlens.ml.baseline import TfidfLinearClassifier

        return TfidfLinearClassifier.load(directory)
    if meta.model_type == "transformer":
        from supportlens.ml.transformer import TransformerClassifier

        return TransformerClassifier.load(directory, spec, quantize=meta.quantize_inference)
    if meta.model_type == "cascade":
        from supportlens.ml.cascade import CascadeClassifier

        return CascadeClassifier.load(directory, spec, quantize=meta.quantize_inference)
    if meta.model_type == "embedding_linear":
        from supportlens.ml.embedding_linear import EmbeddingLinearClassifier

        return EmbeddingLinearClassifier.load(directory)
    if meta.model_type == "ensemble":
        from supportlens.ml.ensemble import EnsembleClassifier

        return EnsembleClassifier.load(directory)
    raise ValueError(f"{directory / META_FILE}: unknown model_type {meta.model_type!r}")


class Predictor:
    """A loaded model version that turns texts into labelled predictions.

    Every text goes through the version's own preprocessing before the classifier sees
    it, so each caller (API, SQL functions, `supportlens predict`, discovery) passes the
    text it has. A caller whose texts already had that preprocessing (the warehouse's
    normalised columns) says so with `already=` and nothing is redone.
    """

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

    @property
    def preprocessing(self) -> str:
        return self.meta.preprocessing

    def preprocess(self, texts: list[str], already: str | None = None) -> list[str]:
        """The texts as the classifier expects them; EmptyTextError for a blank one."""
        for index, text in enumerate(texts):
            if text is None:
                raise EmptyTextError(f"texts[{index}] is null; every text must have content")
        prepared = preprocess(self.meta.preprocessing, [str(t) for t in texts], already)
        for index, text in enumerate(prepared):
            if not text.strip():
                raise EmptyTextError(f"texts[{index}] is empty; every text must have content")
        return prepared

    def predict_proba(self, texts: list[str], already: str | None = None) -> np.ndarray:
        return self.classifier.predict_proba(self.preprocess(texts, already))

    def predict(
        self, texts: list[str], top_k: int = 3, already: str | None = None
    ) -> list[Prediction]:
        probabilities = self.predict_proba(texts, already)
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


def card_with_preprocessing(card: dict[str, Any], meta: ModelMeta) -> dict[str, Any]:
    """The model card plus the preprocessing the version applies to every input."""
    return {**card, "preprocessing": meta.preprocessing}


def preprocessing_markdown(meta: ModelMeta) -> str:
    return (
        "\n## Preprocessing\n\n"
        f"Every input text goes through `{meta.preprocessing}` (supportlens/text.py) before "
        "the classifier, at training and at serving: the same rules as dbt's "
        "`normalize_text_sql` that produced the training text.\n"
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
    card = card_with_preprocessing(card, meta)
    (directory / "model_card.json").write_text(json.dumps(card, indent=1), encoding="utf-8")
    markdown = card_markdown + preprocessing_markdown(meta)
    (directory / "model_card.md").write_text(markdown, encoding="utf-8")
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
            json.dumps(card_with_preprocessing(card, meta)),
        ],
    )
