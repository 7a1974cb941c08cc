"""`supportlens tune`: Optuna search over a config's main knobs; trials land in ml_runs."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from supportlens.config import Settings
from supportlens.ml.commands._common import fail, resolve_config_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="starting training YAML")
    parser.add_argument("--trials", type=int, default=10, help="number of trials")
    parser.add_argument("--label-set", help="label set (default: the config's)")
    parser.add_argument("--timeout", type=float, help="stop starting trials after N seconds")
    parser.add_argument("--output-config", type=Path, help="write the best config here (YAML)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    import dataclasses

    from supportlens.ml.config import ConfigValidationError, load_config
    from supportlens.ml.data import TrainingDataError
    from supportlens.ml.tuning import tune
    from supportlens.warehouse import writer

    if args.trials < 1:
        return fail("tune", "--trials must be >= 1")
    try:
        config = load_config(
            resolve_config_path(args.config, settings), {"label_set": args.label_set}
        )
        with writer(settings) as conn:
            study = tune(settings, conn, config, args.trials, args.timeout)
    except (ConfigValidationError, TrainingDataError) as exc:
        return fail("tune", exc)
    finished = [t for t in study.trials if t.value is not None]
    if not finished:
        return fail("tune", "no trial finished (all pruned or failed); see ml_runs")
    best = study.best_trial
    print(
        f"{study.study_name}: {len(study.trials)} trials, best validation accuracy "
        f"{best.value:.4f} (trial {best.number}) with {best.params}"
    )
    if args.output_config:
        best_config = dataclasses.replace(config, **best.params).to_dict()
        args.output_config.write_text(yaml.safe_dump(best_config, sort_keys=True))
        print(f"best config written to {args.output_config}")
    return 0
