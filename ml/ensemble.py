"""TF-IDF baseline + frozen-encoder logistic regression, probabilities averaged.

The two models err on different texts (n-grams catch exact wording, embeddings catch
paraphrase), so their average beats both. The weight is chosen on the validation split,
and so is a cascade threshold: a text the TF-IDF model already answers with confidence
>= `threshold` keeps the TF-IDF answer and never reaches the encoder, which is what makes
bulk scoring cheap. Both are picked by `choose_blend` and recorded in the model card.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from supportlens.ml.baseline import TfidfLinearClassifier
from supportlens.ml.cascade import blend_unsure
from supportlens.ml.embedding_linear import EmbeddingLinearClassifier

ENSEMBLE_FILE = "ensemble.json"
WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))
#: Candidate TF-IDF confidences above which the encoder is skipped; > 1 = never skipped.
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.01)


@dataclass(frozen=True)
class BlendChoice:
    weight: float  # share of the embedding model in the average
    threshold: float  # TF-IDF confidence from which the encoder is skipped
    accuracy: float  # validation accuracy of the chosen blend with the cascade
    full_accuracy: float  # validation accuracy of the chosen weight on every text
    escalated: float  # share of validation texts that reached the encoder
    weight_scores: dict[str, float]  # validation accuracy by weight (every text blended)
    threshold_scores: dict[str, list[float]]  # threshold -> [accuracy, share escalated]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def blend(tfidf: np.ndarray, embedding: np.ndarray, weight: float, threshold: float) -> np.ndarray:
    unsure = tfidf.max(axis=1) < threshold
    mixed = weight * embedding + (1 - weight) * tfidf
    return np.where(unsure[:, None], mixed, tfidf)


def choose_blend(
    tfidf: np.ndarray, embedding: np.ndarray, targets: np.ndarray, max_drop: float
) -> BlendChoice:
    """Best weight on validation (ties: nearest 0.5), then the lowest cascade threshold
    (fewest texts encoded) whose validation accuracy is within `max_drop` of that best."""
    by_weight = {}
    for weight in WEIGHTS:
        predicted = (weight * embedding + (1 - weight) * tfidf).argmax(axis=1)
        by_weight[weight] = float((predicted == targets).mean())
    best = max(by_weight.values())
    weight = float(
        min((w for w, acc in by_weight.items() if acc == best), key=lambda w: abs(w - 0.5))
    )
    by_threshold = {}
    confidence = tfidf.max(axis=1)
    for threshold in THRESHOLDS:
        predicted = blend(tfidf, embedding, weight, threshold).argmax(axis=1)
        escalated = float((confidence < threshold).mean())
        by_threshold[threshold] = (float((predicted == targets).mean()), escalated)
    threshold = min(t for t, (acc, _) in by_threshold.items() if acc >= best - max_drop)
    accuracy, escalated = by_threshold[threshold]
    return BlendChoice(
        weight,
        threshold,
        accuracy,
        best,
        escalated,
        {str(w): a for w, a in by_weight.items()},
        {str(t): [a, e] for t, (a, e) in by_threshold.items()},
    )


class EnsembleClassifier:
    def __init__(
        self,
        baseline: TfidfLinearClassifier,
        embedding: EmbeddingLinearClassifier,
        weight: float,
        threshold: float,
    ) -> None:
        if baseline.labels != embedding.labels:
            raise ValueError("ensemble: baseline and embedding model have different labels")
        self.baseline = baseline
        self.embedding = embedding
        self.labels = baseline.labels
        self.weight = weight
        self.threshold = threshold
        self.last_escalated = 0  # texts sent to the encoder by the latest call

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        probabilities = self.baseline.predict_proba(texts)
        if not texts or self.weight == 0:
            self.last_escalated = 0
            return probabilities
        self.last_escalated = blend_unsure(
            probabilities, texts, self.threshold, self.weight, self.embedding.predict_proba
        )
        return probabilities

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.baseline.save(directory / "baseline")
        self.embedding.save(directory / "embedding")
        settings = {"weight": self.weight, "threshold": self.threshold}
        (directory / ENSEMBLE_FILE).write_text(json.dumps(settings), encoding="utf-8")

    @classmethod
    def load(
        cls,
        directory: Path,
        backend: str | None = None,
        cache_root: Path | Literal["configured"] | None = "configured",
    ) -> EnsembleClassifier:
        settings = json.loads((directory / ENSEMBLE_FILE).read_text(encoding="utf-8"))
        if cache_root == "configured":  # the registry of the version, not the inner folder
            from supportlens.ml.embedding import default_cache_root

            cache_root = default_cache_root(directory.parent)
        return cls(
            TfidfLinearClassifier.load(directory / "baseline"),
            EmbeddingLinearClassifier.load(directory / "embedding", backend, cache_root),
            float(settings["weight"]),
            float(settings["threshold"]),
        )
