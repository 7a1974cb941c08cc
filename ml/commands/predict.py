"""`supportlens predict`: score the warehouse's ml_scoring_inputs, or any CSV/Parquet file."""

from __future__ import annotations

import argparse
from pathlib import Path

from supportlens.config import Settings
from supportlens.ml.commands._common import fail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model-version", help="version to use (default: the active one)")
    parser.add_argument(
        "--label-set", help="label set whose active model scores (default: every active one)"
    )
    parser.add_argument("--input", type=Path, help="CSV or Parquet file to score")
    parser.add_argument("--text-column", default="text", help="column holding the texts")
    parser.add_argument("--output", type=Path, help="output .parquet or .csv (with --input)")
    parser.add_argument("--chunk-rows", type=int, default=20_000, help="rows held in memory")
    parser.add_argument("--top-k", type=int, default=3, help="labels kept per text")
    parser.add_argument(
        "--skip-empty", action="store_true", help="leave empty texts unscored instead of failing"
    )
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="spark: score a Parquet dataset (--input, default the Spark build's "
        "ml_scoring_inputs) with mapInPandas into ml_predictions Parquet (--output)",
    )
    parser.add_argument("--id-column", default="turn_id", help="id column (--engine spark)")


def _score_file(args: argparse.Namespace, settings: Settings) -> int:
    from supportlens.ml.prediction import score_file
    from supportlens.ml.registry import load_active, load_version

    if args.output is None:
        return fail("predict", "--input needs --output FILE.parquet|FILE.csv")
    label_set = args.label_set or settings.ml.label_set
    predictor = (
        load_version(settings, args.model_version)
        if args.model_version
        else load_active(settings, label_set)
    )
    summary = score_file(
        predictor,
        args.input,
        args.text_column,
        args.output,
        chunk_rows=args.chunk_rows,
        top_k=args.top_k,
        skip_empty=args.skip_empty,
    )
    print(
        f"scored {summary.rows} rows of {args.input} with {predictor.model_version} "
        f"-> {args.output}"
        + (f" ({summary.skipped_empty} empty left unscored)" * bool(summary.skipped_empty))
    )
    return 0


def _score_warehouse(args: argparse.Namespace, settings: Settings) -> int:
    from supportlens.ml.prediction import score_warehouse
    from supportlens.ml.registry import (
        NoActiveModelError,
        active_label_sets,
        load_active,
        load_version,
    )
    from supportlens.warehouse import writer

    if args.model_version:
        predictors = [load_version(settings, args.model_version)]
    else:
        label_sets = [args.label_set] if args.label_set else active_label_sets(settings)
        if not label_sets:
            raise NoActiveModelError(
                f"no active model in {settings.paths.registry_dir}; run `supportlens train`"
            )
        predictors = [load_active(settings, s) for s in label_sets]
    with writer(settings) as conn:
        for predictor in predictors:
            summary = score_warehouse(conn, predictor, args.chunk_rows, args.top_k)
            print(
                f"{predictor.label_set}: scored {summary.rows} ml_scoring_inputs rows with "
                f"{predictor.model_version} -> ml_predictions"
                f" ({summary.skipped_empty} empty texts skipped)"
            )
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    from supportlens.ml.prediction import InputFileError
    from supportlens.ml.registry import EmptyTextError, NoActiveModelError, UnknownModelVersionError

    if args.chunk_rows < 1 or args.top_k < 1:
        return fail("predict", "--chunk-rows and --top-k must be >= 1")
    try:
        if args.engine == "spark":
            from supportlens.ml.spark_scoring import predict_command

            return predict_command(args, settings)
        if args.input is not None:
            return _score_file(args, settings)
        return _score_warehouse(args, settings)
    except (InputFileError, NoActiveModelError, UnknownModelVersionError, EmptyTextError) as exc:
        return fail("predict", exc)
