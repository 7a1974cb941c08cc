"""Train one model from a config and a dataset, then register it (files, card, ml_models)."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from supportlens.config import Settings
from supportlens.ml.baseline import TfidfLinearClassifier
from supportlens.ml.classifier import Classifier
from supportlens.ml.config import TrainConfig, resolve_base_model
from supportlens.ml.data import Dataset, load_dataset
from supportlens.ml.device import select_device
from supportlens.ml.embedding import cache_root_for
from supportlens.ml.evaluation import evaluation_from_proba, write_evaluation
from supportlens.ml.model_card import hardware, render_markdown
from supportlens.ml.registry import ModelMeta, activate, new_version, record_model, save_version
from supportlens.ml.runs import Run, record_run
from supportlens.ml.transformer import EpochResult, TransformerTrainer

log = logging.getLogger(__name__)

WORK_DIR = "_work"


@dataclass
class Trained:
    classifier: Classifier
    seconds: float
    base_model: str = ""
    history: list[EpochResult] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # Validation probabilities of the model that chose the settings, before any refit on
    # train + validation (a refitted model has seen the validation texts).
    validation_proba: np.ndarray | None = None


@dataclass(frozen=True)
class TrainResult:
    model_version: str
    directory: Path
    validation_metrics: dict[str, float]
    training_seconds: float
    card: dict[str, Any]


def work_dir_for(settings: Settings, config: TrainConfig, label_set: str) -> Path:
    return settings.paths.registry_dir / WORK_DIR / f"{label_set}-{config.fingerprint()}"


def fit_model(
    config: TrainConfig,
    dataset: Dataset,
    work_dir: Path,
    settings_base_model: str = "",
    on_epoch_end: Callable[[EpochResult], None] | None = None,
    resume: bool = True,
    show_progress: bool = True,
    cache_root: Path | None = None,
) -> Trained:
    """Fit the configured model type; the transformer checkpoints into `work_dir`;
    encoder embeddings are read from / written to `cache_root` (None: no cache)."""
    started = time.perf_counter()
    if config.model_type == "tfidf_linear":
        model = TfidfLinearClassifier.fit(
            dataset.train.texts, dataset.train.labels, config, show_progress=show_progress
        )
        return Trained(model, time.perf_counter() - started)
    if config.model_type in ("embedding_linear", "ensemble"):
        from supportlens.ml.frozen_training import fit_frozen

        base = resolve_base_model(config.base_model, settings_base_model)
        classifier, details, validation_proba = fit_frozen(
            config, dataset, base, cache_root, show_progress
        )
        return Trained(
            classifier,
            time.perf_counter() - started,
            str(base),
            details=details,
            validation_proba=validation_proba,
        )
    base = resolve_base_model(config.base_model, settings_base_model)
    spec = select_device(config.device, config.num_threads)
    trainer = TransformerTrainer(
        config,
        base,
        work_dir,
        spec,
        on_epoch_end,
        resume=resume,
        show_progress=show_progress,
        cache_root=cache_root,
    )
    outcome = trainer.fit(dataset.train, dataset.validation, dataset.labels)
    # quantize_inference applies when the registered version is loaded (int8 weights
    # cannot be saved in the save_pretrained layout), so `supportlens evaluate` measures it.
    details = {
        "best_epoch": outcome.best_epoch,
        "stopped_early": outcome.stopped_early,
        "resumed_from_epoch": outcome.resumed_from_epoch,
        "device": spec.device_type,
        "initial_val_accuracy": outcome.initial_val_accuracy,
        "hit_time_cap": outcome.hit_time_cap,
    }
    classifier: Classifier = outcome.classifier
    if config.model_type == "cascade":
        from supportlens.ml.cascade import CascadeClassifier

        baseline = TfidfLinearClassifier.fit(dataset.train.texts, dataset.train.labels, config)
        classifier = CascadeClassifier(
            baseline, outcome.classifier, config.cascade_threshold, config.ensemble_weight
        )
    return Trained(classifier, time.perf_counter() - started, str(base), outcome.history, details)


def build_card(
    meta: ModelMeta,
    config: TrainConfig,
    dataset: Dataset,
    trained: Trained,
    validation_metrics: dict[str, float],
) -> dict[str, Any]:
    spec = select_device(config.device, config.num_threads)
    rows = {"train": len(dataset.train), "validation": len(dataset.validation)}
    if dataset.test is not None:
        rows["test"] = len(dataset.test)
    return {
        "model_version": meta.model_version,
        "label_set": meta.label_set,
        "model_type": meta.model_type,
        "base_model": trained.base_model,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_seconds": trained.seconds,
        "data": {
            "table": "ml_training_examples",
            "rows": rows,
            "n_labels": len(dataset.labels),
            "labels": dataset.labels,
        },
        "config": config.to_dict(),
        "metrics": {"validation": validation_metrics},
        "history": [asdict(h) for h in trained.history],
        "training": trained.details,
        "hardware": hardware(spec),
    }


def train_and_register(
    settings: Settings,
    conn: duckdb.DuckDBPyConnection,
    config: TrainConfig,
    make_active: bool = True,
    resume: bool = True,
    show_progress: bool = True,
    experiment: str = "train",
) -> TrainResult:
    """Read examples, train, evaluate on validation, register (and activate) a version."""
    dataset = load_dataset(conn, config.label_set, config.validation_fraction, config.seed)
    log.info(
        "training",
        extra={
            "label_set": config.label_set,
            "model_type": config.model_type,
            "train_rows": len(dataset.train),
            "validation_rows": len(dataset.validation),
            "labels": len(dataset.labels),
        },
    )
    run = Run(experiment=experiment, params=config.to_dict())
    work_dir = work_dir_for(settings, config, config.label_set)
    trained = fit_model(
        config,
        dataset,
        work_dir,
        settings.ml.base_model,
        resume=resume,
        show_progress=show_progress,
        cache_root=cache_root_for(settings),
    )
    validation_proba = trained.validation_proba
    if validation_proba is None:
        validation_proba = trained.classifier.predict_proba(dataset.validation.texts)
    validation = evaluation_from_proba(
        validation_proba,
        dataset.labels,
        dataset.validation.labels,
        "validation",
    )
    version = new_version(config.label_set, config.model_type)
    meta = ModelMeta(
        version, config.label_set, config.model_type, dataset.labels, config.quantize_inference
    )
    card = build_card(meta, config, dataset, trained, validation.metrics)
    directory = save_version(settings, trained.classifier, meta, card, render_markdown(card))
    record_model(
        conn,
        meta,
        trained.base_model,
        directory,
        len(dataset.train),
        validation.metrics["accuracy"],
        card,
    )
    write_evaluation(conn, version, config.label_set, validation)
    if make_active:
        activate(settings, version, conn)
    record_run(
        conn,
        run,
        "finished",
        validation.metrics,
        trained.seconds,
        model_version=version,
        artefact_path=str(directory),
    )
    # Checkpoints only serve a resume; the registered version is the durable artefact.
    shutil.rmtree(work_dir, ignore_errors=True)
    log.info(
        "registered",
        extra={
            "model_version": version,
            "val_accuracy": round(validation.metrics["accuracy"], 4),
            "seconds": round(trained.seconds, 1),
        },
    )
    return TrainResult(version, directory, validation.metrics, trained.seconds, card)
