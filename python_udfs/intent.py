"""`predict_intent(text [, label_set])` and `intent_confidence(text [, label_set])`.

The active model of each label set is loaded on first use and kept by an `IntentModels`
object; whoever registers the functions owns one (the dbt plugin for the dbt process,
the SQL shell, the API), so a model loads once per process, not once per query.
The two functions usually run side by side on the same rows, so the last predictions are
remembered and the second function does not run the model again.

Texts go to the model as SQL passes them (raw or already normalised): the model applies
its own preprocessing (ml/preprocessing.py), the one it was trained with, and
normalising a normalised text changes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import pyarrow as pa

from supportlens.config import Settings
from supportlens.text import is_blank

log = logging.getLogger(__name__)

#: Predictions remembered for the companion function (two 2,048-row DuckDB vectors).
REMEMBERED_PREDICTIONS = 4_096


class PredictionLike(Protocol):
    label: str
    confidence: float


class PredictorLike(Protocol):
    model_version: str

    def predict(self, texts: list[str], top_k: int = 3) -> Sequence[PredictionLike]: ...


PredictorLoader = Callable[[Settings, str], PredictorLike]


class IntentModelUnavailableError(RuntimeError):
    """No model can answer `predict_intent`; the message says what to run."""


def sql_error_message(exc: BaseException) -> str:
    """A DuckDB error raised through a Python UDF, without the Python frames DuckDB appends.

    DuckDB reports UDF failures as "...while executing the UDF: Type: message\n\nAt:\n
    file(line): function...". SQL users need the message, not the frames.
    """
    text = str(exc).split("\n\nAt:\n", 1)[0]
    marker = f"{IntentModelUnavailableError.__name__}: "
    return text.split(marker, 1)[1] if marker in text else text


def load_from_registry(settings: Settings, label_set: str) -> PredictorLike:
    """The production loader: the registry's active model for `label_set`."""
    try:
        from supportlens.ml.registry import NoActiveModelError, load_active
    except ImportError as exc:
        raise IntentModelUnavailableError(
            f"the model registry (supportlens.ml.registry) cannot be imported: {exc}"
        ) from exc
    try:
        return load_active(settings, label_set)
    except NoActiveModelError as exc:
        raise IntentModelUnavailableError(
            f"no active intent model for label set '{label_set}' in "
            f"{settings.paths.registry_dir}; train one with "
            f"`supportlens train --label-set {label_set}`"
        ) from exc


class IntentModels:
    """Lazily loaded, cached predictors per label set, plus a small memory of answers."""

    def __init__(self, settings: Settings, loader: PredictorLoader = load_from_registry) -> None:
        self._settings = settings
        self._loader = loader
        self.default_label_set: str = settings.ml.label_set
        self._predictors: dict[str, PredictorLike] = {}
        self._remembered: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()
        # DuckDB may call a UDF from several threads; loading twice would waste seconds.
        self._lock = threading.Lock()

    def predictor(self, label_set: str) -> PredictorLike:
        with self._lock:
            if label_set not in self._predictors:
                # A failure is not cached: a model trained later in this process is found.
                predictor = self._loader(self._settings, label_set)
                log.info(
                    "loaded intent model",
                    extra={"label_set": label_set, "model_version": predictor.model_version},
                )
                self._predictors[label_set] = predictor
            return self._predictors[label_set]

    def predict(
        self, texts: Sequence[str | None], label_sets: Sequence[str | None] | None = None
    ) -> list[tuple[str, float] | None]:
        """(label, confidence) per text; None for NULL or blank text (nothing to classify:
        empty once normalised, see `supportlens.text.is_blank`)."""
        wanted = [
            (ls or self.default_label_set, text)
            for text, ls in zip(texts, label_sets or [None] * len(texts), strict=True)
        ]
        answers: list[tuple[str, float] | None] = [None] * len(wanted)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for index, (label_set, text) in enumerate(wanted):
                if is_blank(text):
                    continue
                known = self._remembered.get((label_set, text))
                if known is None:
                    missing.setdefault(label_set, []).append(index)
                else:
                    answers[index] = known
        for label_set, indexes in missing.items():
            batch = [wanted[i][1] for i in indexes]
            predictions = self.predictor(label_set).predict(batch, top_k=1)  # type: ignore[arg-type]
            with self._lock:
                for index, prediction in zip(indexes, predictions, strict=True):
                    answer = (prediction.label, float(prediction.confidence))
                    answers[index] = answer
                    self._remember(wanted[index], answer)
        return answers

    def _remember(self, key: tuple[str, str | None], answer: tuple[str, float]) -> None:
        self._remembered[key] = answer  # type: ignore[index]
        self._remembered.move_to_end(key)  # type: ignore[arg-type]
        while len(self._remembered) > REMEMBERED_PREDICTIONS:
            self._remembered.popitem(last=False)

    # --- the SQL entry points -------------------------------------------------------------

    def label_scalar(self, text: str | None, label_set: str | None) -> str | None:
        answer = self.predict([text], [label_set])[0]
        return None if answer is None else answer[0]

    def confidence_scalar(self, text: str | None, label_set: str | None) -> float | None:
        answer = self.predict([text], [label_set])[0]
        return None if answer is None else answer[1]

    def label_arrow(self, texts: pa.Array, label_sets: pa.Array) -> pa.Array:
        answers = self.predict(texts.to_pylist(), label_sets.to_pylist())
        return pa.array([None if a is None else a[0] for a in answers], type=pa.string())

    def confidence_arrow(self, texts: pa.Array, label_sets: pa.Array) -> pa.Array:
        answers = self.predict(texts.to_pylist(), label_sets.to_pylist())
        return pa.array([None if a is None else a[1] for a in answers], type=pa.float64())
