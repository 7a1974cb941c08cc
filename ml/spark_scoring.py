"""Bulk scoring on Apache Spark: a registered model scores a Parquet dataset.

The same registry artefact as the local scorer (ml/prediction.py) is loaded through
`supportlens.ml.registry.load_version` inside each Python worker, so whatever the Predictor applies
(preprocessing recorded with the model, the classifier) applies here too. Rows reach the
model through `mapInPandas` in Arrow batches; the output has the `ml_predictions` schema
(docs/contracts.md) and is written as Parquet, one folder per run.

Inputs: a Parquet file or folder with an id column and a text column; when it has a
`label_set` column (as `ml_scoring_inputs` has), each label set's rows are scored by that
label set's model, otherwise every row by the one model given. Empty texts are skipped,
as `supportlens predict` skips them in the warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from supportlens.config import Settings
from supportlens.ml.prediction import InputFileError
from supportlens.ml.registry import ModelMeta, load_version, predictions_from_proba

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)

#: ml_predictions, as Spark DDL (the DuckDB table: macros/create_ml_tables.sql).
PREDICTIONS_SCHEMA = (
    "turn_id string, model_version string, label_set string, label string, "
    "confidence double, top_labels array<string>, top_scores array<double>, "
    "predicted_at timestamp"
)
#: What each worker returns; predicted_at is one driver-side value for the whole run.
_WORKER_SCHEMA = (
    "turn_id string, model_version string, label_set string, label string, "
    "confidence double, top_labels array<string>, top_scores array<double>"
)


class SparkScoringInputError(InputFileError):
    """A bad input dataset or argument, or Spark cannot start (reported like InputFileError)."""


@dataclass(frozen=True)
class SparkScoreSummary:
    rows: int
    skipped_empty: int
    model_versions: dict[str, str]


def _score_batches(
    settings: Settings, versions: dict[str, str], id_column: str, text_column: str, top_k: int
):  # type: ignore[no-untyped-def]
    """The mapInPandas function: runs in each Python worker, one model load per worker."""

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            for label_set, rows in batch.groupby("__label_set", sort=False):
                predictor = load_version(settings, versions[str(label_set)])
                predictions = predictions_from_proba(
                    predictor.predict_proba(rows[text_column].tolist()), predictor.labels, top_k
                )
                yield pd.DataFrame(
                    {
                        "turn_id": rows[id_column].astype(str).to_numpy(),
                        "model_version": predictor.model_version,
                        "label_set": predictor.label_set,
                        "label": [p.label for p in predictions],
                        "confidence": [p.confidence for p in predictions],
                        "top_labels": [p.top_labels for p in predictions],
                        "top_scores": [p.top_scores for p in predictions],
                    }
                )

    return score


def score_dataframe(
    frame: DataFrame,
    settings: Settings,
    versions: dict[str, str],
    id_column: str = "turn_id",
    text_column: str = "text",
    top_k: int = 3,
    predicted_at: datetime | None = None,
) -> DataFrame:
    """ml_predictions rows for `frame` (lazy: nothing runs until the result is written).

    `versions` maps label set -> model version. With a `label_set` column each row goes to
    its label set's model (rows of other label sets are left out); without one, `versions`
    must hold exactly one entry and every row is scored by it.
    """
    from pyspark.sql import functions as F

    for column in (id_column, text_column):
        if column not in frame.columns:
            raise SparkScoringInputError(
                f"input has no column {column!r} (columns: {', '.join(frame.columns)})"
            )
    if "label_set" in frame.columns:
        routed = frame.where(F.col("label_set").isin(list(versions))).withColumn(
            "__label_set", F.col("label_set")
        )
    elif len(versions) == 1:
        routed = frame.withColumn("__label_set", F.lit(next(iter(versions))))
    else:
        raise SparkScoringInputError(
            "input has no label_set column: choose one model (--model-version or --label-set)"
        )
    nonblank = routed.where(
        F.col(text_column).isNotNull() & (F.trim(F.col(text_column)) != F.lit(""))
    ).select(id_column, text_column, "__label_set")
    scored = nonblank.mapInPandas(
        _score_batches(settings, versions, id_column, text_column, top_k), _WORKER_SCHEMA
    )
    stamp = predicted_at or datetime.now(UTC)
    return scored.withColumn("predicted_at", F.lit(stamp).cast("timestamp"))


def score_parquet(
    spark: SparkSession,
    settings: Settings,
    versions: dict[str, str],
    input_path: Path | str,
    output_path: Path | str,
    id_column: str = "turn_id",
    text_column: str = "text",
    top_k: int = 3,
) -> SparkScoreSummary:
    """Score a Parquet dataset and write ml_predictions rows as Parquet (overwriting)."""
    from pyspark.sql import functions as F

    frame = spark.read.parquet(str(input_path))
    total = frame.count()
    predictions = score_dataframe(frame, settings, versions, id_column, text_column, top_k)
    predictions.write.mode("overwrite").parquet(str(output_path))
    written = spark.read.parquet(str(output_path))
    rows = written.count()
    blank = frame.where(
        F.col(text_column).isNull() | (F.trim(F.col(text_column)) == F.lit(""))
    ).count()
    log.info(
        "spark scoring done",
        extra={"input": str(input_path), "output": str(output_path), "rows": rows},
    )
    return SparkScoreSummary(
        rows=rows, skipped_empty=int(blank if total else 0), model_versions=dict(versions)
    )


def predict_command(args: Any, settings: Settings) -> int:
    """`supportlens predict --engine spark`: the CLI side of score_parquet."""
    from supportlens.ml.registry import active_label_sets, active_version, require_version
    from supportlens.spark.session import SparkUnavailableError, get_session, spark_dir

    input_path = args.input or spark_dir() / "warehouse" / "supportlens.db" / "ml_scoring_inputs"
    if args.output is None:
        raise SparkScoringInputError("--engine spark needs --output FOLDER (Parquet dataset)")
    if not Path(input_path).exists():
        raise SparkScoringInputError(
            f"{input_path}: no such Parquet dataset (build the Spark target first, or --input)"
        )
    if args.model_version:
        meta = ModelMeta.read(require_version(settings, args.model_version))
        versions = {meta.label_set: args.model_version}
    else:
        label_sets = [args.label_set] if args.label_set else active_label_sets(settings)
        versions = {s: active_version(settings, s) for s in label_sets}
    if not versions:
        raise SparkScoringInputError(
            f"no active model in {settings.paths.registry_dir}; run `supportlens train`"
        )
    try:
        spark = get_session("supportlens-predict")
    except SparkUnavailableError as exc:
        raise SparkScoringInputError(str(exc)) from exc
    summary = score_parquet(
        spark,
        settings,
        versions,
        input_path,
        args.output,
        id_column=args.id_column,
        text_column=args.text_column,
        top_k=args.top_k,
    )
    print(
        f"spark: scored {summary.rows} rows of {input_path} with "
        f"{', '.join(summary.model_versions.values())} -> {args.output} (ml_predictions schema;"
        f" {summary.skipped_empty} empty texts skipped)"
    )
    return 0
