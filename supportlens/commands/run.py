"""`supportlens run`: the whole pipeline on the configured paths, end to end.

By default it starts by generating sample data; `--no-generate` (raw_dir as it is) or
`--raw DIR` run it on the user's own raw files instead.

raw files → Parquet → GX (landing) → dbt build → train → evaluate → predict →
discover →
dbt build of the models that read predictions → GX (marts) → publish → report → alerts.
Each stage is the same subcommand a user can run alone; the first failing stage stops
the run with its name and exit code. Each stage is recorded in the run history
(supportlens/ops/runs.py) with its timing, CPU and memory.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from supportlens.config import Settings
from supportlens.ops import runs

log = logging.getLogger(__name__)

#: Label sets trained by the main job; each must exist in ml_training_examples.
DEFAULT_LABEL_SETS = ("banking77", "bitext")


@dataclass(frozen=True)
class Stage:
    name: str
    argv: list[str]
    #: Exit codes that mean "nothing to do" rather than failure.
    ok_codes: frozenset[int] = frozenset({0})


def plan(args: argparse.Namespace) -> list[Stage]:
    if args.raw is not None:  # the user's own raw files: nothing is generated
        stages = [Stage("land", ["land", "--raw-dir", str(args.raw)])]
    elif args.no_generate:
        stages = [Stage("land", ["land"])]
    else:
        stages = [
            Stage("generate", ["generate", "--seed", str(args.seed), "--scale", args.scale]),
            Stage("land", ["land"]),
        ]
    if not args.skip_quality:
        stages.append(Stage("quality (landing)", ["quality", "--stage", "landing"]))
    stages.append(Stage("dbt build", ["build"]))
    for label_set in args.label_sets:
        stages.append(
            Stage(
                f"train {label_set}",
                ["train", "--config", args.train_config, "--label-set", label_set],
            )
        )
    stages += [
        Stage("evaluate", ["evaluate"]),
        Stage("predict", ["predict"]),
        # Nothing to cluster exits 0 (not a failure); exit 2 is a real error and stops.
        Stage("discover", ["discover", "--label-set", "banking77"]),
        # Models that read ml_predictions are rebuilt now that predictions exist; the run
        # history copies (tag:ops) too, so the published snapshot carries them.
        Stage(
            "dbt build (prediction consumers)",
            ["build", "--select", "tag:uses_predictions+", "tag:ops"],
        ),
    ]
    if not args.skip_quality:
        stages.append(Stage("quality (marts)", ["quality", "--stage", "marts"]))
    stages.append(Stage("publish", ["publish"]))
    # Retention of supportlens.toml [ops]: old snapshots, archived loads, run history.
    stages.append(Stage("retention", ["backup", "--prune-only"]))
    if not args.skip_report:
        stages.append(Stage("report", ["report"]))
    # Last: evaluate the alert rules on the finished run and notify the configured channels.
    stages.append(Stage("alerts", ["alerts", "--deliver"]))
    return stages


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=None, help="generator seed (config default)")
    parser.add_argument("--scale", default=None, help="generator scale (config default)")
    parser.add_argument(
        "--train-config", default="ml/configs/baseline.yaml", help="training config for the job"
    )
    parser.add_argument(
        "--label-set",
        dest="label_sets",
        action="append",
        default=None,
        help="label set to train (repeatable; default: banking77 and bitext)",
    )
    parser.add_argument(
        "--no-generate",
        action="store_true",
        help="run on the raw files already in paths.raw_dir (your data) instead of sample data",
    )
    parser.add_argument(
        "--raw",
        type=Path,
        metavar="DIR",
        help="run on the raw files in DIR (your data; implies --no-generate)",
    )
    parser.add_argument("--skip-quality", action="store_true", help="skip the GX checkpoints")
    parser.add_argument("--skip-report", action="store_true", help="skip the Evidence build")


def _default_label_sets(args: argparse.Namespace, settings: Settings) -> list[str]:
    """Generated data has every label set; the user's own raw files train the ones present."""
    if args.raw is None and not args.no_generate:
        return list(DEFAULT_LABEL_SETS)
    raw_dir = args.raw or settings.paths.raw_dir
    return [name for name in DEFAULT_LABEL_SETS if (raw_dir / name).is_dir()]


Timings = list[tuple[str, float]]


def _execute(stages: list[Stage], call: Callable[[list[str]], int]) -> tuple[int, Timings]:
    timings: Timings = []
    for stage in stages:
        log.info("stage start", extra={"stage": stage.name})
        started = time.perf_counter()
        with runs.stage(stage.name) as recorded:
            code = call(stage.argv)
            recorded.exit_code, recorded.ok = code, code in stage.ok_codes
        elapsed = time.perf_counter() - started
        timings.append((stage.name, elapsed))
        if code not in stage.ok_codes:
            print(f"supportlens run: stage '{stage.name}' failed (exit {code}); stopped.")
            return code, timings
    return 0, timings


def run(args: argparse.Namespace, settings: Settings) -> int:
    # The CLI passes its dispatcher (`supportlens.cli.main`) in `args.dispatch`: each
    # stage runs as the same subcommand a user would type, without importing the CLI back.
    dispatch: Callable[[list[str]], int] = args.dispatch
    args.seed = settings.generate.seed if args.seed is None else args.seed
    args.scale = settings.generate.scale if args.scale is None else args.scale
    args.label_sets = args.label_sets or _default_label_sets(args, settings)
    code, timings = _execute(plan(args), dispatch)
    total = sum(t for _, t in timings)
    print("\nstage timings")
    for name, seconds in timings:
        print(f"  {name:<36} {seconds:7.1f} s")
    print(f"  {'total':<36} {total:7.1f} s")
    if code == 0:
        _print_products(settings, args)
    return code


def _print_products(settings: Settings, args: argparse.Namespace) -> None:
    paths = settings.paths
    print("\nSupportLens is ready.")
    print(f"  working warehouse   {paths.warehouse}")
    print(f"  published snapshot  {paths.published}   (read-only; query: supportlens sql)")
    print(f"  landed Parquet      {paths.landing_dir}")
    print(f"  model registry      {paths.registry_dir}")
    if not args.skip_quality:
        print(f"  data docs           {paths.gx_docs_dir / 'index.html'}")
    if not args.skip_report:
        print(f"  report site         {paths.reports_build_dir}   (supportlens report --serve)")
    print("  API                 supportlens serve   (then http://127.0.0.1:8000/schema)")
    if paths.ops_db is not None:
        print(f"  run history         {paths.ops_db}   (supportlens runs, supportlens alerts)")
