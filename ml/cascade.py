"""Baseline first; the transformer only scores the texts where the baseline is unsure.

Most support messages are easy: the TF-IDF model answers them in microseconds with high
confidence. Only texts under `threshold` pay for the transformer, where the two models'
probabilities are blended (`weight` = share of the transformer; 1.0 = transformer
decides, < 1 = an ensemble on the hard texts; threshold > 1 sends every text).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from supportlens.ml.baseline import TfidfLinearClassifier
from supportlens.ml.device import DeviceSpec
from supportlens.ml.transformer import TransformerClassifier

CASCADE_FILE = "cascade.json"


def blend_unsure(
    probabilities: np.ndarray,
    texts: list[str],
    threshold: float,
    weight: float,
    deep_proba: Callable[[list[str]], np.ndarray],
) -> int:
    """The cascade rule shared by `cascade` and `ensemble`: rows of the baseline's
    `probabilities` below `threshold` are blended in place with the deep model's answer
    (`weight` on the deep model), so confident texts never reach it. Returns how many
    texts it sent."""
    unsure = np.flatnonzero(probabilities.max(axis=1) < threshold)
    if len(unsure):
        deep = deep_proba([texts[i] for i in unsure])
        probabilities[unsure] = weight * deep + (1 - weight) * probabilities[unsure]
    return len(unsure)


class CascadeClassifier:
    def __init__(
        self,
        baseline: TfidfLinearClassifier,
        transformer: TransformerClassifier,
        threshold: float,
        weight: float,
    ) -> None:
        if baseline.labels != transformer.labels:
            raise ValueError("cascade: baseline and transformer were trained on different labels")
        self.baseline = baseline
        self.transformer = transformer
        self.labels = baseline.labels
        self.threshold = threshold
        self.weight = weight
        self.last_escalated = 0  # texts sent to the transformer by the latest call

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        probabilities = self.baseline.predict_proba(texts)
        self.last_escalated = blend_unsure(
            probabilities, texts, self.threshold, self.weight, self.transformer.predict_proba
        )
        return probabilities

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.baseline.save(directory / "baseline")
        self.transformer.save(directory / "transformer")
        settings = {"threshold": self.threshold, "weight": self.weight}
        (directory / CASCADE_FILE).write_text(json.dumps(settings), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, spec: DeviceSpec, quantize: bool = False) -> CascadeClassifier:
        settings = json.loads((directory / CASCADE_FILE).read_text(encoding="utf-8"))
        return cls(
            TfidfLinearClassifier.load(directory / "baseline"),
            TransformerClassifier.load(directory / "transformer", spec, quantize=quantize),
            settings["threshold"],
            settings["weight"],
        )
