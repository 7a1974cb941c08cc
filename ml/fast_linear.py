"""The fitted TF-IDF + linear pipeline, compiled into plain arrays for fast inference.

scikit-learn's `predict_proba` on one text costs ~5-8 ms on this machine, almost all of
it input validation, sparse-matrix plumbing and estimator dispatch repeated on every
call; the arithmetic is a few hundred dictionary look-ups and one small matrix product.
The API and `predict_intent` classify texts one at a time, so that overhead *is* their
latency. `CompiledLinearText` keeps the fitted analyzers, vocabularies and idf weights,
folds the classifier into one dense weight matrix and recomputes the same numbers
without the plumbing.

The result must equal the pipeline's, so `compile_pipeline` checks itself on probe texts
against the pipeline it came from and returns None (callers keep the pipeline) for any
configuration it does not reproduce exactly.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

log = logging.getLogger(__name__)

#: Largest difference from the pipeline's probabilities accepted by the self-check.
TOLERANCE = 1e-9

PROBE_TEXTS = (
    "I still have not received my new card, when will it arrive?",
    "",
    "!!!",
    "Überweisung fehlgeschlagen 😡 why??",
    "top up top up TOP UP via apple pay",
    "x" * 500,
)


@dataclass(frozen=True)
class _CompiledVectorizer:
    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray  # ones when the vectorizer does not use idf
    sublinear_tf: bool
    offset: int  # column of this vectorizer's first feature inside the union

    def collect(self, text: str, columns: list[int], counts: list[int]) -> int:
        """Append the text's distinct n-grams (own column or -1 if unknown, count).

        Counting first (C-level Counter) and mapping with `dict.get` keeps the per-n-gram
        work out of the Python interpreter loop; unknown n-grams are dropped later in
        one array operation.
        """
        counted = Counter(self.analyzer(text))
        columns.extend(map(self.vocabulary.get, counted, repeat(-1)))
        counts.extend(counted.values())
        return len(counted)


class CompiledLinearText:
    """Text → class probabilities with the numbers of a fitted TF-IDF + linear pipeline."""

    def __init__(
        self,
        vectorizers: Sequence[_CompiledVectorizer],
        weights: np.ndarray,
        intercept: np.ndarray,
        output: str,
        inverse_temperature: float = 1.0,
    ) -> None:
        self._vectorizers = tuple(vectorizers)
        self._weights = np.ascontiguousarray(weights)  # (n_features, n_classes)
        self._intercept = intercept
        self._output = output  # "temperature" or "softmax"
        self._beta = inverse_temperature
        # Per-column idf and sublinear flag of the whole union, so one batch is a handful
        # of array operations however many vectorizers it has.
        self._idf = np.concatenate([v.idf for v in self._vectorizers])
        self._offsets = np.array([v.offset for v in self._vectorizers], dtype=np.int64)
        self._sublinear = np.concatenate(
            [np.full(len(v.idf), v.sublinear_tf) for v in self._vectorizers]
        )

    def _entries(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, tf-idf value) of every non-zero of the union's feature matrix."""
        columns: list[int] = []
        counts: list[int] = []
        segment_sizes: list[int] = []  # one segment per (text, vectorizer)
        for text in texts:
            for vectorizer in self._vectorizers:
                segment_sizes.append(vectorizer.collect(text, columns, counts))
        n_vectorizers = len(self._vectorizers)
        segment = np.repeat(np.arange(len(segment_sizes)), segment_sizes)
        column_array = np.asarray(columns, dtype=np.int64)
        known = column_array >= 0
        segment = segment[known]
        column_array = column_array[known] + self._offsets[segment % n_vectorizers]
        values = np.asarray(counts, dtype=np.float64)[known]
        values = np.where(self._sublinear[column_array], np.log(values) + 1.0, values)
        values *= self._idf[column_array]
        norms = np.sqrt(np.bincount(segment, weights=values * values))
        values /= norms[segment]  # a segment with an entry has a positive norm
        return segment // n_vectorizers, column_array, values

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The union's tf-idf matrix, as `FeatureUnion.transform` would build it."""
        rows, columns, values = self._entries(texts)
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(texts)))))
        return sparse.csr_matrix(
            (values, columns, indptr), shape=(len(texts), self._weights.shape[0])
        )

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:  # the API's case: skip building a sparse matrix
            _rows, columns, values = self._entries(texts)
            return (values @ self._weights[columns] + self._intercept)[np.newaxis, :]
        return np.asarray(self.features(texts) @ self._weights) + self._intercept

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        logits = self.decision_function(texts)
        if self._output == "temperature":
            logits = _as_logits(logits) * self._beta
        proba = _softmax(logits)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0  # as scikit-learn clips
        return proba


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _as_logits(decisions: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """scikit-learn's temperature scaling reads probability-like input as probabilities."""
    looks_like_proba = bool(
        np.all((decisions >= 0) & (decisions <= 1)) and np.allclose(decisions.sum(axis=1), 1.0)
    )
    return np.log(decisions + eps) if looks_like_proba else decisions


def _compile_vectorizers(features: object) -> list[_CompiledVectorizer] | None:
    if not isinstance(features, FeatureUnion) or features.transformer_weights:
        return None
    compiled: list[_CompiledVectorizer] = []
    offset = 0
    for _name, vectorizer in features.transformer_list:
        if not isinstance(vectorizer, TfidfVectorizer) or vectorizer.norm != "l2":
            return None
        if vectorizer.binary:
            return None
        compiled.append(
            _CompiledVectorizer(
                analyzer=vectorizer.build_analyzer(),
                vocabulary=dict(vectorizer.vocabulary_),
                idf=vectorizer.idf_ if vectorizer.use_idf else np.ones(len(vectorizer.vocabulary_)),
                sublinear_tf=vectorizer.sublinear_tf,
                offset=offset,
            )
        )
        offset += len(vectorizer.vocabulary_)
    return compiled


def _linear_head(classifier: object) -> tuple[np.ndarray, np.ndarray, str, float] | None:
    """(weights, intercept, output kind, inverse temperature) of a supported classifier."""
    if isinstance(classifier, CalibratedClassifierCV):
        if classifier.method != "temperature" or len(classifier.calibrated_classifiers_) != 1:
            return None
        calibrated = classifier.calibrated_classifiers_[0]
        estimator = calibrated.estimator
        if not isinstance(estimator, LinearSVC) or estimator.coef_.shape[0] < 3:
            return None
        beta = float(np.asarray(calibrated.calibrators[0].beta_).reshape(-1)[0])
        return estimator.coef_.T, estimator.intercept_, "temperature", beta
    if isinstance(classifier, LogisticRegression) and classifier.coef_.shape[0] >= 3:
        return classifier.coef_.T, classifier.intercept_, "softmax", 1.0
    return None


def compile_pipeline(pipeline: Pipeline) -> CompiledLinearText | None:
    """The compiled model, or None when `pipeline` is a shape this module does not cover."""
    steps = dict(pipeline.steps)
    vectorizers = _compile_vectorizers(steps.get("features"))
    head = _linear_head(steps.get("classifier"))
    if vectorizers is None or head is None:
        log.info("pipeline not compiled: unsupported shape, using scikit-learn directly")
        return None
    weights, intercept, output, beta = head
    compiled = CompiledLinearText(vectorizers, weights, intercept, output, beta)
    expected = pipeline.predict_proba(list(PROBE_TEXTS))
    difference = float(np.abs(compiled.predict_proba(PROBE_TEXTS) - expected).max())
    if difference > TOLERANCE:
        log.warning(
            "compiled pipeline disagrees with scikit-learn; using scikit-learn",
            extra={"max_difference": difference},
        )
        return None
    return compiled
