"""The one interface every model type implements, so registry, evaluation and prediction
do not care whether a TF-IDF model, a transformer or a cascade answers."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class Classifier(Protocol):
    labels: list[str]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n_texts, n_labels) probabilities, columns in `labels` order."""
        ...

    def save(self, directory: Path) -> None: ...
