"""The fitted TF-IDF + linear pipeline, compiled into plain arrays for fast inference.

scikit-learn's `predict_proba` on one text costs ~5-8 ms on this machine, almost all of
it input validation, sparse-matrix plumbing and estimator dispatch repeated on every
call; the arithmetic is a few hundred dictionary look-ups and one small matrix product.
The API classifies texts one at a time, so that overhead *is* its latency.
`CompiledLinearText` keeps the fitted analyzers, vocabularies and idf weights, folds the
classifier into one dense weight matrix and recomputes the same numbers text by text
without the plumbing (~0.45 ms a text). For large batches scikit-learn's vectorised
path is faster per text (~0.17 ms), so callers use this only for small batches.

The result must equal the pipeline's, so `compile_pipeline` checks itself on probe texts
against the pipeline it came from and returns None (callers keep the pipeline) for any
configuration it does not reproduce exactly.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
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
    idf: list[float]  # per column; ones when the vectorizer does not use idf
    sublinear_tf: bool
    offset: int  # column of this vectorizer's first feature inside the union

    def weighted(self, text: str, columns: list[int], values: list[float]) -> None:
        """Append one text's union columns and l2-normalised tf-idf values (plain Python:
        for one text, a few hundred float operations beat a dozen tiny numpy calls)."""
        get = self.vocabulary.get
        idf = self.idf
        offset = self.offset
        start = len(values)
        for gram, count in Counter(self.analyzer(text)).items():
            column = get(gram)
            if column is not None:
                tf = math.log(count) + 1.0 if self.sublinear_tf else float(count)
                columns.append(column + offset)
                values.append(tf * idf[column])
        norm = math.sqrt(math.fsum(v * v for v in values[start:]))
        for index in range(start, len(values)):
            values[index] /= norm


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

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        scores = np.empty((len(texts), len(self._intercept)))
        for row, text in enumerate(texts):
            columns: list[int] = []
            values: list[float] = []
            for vectorizer in self._vectorizers:
                vectorizer.weighted(text, columns, values)
            scores[row] = self._intercept
            if columns:
                scores[row] += np.asarray(values) @ self._weights[columns]
        return scores

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


def char_wb_analyzer(vectorizer: TfidfVectorizer) -> Callable[[str], list[str]]:
    """scikit-learn's `char_wb` analyzer with the n-gram loop as list comprehensions.

    Same n-grams in the same order as `TfidfVectorizer._char_wb_ngrams` (decode,
    preprocess, collapse whitespace, pad each word with one space, all n-grams of each
    length; a word no longer than n counts once, whole, and ends the lengths), about
    twice as fast: the per-character work runs inside comprehensions, not a while loop.
    """
    decode = vectorizer.decode
    preprocess = vectorizer.build_preprocessor()
    white_spaces = vectorizer._white_spaces
    min_n, max_n = vectorizer.ngram_range

    def analyze(text: str) -> list[str]:
        ngrams: list[str] = []
        for word in white_spaces.sub(" ", preprocess(decode(text))).split():
            padded = f" {word} "
            length = len(padded)
            for n in range(min_n, max_n + 1):
                if length <= n:
                    ngrams.append(padded)
                    break
                ngrams.extend([padded[i : i + n] for i in range(length - n + 1)])
        return ngrams

    return analyze


def _analyzer(vectorizer: TfidfVectorizer) -> Callable[[str], list[str]]:
    plain = vectorizer.preprocessor is None and vectorizer.tokenizer is None
    if vectorizer.analyzer == "char_wb" and plain:
        return char_wb_analyzer(vectorizer)
    return vectorizer.build_analyzer()


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
                analyzer=_analyzer(vectorizer),
                vocabulary=dict(vectorizer.vocabulary_),
                idf=(
                    vectorizer.idf_.tolist()
                    if vectorizer.use_idf
                    else [1.0] * len(vectorizer.vocabulary_)
                ),
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
