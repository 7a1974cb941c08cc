"""Models: the provider the API is given (a registry, or a fake in tests) and the hub.

The hub keeps one loaded predictor per label set, loaded once and warmed up, shared by
every request. Activation loads the new version first and then swaps one dictionary
entry: requests already running keep the predictor object they started with, so none is
dropped or sees a half-loaded model.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol

from supportlens.api.errors import NoActiveModel

log = logging.getLogger(__name__)

#: The last text is nonsense on purpose: a cascade (TF-IDF first, the encoder only when
#: TF-IDF is unsure) answers the first two without its encoder, and timing only those
#: would call the ensemble "cheap" and run its encoder on the event loop, unbatched.
WARM_UP_TEXTS = ["I lost my card yesterday", "how do I reset my password", "zq vbx plorth"]
#: A model that answers one text faster than this is called straight from the event loop:
#: a thread hop and a batching queue would cost more than the model itself.
INLINE_SECONDS = 0.002
#: ...but only for small requests. A text's cost grows with its length (character n-grams,
#: tokens), so the bound is on total characters, not on the number of texts: 16 texts of
#: 10,000 characters took ~1.8 s of TF-IDF on the loop and stalled /health (issue 20).
#: ~7 us a character measured for the TF-IDF model on a loaded 2-core machine, so 512
#: characters keep an inline call within a few milliseconds.
INLINE_MAX_CHARS = 512
INLINE_MAX_TEXTS = 16  # a fixed cost per text remains (~0.2-0.5 ms each, compiled TF-IDF)


class Prediction(Protocol):
    label: str
    confidence: float
    top_labels: Sequence[str]
    top_scores: Sequence[float]


class Predictor(Protocol):
    model_version: str

    def predict(self, texts: list[str], top_k: int = 3) -> Sequence[Prediction]: ...


class ModelProvider(Protocol):
    """What the API needs from a model registry."""

    def load_active(self, label_set: str) -> Predictor:
        """The active model of a label set; raises `supportlens.api.errors.NoActiveModel`."""
        ...

    def list_models(self) -> list[dict[str, Any]]:
        """One dict per version: model_version, label_set, model_type, base_model,
        created_at, is_active, train_rows, val_accuracy."""
        ...

    def describe(self, model_version: str) -> dict[str, Any]:
        """Summary fields plus `card` (dict); raises `supportlens.api.errors.ModelNotFound`."""
        ...

    def activate(self, model_version: str) -> str:
        """Make a version active for its label set and return that label set;
        raises `supportlens.api.errors.ModelNotFound`."""
        ...


class ModelHub:
    """Loaded predictors by label set (thread-safe; loads are serialised)."""

    def __init__(self, provider: ModelProvider, default_label_set: str) -> None:
        self.provider = provider
        self.default_label_set = default_label_set
        self._predictors: dict[str, Predictor] = {}
        self._inline_versions: set[str] = set()
        self._load_lock = threading.Lock()

    def peek(self, label_set: str) -> Predictor | None:
        """The loaded predictor, without loading (a dict read: safe on the event loop)."""
        return self._predictors.get(label_set)

    def scores_inline(self, predictor: Predictor, texts: Sequence[str] | None = None) -> bool:
        """True when the warm-up measured this predictor as cheap enough for the loop and
        `texts` (when given) are few and short enough to score there (the one rule)."""
        if predictor.model_version not in self._inline_versions:
            return False
        if texts is None:
            return True
        return len(texts) <= INLINE_MAX_TEXTS and sum(map(len, texts)) <= INLINE_MAX_CHARS

    def _warm(self, predictor: Predictor) -> None:
        """Pay lazy initialisation now (not on a user's request) and time single texts:
        the slowest text's median decides (a cascade's slow path counts)."""
        predictor.predict(list(WARM_UP_TEXTS), top_k=3)
        medians = []
        for text in WARM_UP_TEXTS:
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                predictor.predict([text], top_k=3)
                timings.append(time.perf_counter() - started)
            medians.append(sorted(timings)[len(timings) // 2])
        if max(medians) < INLINE_SECONDS:
            self._inline_versions.add(predictor.model_version)

    def loaded_versions(self) -> dict[str, str]:
        return {name: p.model_version for name, p in list(self._predictors.items())}

    def get(self, label_set: str) -> Predictor:
        """The predictor of a label set, loading and warming it on first use (blocking)."""
        predictor = self._predictors.get(label_set)
        if predictor is not None:
            return predictor
        with self._load_lock:
            predictor = self._predictors.get(label_set)
            if predictor is None:
                predictor = self._load(label_set)
                self._predictors[label_set] = predictor
            return predictor

    def _load(self, label_set: str) -> Predictor:
        predictor = self.provider.load_active(label_set)
        self._warm(predictor)
        log.info(
            "model loaded",
            extra={"label_set": label_set, "model_version": predictor.model_version},
        )
        return predictor

    def warm_up(self) -> None:
        """Load the default label set at start-up; a missing model is logged, not fatal."""
        try:
            self.get(self.default_label_set)
        except NoActiveModel as exc:
            log.warning("no model loaded at start-up", extra={"reason": exc.detail})

    def activate(self, model_version: str) -> tuple[str, str | None]:
        """Activate a version and swap it in; returns (label_set, previous version)."""
        with self._load_lock:
            label_set = self.provider.activate(model_version)
            previous = self._predictors.get(label_set)
            fresh = self._load(label_set)
            self._predictors[label_set] = fresh
        return label_set, previous.model_version if previous else None

    def refresh(self, label_set: str) -> None:
        """Re-read the active version (after training) and swap if it changed."""
        with self._load_lock:
            current = self._predictors.get(label_set)
            try:
                fresh = self.provider.load_active(label_set)
            except NoActiveModel:
                return
            if current is None or fresh.model_version != current.model_version:
                self._warm(fresh)
                self._predictors[label_set] = fresh
                log.info("model swapped", extra={"model_version": fresh.model_version})
