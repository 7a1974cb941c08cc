"""Hyperparameter search with Optuna: TPE sampling, median pruning on per-epoch validation
accuracy, every trial (finished, pruned or failed) recorded in `ml_runs`."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from datetime import UTC, datetime
from typing import Any

import duckdb
import optuna

from supportlens.config import Settings
from supportlens.ml.config import TrainConfig
from supportlens.ml.data import load_dataset
from supportlens.ml.evaluation import evaluation_from_proba
from supportlens.ml.runs import Run, record_run
from supportlens.ml.training import WORK_DIR, fit_model
from supportlens.ml.transformer import EpochResult

log = logging.getLogger(__name__)

TRIALS_DIR = "_trials"


def suggest(trial: optuna.Trial, config: TrainConfig) -> dict[str, Any]:
    """The main knobs of each model type, on ranges that make sense for short texts."""
    params: dict[str, Any] = {}
    if config.model_type in ("tfidf_linear", "cascade"):
        params["c"] = trial.suggest_float("c", 0.05, 10.0, log=True)
        params["word_ngram_max"] = trial.suggest_int("word_ngram_max", 1, 3)
        params["char_ngram_max"] = trial.suggest_int("char_ngram_max", 4, 6)
    if config.model_type == "tfidf_linear":
        params["classifier"] = trial.suggest_categorical("classifier", ["linear_svc", "logistic"])
    if config.model_type in ("transformer", "cascade"):
        params["learning_rate"] = trial.suggest_float("learning_rate", 2e-5, 3e-4, log=True)
        params["batch_size"] = trial.suggest_categorical("batch_size", [16, 32, 64])
        params["weight_decay"] = trial.suggest_float("weight_decay", 0.0, 0.1)
        params["warmup_ratio"] = trial.suggest_float("warmup_ratio", 0.0, 0.2)
    if config.model_type == "cascade":
        params["cascade_threshold"] = trial.suggest_float("cascade_threshold", 0.5, 0.99)
    return params


def tune(
    settings: Settings,
    conn: duckdb.DuckDBPyConnection,
    config: TrainConfig,
    n_trials: int,
    timeout_s: float | None = None,
) -> optuna.Study:
    if n_trials < 1:
        raise ValueError("--trials must be >= 1")
    dataset = load_dataset(conn, config.label_set, config.validation_fraction, config.seed)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    experiment = f"tune-{config.label_set}-{config.model_type}-{stamp}"
    study = optuna.create_study(
        study_name=experiment,
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=config.seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0),
    )

    def objective(trial: optuna.Trial) -> float:
        params = suggest(trial, config)
        trial_config = dataclasses.replace(config, **params)
        run = Run(experiment=experiment, params={"trial": trial.number, **trial_config.to_dict()})
        work_dir = settings.paths.registry_dir / WORK_DIR / f"trial-{run.run_id}"
        artefact = settings.paths.registry_dir / TRIALS_DIR / run.run_id
        started = time.perf_counter()
        history: list[dict[str, float]] = []

        def report(result: EpochResult) -> None:
            history.append({"epoch": result.epoch, "val_accuracy": result.val_accuracy})
            trial.report(result.val_accuracy, step=result.epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"epoch {result.epoch}: below the median trial")

        try:
            trained = fit_model(
                trial_config,
                dataset,
                work_dir,
                settings.ml.base_model,
                on_epoch_end=report,
                resume=False,
                show_progress=False,
            )
            metrics = evaluation_from_proba(
                trained.classifier.predict_proba(dataset.validation.texts),
                dataset.labels,
                dataset.validation.labels,
                "validation",
            ).metrics
            trained.classifier.save(artefact)
        except optuna.TrialPruned:
            record_run(conn, run, "pruned", {"history": history}, time.perf_counter() - started)
            raise
        except Exception as exc:
            record_run(conn, run, "failed", {"error": str(exc)}, time.perf_counter() - started)
            raise
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        record_run(
            conn,
            run,
            "finished",
            {**metrics, "history": history},
            time.perf_counter() - started,
            artefact_path=str(artefact),
        )
        log.info(
            "trial done",
            extra={"trial": trial.number, "val_accuracy": round(metrics["accuracy"], 4), **params},
        )
        return metrics["accuracy"]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study.optimize(objective, n_trials=n_trials, timeout=timeout_s, catch=(RuntimeError,))
    return study
