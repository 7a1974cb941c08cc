"""The `supportlens` command line: one entry point whose subcommands follow the project map.

Each subcommand lives in its own module exposing `add_arguments(parser)` and
`run(args, settings) -> int`; modules are imported only when their command runs, so
`supportlens --help` stays fast and a broken optional stage cannot break the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from supportlens import __version__
from supportlens.config import ConfigError, load_settings
from supportlens.logs import configure_logging


class Command(NamedTuple):
    name: str
    module: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command(
        "generate",
        "supportlens.ingest.commands.generate",
        "write seeded sample data (five formats)",
    ),
    Command(
        "download", "supportlens.ingest.commands.download", "fetch a real public dataset into raw/"
    ),
    Command("land", "supportlens.ingest.commands.land", "land raw files as typed Parquet"),
    Command("build", "supportlens.commands.build", "run `dbt build` on the working warehouse"),
    Command("quality", "supportlens.quality.command", "run Great Expectations checkpoints"),
    Command(
        "train",
        "supportlens.ml.commands.train",
        "train an intent classifier from ml_training_examples",
    ),
    Command(
        "evaluate",
        "supportlens.ml.commands.evaluate",
        "evaluate a model version into ml_* metric tables",
    ),
    Command(
        "predict",
        "supportlens.ml.commands.predict",
        "score a warehouse table or a CSV/Parquet file",
    ),
    Command(
        "tune",
        "supportlens.ml.commands.tune",
        "hyperparameter search with Optuna, trials in ml_runs",
    ),
    Command(
        "discover",
        "supportlens.ml.commands.discover",
        "cluster low-confidence texts into new intents",
    ),
    Command("publish", "supportlens.commands.publish", "publish the read-only warehouse snapshot"),
    Command(
        "sql",
        "supportlens.python_udfs.shell",
        "DuckDB shell on the snapshot with SupportLens functions",
    ),
    Command("serve", "supportlens.api.serve", "start the Litestar API with uvicorn"),
    Command("report", "supportlens.commands.report", "build (or serve) the Evidence report site"),
    Command("run", "supportlens.commands.run", "the whole pipeline, end to end"),
    Command("runs", "supportlens.commands.runs", "list recorded runs and their stages"),
    Command("alerts", "supportlens.commands.alerts", "evaluate alert rules; --deliver notifies"),
    Command("backup", "supportlens.commands.backup", "verified backup of snapshot, models, config"),
    Command("restore", "supportlens.commands.restore", "restore a backup made by `backup`"),
)

#: Commands that change data: each is recorded in the run history (supportlens/ops/runs.py).
RECORDED_COMMANDS = frozenset(
    {"generate", "download", "land", "build", "quality", "train", "evaluate", "predict", "tune",
     "discover", "publish", "report", "run", "alerts", "backup", "restore"}
)  # fmt: skip


def _base_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportlens",
        description="SupportLens: customer-support conversations from raw files to "
        "warehouse, models, API and reports.",
    )
    parser.add_argument("--version", action="version", version=f"supportlens {__version__}")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    noise.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    return parser


def build_parser(selected: str | None) -> argparse.ArgumentParser:
    parser = _base_parser()
    # Commands that run other commands (`run`) get the dispatcher here instead of
    # importing this module back (no import cycle).
    parser.set_defaults(dispatch=main)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for command in COMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        if command.name == selected:
            # A command without options (e.g. publish) defines no add_arguments.
            add_arguments = getattr(importlib.import_module(command.module), "add_arguments", None)
            if add_arguments is not None:
                add_arguments(child)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = {c.name for c in COMMANDS}
    selected = next((a for a in argv if a in names), None)
    parser = build_parser(selected)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    configure_logging(-1 if args.quiet else args.verbose)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"supportlens: configuration error: {exc}", file=sys.stderr)
        return 2
    module = importlib.import_module(next(c.module for c in COMMANDS if c.name == args.command))
    try:
        if args.command not in RECORDED_COMMANDS:
            return int(module.run(args, settings) or 0)
        from supportlens.ops.runs import recorded

        target = getattr(args, "target_path", None)
        with recorded(settings, args.command, argv, Path(target) if target else None) as outcome:
            outcome.exit_code = int(module.run(args, settings) or 0)
        return outcome.exit_code
    except KeyboardInterrupt:
        print("supportlens: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
