"""Training of the frozen-encoder model types: `embedding_linear` and `ensemble`.

Settings are chosen with the validation split only (the ensemble's weight and cascade
threshold, see `supportlens.ml.ensemble.choose_blend`); then, with `refit_on_validation`,
both models are refitted on train + validation for the registered model. Validation texts are
already in the embedding cache by then, so the refit costs a logistic regression, not an
encoding.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from supportlens.ml.baseline import TfidfLinearClassifier
from supportlens.ml.classifier import Classifier
from supportlens.ml.config import TrainConfig
from supportlens.ml.data import Dataset
from supportlens.ml.device import select_device
from supportlens.ml.embedding_linear import EmbeddingLinearClassifier, build_encoder
from supportlens.ml.ensemble import EnsembleClassifier, choose_blend

log = logging.getLogger(__name__)


def fit_frozen(
    config: TrainConfig,
    dataset: Dataset,
    base_model: Path,
    cache_root: Path | None,
    show_progress: bool = False,
) -> tuple[Classifier, dict[str, Any], np.ndarray]:
    """(classifier to register, card details, validation probabilities before refit)."""
    spec = select_device(config.device, config.num_threads)
    started = time.perf_counter()
    encoder = build_encoder(
        base_model,
        config.encoder_backend,
        config.max_length,
        config.eval_batch_size,
        spec.num_threads,
        cache_root,
    )
    details: dict[str, Any] = {
        "encoder_backend": encoder.backend.name,
        "encoder_id": encoder.encoder_id,
        "pooling": "mean",
        "embedding_c": config.embedding_c,
        "cascade_max_drop": config.cascade_max_drop,
    }
    train, validation = dataset.train, dataset.validation
    # Validation is encoded with train in one pass, so the refit below hits the cache.
    encoder.encode(train.texts + validation.texts, show_progress=show_progress, store=True)
    details["encode_seconds"] = round(time.perf_counter() - started, 1)
    details["texts_encoded"] = encoder.texts_encoded
    fit_started = time.perf_counter()
    embedding = EmbeddingLinearClassifier.fit(train.texts, train.labels, config, encoder)
    embedding_val = embedding.predict_proba(validation.texts)
    details["validation_accuracy"] = {
        "embedding_linear": _accuracy(embedding_val, embedding.labels, validation.labels)
    }
    model: Classifier = embedding
    validation_proba = embedding_val
    baseline: TfidfLinearClassifier | None = None
    choice = None
    if config.model_type == "ensemble":
        baseline = TfidfLinearClassifier.fit(
            train.texts, train.labels, config, show_progress=show_progress
        )
        if baseline.labels != embedding.labels:
            raise ValueError("ensemble: the two models saw different label sets")
        tfidf_val = baseline.predict_proba(validation.texts)
        details["validation_accuracy"]["tfidf_linear"] = _accuracy(
            tfidf_val, baseline.labels, validation.labels
        )
        index = {label: i for i, label in enumerate(baseline.labels)}
        targets = np.array([index.get(label, -1) for label in validation.labels])
        choice = choose_blend(tfidf_val, embedding_val, targets, config.cascade_max_drop)
        details["blend"] = choice.to_dict()
        details["validation_accuracy"]["ensemble"] = choice.accuracy
        model = EnsembleClassifier(baseline, embedding, choice.weight, choice.threshold)
        validation_proba = model.predict_proba(validation.texts)
        log.info(
            "ensemble chosen on validation",
            extra={
                "weight": choice.weight,
                "threshold": choice.threshold,
                "val_accuracy": round(choice.accuracy, 4),
                "escalated": round(choice.escalated, 3),
            },
        )
    if config.refit_on_validation and len(validation):
        texts = train.texts + validation.texts
        labels = train.labels + validation.labels
        embedding = embedding.refit(texts, labels, config)
        model = embedding
        if baseline is not None and choice is not None:
            baseline = TfidfLinearClassifier.fit(texts, labels, config)
            model = EnsembleClassifier(baseline, embedding, choice.weight, choice.threshold)
        details["refit_on"] = "train+validation"
    details["fit_seconds"] = round(time.perf_counter() - fit_started, 1)
    details["texts_encoded"] = encoder.texts_encoded
    return model, details, validation_proba


def _accuracy(probabilities: np.ndarray, labels: list[str], gold: list[str]) -> float:
    predicted = [labels[i] for i in probabilities.argmax(axis=1)]
    return float(np.mean([p == g for p, g in zip(predicted, gold, strict=True)]))
