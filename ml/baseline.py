"""TF-IDF (word + character n-grams) with a linear classifier: seconds to train, the bar
every other model has to clear."""

from __future__ import annotations

import logging
from pathlib import Path

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from tqdm.auto import tqdm

from supportlens.ml.config import TrainConfig
from supportlens.ml.fast_linear import compile_pipeline

log = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
#: Up to this many texts the compiled model answers (~0.45 ms a text, no fixed cost);
#: above it scikit-learn's batch path wins (~8 ms fixed + ~0.17 ms a text).
COMPILED_MAX_BATCH = 16


def build_pipeline(config: TrainConfig, n_train_per_class_min: int) -> Pipeline:
    max_features = config.max_features or None
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    ngram_range=(1, config.word_ngram_max),
                    sublinear_tf=True,
                    min_df=config.min_df,
                    max_features=max_features,
                    lowercase=True,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(config.char_ngram_min, config.char_ngram_max),
                    sublinear_tf=True,
                    min_df=config.min_df,
                    max_features=max_features,
                    lowercase=True,
                ),
            ),
        ]
    )
    if config.classifier == "logistic":
        classifier = LogisticRegression(C=config.c, max_iter=2000, random_state=config.seed)
    else:
        # A linear SVM separates better than logistic regression on sparse n-grams.
        # Temperature scaling turns its margins into probabilities (needed for confidence,
        # the cascade and ECE) with one parameter for all classes: per-class sigmoid fits
        # took ~40 % of training time on 77 classes. Folds shrink when a class is rare.
        folds = max(2, min(3, n_train_per_class_min))
        classifier = CalibratedClassifierCV(
            LinearSVC(C=config.c, random_state=config.seed),
            cv=folds,
            method="temperature",
            # One SVM on all the data (folds only fit the temperature): temperature keeps
            # the argmax, so accuracy is the full-data SVM's, not an average of weaker folds.
            ensemble=False,
        )
    return Pipeline([("features", features), ("classifier", classifier)])


class TfidfLinearClassifier:
    def __init__(self, pipeline: Pipeline, labels: list[str]) -> None:
        self.pipeline = pipeline
        self.labels = labels
        # Map the estimator's class order onto `labels` (they match when sorted, but be exact).
        fitted = list(pipeline.classes_)
        self._columns = np.array([fitted.index(label) for label in labels])
        # Same probabilities without scikit-learn's per-call overhead
        # (see supportlens.ml.fast_linear).
        self._compiled = compile_pipeline(pipeline)

    @classmethod
    def fit(
        cls,
        texts: list[str],
        labels: list[str],
        config: TrainConfig,
        show_progress: bool = False,
    ) -> TfidfLinearClassifier:
        classes, counts = np.unique(labels, return_counts=True)
        pipeline = build_pipeline(config, int(counts.min()))
        # The two steps Pipeline.fit runs, one by one, so a progress bar can name them.
        (_, features), (_, classifier) = pipeline.steps
        with tqdm(total=2, desc="tf-idf baseline", disable=not show_progress) as progress:
            progress.set_postfix(step="n-gram features")
            matrix = features.fit_transform(texts, labels)
            progress.update()
            progress.set_postfix(step=f"{config.classifier} on {matrix.shape[1]:,} features")
            classifier.fit(matrix, labels)
            progress.update()
        return cls(pipeline, sorted(classes.tolist()))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.labels)))
        if self._compiled is not None and len(texts) <= COMPILED_MAX_BATCH:
            return self._compiled.predict_proba(texts)[:, self._columns]
        return self.pipeline.predict_proba(texts)[:, self._columns]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump({"pipeline": self.pipeline, "labels": self.labels}, directory / MODEL_FILE)

    @classmethod
    def load(cls, directory: Path) -> TfidfLinearClassifier:
        payload = joblib.load(directory / MODEL_FILE)
        return cls(payload["pipeline"], payload["labels"])
