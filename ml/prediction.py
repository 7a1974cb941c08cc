"""Batch scoring in bounded memory: the warehouse's `ml_scoring_inputs` or any CSV/Parquet.

Rows stream through in chunks (`chunk_rows` at a time); inside a chunk the transformer
sorts texts by length so each batch carries little padding. Memory therefore depends on
the chunk size, not on the input size.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from supportlens.ml.data import SCORING_TABLE
from supportlens.ml.preprocessing import WAREHOUSE_TEXT
from supportlens.ml.registry import Predictor, predictions_from_proba
from supportlens.ml.tables import ensure_tables
from supportlens.text import is_blank

log = logging.getLogger(__name__)

DEFAULT_CHUNK_ROWS = 20_000
PREDICTION_COLUMNS = ("predicted_label", "confidence", "top_labels", "top_scores", "model_version")
SUPPORTED_SUFFIXES = (".csv", ".parquet")


class InputFileError(ValueError):
    """The file to score is missing, of an unknown type, or lacks the text column."""


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    skipped_empty: int


def _is_blank(series: pd.Series) -> pd.Series:
    """Rows with nothing to classify once normalised (empty, whitespace or NUL only)."""
    return series.isna() | series.astype(str).map(is_blank).astype(bool)


def _prediction_frame(
    predictor: Predictor, texts: list[str], top_k: int, already: str | None = None
) -> pd.DataFrame:
    """Predictions for raw `texts` (the predictor preprocesses them) or, with `already`,
    for texts that had that preprocessing."""
    probabilities = predictor.predict_proba(texts, already=already)
    predictions = predictions_from_proba(probabilities, predictor.labels, top_k)
    return pd.DataFrame(
        {
            "predicted_label": [p.label for p in predictions],
            "confidence": [p.confidence for p in predictions],
            "top_labels": [p.top_labels for p in predictions],
            "top_scores": [p.top_scores for p in predictions],
            "model_version": predictor.model_version,
        }
    )


# --- warehouse -------------------------------------------------------------------------


def score_warehouse(
    conn: duckdb.DuckDBPyConnection,
    predictor: Predictor,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    top_k: int = 3,
) -> ScoreSummary:
    """Replace the label set's rows in `ml_predictions` with fresh scores of its inputs.

    `ml_scoring_inputs.text` is dbt's `text_normalized`, already the model's
    preprocessing when the model was trained on the warehouse (`WAREHOUSE_TEXT`).
    """
    ensure_tables(conn)
    label_set = predictor.label_set
    try:
        total, blank = conn.execute(
            f"select count(*), count(*) filter (where text is null or trim(text) = '') "
            f"from {SCORING_TABLE} where label_set = ?",
            [label_set],
        ).fetchone()
    except duckdb.CatalogException as exc:
        raise InputFileError(
            f"table {SCORING_TABLE} not found in the warehouse; run `supportlens build` first"
        ) from exc
    if blank:
        log.warning(
            "skipping inputs with empty text",
            extra={"table": SCORING_TABLE, "label_set": label_set, "rows": blank},
        )
    conn.execute("delete from ml_predictions where label_set = ?", [label_set])
    predicted_at = datetime.now(UTC)
    # A cursor is a second connection to the same database: it streams the inputs while
    # the main connection inserts, so neither side holds the whole table in memory.
    source = conn.cursor()
    batches = source.execute(
        f"select turn_id, text from {SCORING_TABLE} where label_set = ? "
        "and text is not null and trim(text) <> '' order by turn_id",
        [label_set],
    ).to_arrow_reader(chunk_rows)
    scored = 0
    with tqdm(total=total - blank, desc=f"scoring {label_set}", unit="text") as progress:
        for batch in batches:
            frame = batch.to_pandas()
            texts = frame["text"].tolist()
            predictions = _prediction_frame(predictor, texts, top_k, already=WAREHOUSE_TEXT)
            predictions.insert(0, "turn_id", frame["turn_id"].astype(str))
            chunk = pa.Table.from_pandas(predictions, preserve_index=False)
            conn.register("prediction_chunk", chunk)
            conn.execute(
                "insert into ml_predictions (turn_id, model_version, label_set, label, "
                "confidence, top_labels, top_scores, predicted_at) "
                "select turn_id, model_version, ?, predicted_label, confidence, "
                "top_labels, top_scores, ? from prediction_chunk",
                [label_set, predicted_at],
            )
            conn.unregister("prediction_chunk")
            scored += len(frame)
            progress.update(len(frame))
    source.close()
    return ScoreSummary(rows=scored, skipped_empty=int(blank))


# --- files -----------------------------------------------------------------------------


def _check_suffix(path: Path, role: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(f"{path}: {role} must be .csv or .parquet, got {suffix or 'none'!r}")
    return suffix


def _columns(path: Path, suffix: str) -> list[str]:
    if suffix == ".csv":
        return list(pd.read_csv(path, nrows=0).columns)
    return list(pq.ParquetFile(path).schema_arrow.names)


def _read_chunks(path: Path, suffix: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    if suffix == ".csv":
        # Everything as text: a column that looks numeric in one chunk and not in the next
        # would otherwise change type mid-file.
        yield from pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunk_rows)
        return
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
        yield batch.to_pandas()


class _ChunkWriter:
    def __init__(self, path: Path, suffix: str) -> None:
        self.path = path
        self.suffix = suffix
        self.parquet: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None
        self.wrote_header = False

    def write(self, frame: pd.DataFrame) -> None:
        if self.suffix == ".csv":
            out = frame.copy()
            for column in ("top_labels", "top_scores"):
                out[column] = out[column].map(json.dumps)
            out.to_csv(
                self.path,
                mode="a" if self.wrote_header else "w",
                index=False,
                header=not self.wrote_header,
            )
            self.wrote_header = True
            return
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        if self.parquet is None:
            self.schema = table.schema
            self.parquet = pq.ParquetWriter(self.path, self.schema)
        self.parquet.write_table(table)

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()


def score_file(
    predictor: Predictor,
    input_path: Path,
    text_column: str,
    output_path: Path,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    top_k: int = 3,
    skip_empty: bool = False,
) -> ScoreSummary:
    """Input columns plus predicted_label, confidence, top_labels, top_scores, model_version.

    The text column is read as written (raw): the predictor applies the model's own
    preprocessing, as for every other caller.
    """
    if not input_path.is_file():
        raise InputFileError(f"{input_path}: input file not found")
    in_suffix = _check_suffix(input_path, "--input")
    out_suffix = _check_suffix(output_path, "--output")
    columns = _columns(input_path, in_suffix)
    if text_column not in columns:
        raise InputFileError(
            f"{input_path}: no column {text_column!r} (--text-column); columns are {columns}"
        )
    clashes = sorted(set(columns) & set(PREDICTION_COLUMNS))
    if clashes:
        raise InputFileError(f"{input_path}: columns {clashes} would be overwritten by predictions")
    output_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_output = output_path.with_name(f".{output_path.name}.partial")
    writer = _ChunkWriter(tmp_output, out_suffix)
    rows = skipped = 0
    try:
        with tqdm(desc=f"scoring {input_path.name}", unit="text") as progress:
            for frame in _read_chunks(input_path, in_suffix, chunk_rows):
                frame = frame.reset_index(drop=True)
                blank = _is_blank(frame[text_column])
                if blank.any() and not skip_empty:
                    # +2: 1-based, after the header line (the row a spreadsheet shows).
                    lines = (blank[blank].index[:5] + rows + 2).tolist()
                    raise InputFileError(
                        f"{input_path}: {int(blank.sum())} row(s) in this chunk with empty "
                        f"{text_column!r}, first at data line(s) {lines}; "
                        "fix them or pass --skip-empty"
                    )
                result = frame.copy()
                filled: dict[str, list[object]] = {
                    c: [None] * len(frame) for c in PREDICTION_COLUMNS
                }
                positions = np.flatnonzero(~blank.to_numpy())
                if len(positions):
                    texts = frame[text_column].iloc[positions].astype(str).tolist()
                    predictions = _prediction_frame(predictor, texts, top_k)
                    for column in PREDICTION_COLUMNS:
                        for position, value in zip(positions, predictions[column], strict=True):
                            filled[column][position] = value
                for column in PREDICTION_COLUMNS:
                    result[column] = filled[column]
                result["confidence"] = result["confidence"].astype("float64")
                writer.write(result)
                rows += len(frame)
                skipped += int(blank.sum())
                progress.update(len(frame))
    except BaseException:
        writer.close()
        tmp_output.unlink(missing_ok=True)
        raise
    writer.close()
    if rows == 0:
        raise InputFileError(f"{input_path}: no data rows to score")
    tmp_output.replace(output_path)
    return ScoreSummary(rows=rows, skipped_empty=skipped)
