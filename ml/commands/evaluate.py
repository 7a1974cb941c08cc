"""`supportlens evaluate`: metrics of a model version into the ml_* metric tables."""

from __future__ import annotations

import argparse
import json

from supportlens.config import Settings
from supportlens.ml.commands._common import fail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model-version", help="version to evaluate (default: every active one)")
    parser.add_argument("--label-set", help="only the active model of this label set")
    parser.add_argument(
        "--split",
        choices=("validation", "test", "all"),
        default="all",
        help="labelled split to evaluate on (all: validation and, when present, test)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from supportlens.ml.data import TrainingDataError, load_dataset
    from supportlens.ml.evaluation import evaluate, write_evaluation
    from supportlens.ml.registry import (
        NoActiveModelError,
        UnknownModelVersionError,
        active_label_sets,
        active_version,
        load_version,
        require_version,
    )
    from supportlens.warehouse import writer

    try:
        if args.model_version:
            versions = [args.model_version]
        elif args.label_set:
            versions = [active_version(settings, args.label_set)]
        else:
            versions = [active_version(settings, s) for s in active_label_sets(settings)]
            if not versions:
                raise NoActiveModelError(
                    f"no active model in {settings.paths.registry_dir}; run `supportlens train`"
                )
        with writer(settings) as conn:
            for version in versions:
                card = json.loads(
                    (require_version(settings, version) / "model_card.json").read_text()
                )
                predictor = load_version(settings, version)
                # The same seed and fraction as training, so a carved validation split is
                # the one the model was selected on.
                dataset = load_dataset(
                    conn,
                    predictor.label_set,
                    card["config"]["validation_fraction"],
                    card["config"]["seed"],
                )
                splits = {"validation": dataset.validation, "test": dataset.test}
                wanted = ("validation", "test") if args.split == "all" else (args.split,)
                for name in wanted:
                    split = splits[name]
                    if split is None:
                        if args.split != "all":
                            raise TrainingDataError(f"label set has no {name!r} rows")
                        continue
                    result = evaluate(predictor, split, name)
                    write_evaluation(conn, version, predictor.label_set, result)
                    m = result.metrics
                    print(
                        f"{version} [{name}, {len(split)} rows] accuracy {m['accuracy']:.4f} "
                        f"macro-F1 {m['macro_f1']:.4f} precision {m['macro_precision']:.4f} "
                        f"recall {m['macro_recall']:.4f} ECE {m['ece']:.4f}"
                    )
    except (NoActiveModelError, UnknownModelVersionError, TrainingDataError) as exc:
        return fail("evaluate", exc)
    return 0
