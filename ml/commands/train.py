"""`supportlens train`: train a classifier from ml_training_examples and register it."""

from __future__ import annotations

import argparse

from supportlens.config import Settings
from supportlens.ml.commands._common import fail, resolve_config_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", default="ml/configs/baseline.yaml", help="training YAML (ml/configs/*.yaml)"
    )
    parser.add_argument("--label-set", help="label set to train (default: the config's)")
    parser.add_argument(
        "--no-activate", action="store_true", help="register without making it the active model"
    )
    parser.add_argument(
        "--no-resume", action="store_true", help="ignore checkpoints of an interrupted run"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from supportlens.ml.config import ConfigValidationError, load_config
    from supportlens.ml.data import TrainingDataError
    from supportlens.ml.training import train_and_register
    from supportlens.warehouse import writer

    try:
        config = load_config(
            resolve_config_path(args.config, settings), {"label_set": args.label_set}
        )
        with writer(settings) as conn:
            result = train_and_register(
                settings, conn, config, make_active=not args.no_activate, resume=not args.no_resume
            )
    except (ConfigValidationError, TrainingDataError) as exc:
        return fail("train", exc)
    metrics = result.validation_metrics
    print(
        f"registered {result.model_version} ({config.model_type}, label set {config.label_set}) "
        f"in {result.training_seconds:.1f} s: validation accuracy {metrics['accuracy']:.4f}, "
        f"macro-F1 {metrics['macro_f1']:.4f}, ECE {metrics['ece']:.4f}"
    )
    print(f"  files: {result.directory}")
    return 0
