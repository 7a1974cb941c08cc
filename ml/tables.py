"""The warehouse tables ML writes: their one definition (columns as in docs/contracts.md).

Everything that creates them reads `ML_TABLES`:
- `ensure_tables` creates them empty when ML runs against a warehouse dbt has not touched
  (tests, ad-hoc files), and `supportlens.ml.discovery` before it writes `ml_intent_clusters`;
- dbt's `on-run-start` runs `macros/create_ml_tables.sql`, whose body is the DDL
  `dbt_macro_body()` renders from this dict (dbt cannot import Python; the Spark target
  translates the same statements). Regenerate it with `python -m supportlens.ml.tables` after a
  change; `tests/ml/test_tables.py` fails while the macro differs by one character, or
  while `models/marts/_ml__sources.yml` declares a column with another type.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

#: table -> ((column, DuckDB type), ...), in column order.
ML_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "ml_models": (
        ("model_version", "varchar"),
        ("label_set", "varchar"),
        ("model_type", "varchar"),
        ("base_model", "varchar"),
        ("path", "varchar"),
        ("created_at", "timestamp with time zone"),
        ("is_active", "boolean"),
        ("train_rows", "bigint"),
        ("val_accuracy", "double"),
        ("card_json", "varchar"),
    ),
    "ml_predictions": (
        ("turn_id", "varchar"),
        ("model_version", "varchar"),
        ("label_set", "varchar"),
        ("label", "varchar"),
        ("confidence", "double"),
        ("top_labels", "varchar[]"),
        ("top_scores", "double[]"),
        ("predicted_at", "timestamp with time zone"),
    ),
    "ml_model_metrics": (
        ("model_version", "varchar"),
        ("label_set", "varchar"),
        ("split", "varchar"),
        ("metric", "varchar"),
        ("value", "double"),
        ("evaluated_at", "timestamp with time zone"),
    ),
    "ml_per_class_metrics": (
        ("model_version", "varchar"),
        ("label_set", "varchar"),
        ("split", "varchar"),
        ("label", "varchar"),
        ("precision", "double"),
        ("recall", "double"),
        ("f1", "double"),
        ("support", "bigint"),
    ),
    "ml_confusion_matrix": (
        ("model_version", "varchar"),
        ("label_set", "varchar"),
        ("split", "varchar"),
        ("true_label", "varchar"),
        ("predicted_label", "varchar"),
        ("n", "bigint"),
    ),
    "ml_runs": (
        ("run_id", "varchar"),
        ("experiment", "varchar"),
        ("model_version", "varchar"),
        ("params_json", "varchar"),
        ("metrics_json", "varchar"),
        ("duration_s", "double"),
        ("artefact_path", "varchar"),
        ("started_at", "timestamp with time zone"),
        ("status", "varchar"),
    ),
    "ml_calibration": (
        ("model_version", "varchar"),
        ("label_set", "varchar"),
        ("split", "varchar"),
        ("bin_index", "integer"),
        ("bin_lower", "double"),
        ("bin_upper", "double"),
        ("n", "bigint"),
        ("mean_confidence", "double"),
        ("accuracy", "double"),
    ),
    "ml_intent_clusters": (
        ("run_id", "varchar"),
        ("discovered_at", "timestamp with time zone"),
        ("embedding_model", "varchar"),
        ("label_set", "varchar"),
        ("turn_id", "varchar"),
        ("source", "varchar"),
        ("text", "varchar"),
        ("confidence", "double"),
        ("predicted_label", "varchar"),
        ("cluster_id", "integer"),
        ("cluster_label", "varchar"),
        ("top_terms", "varchar[]"),
        ("representative_rank", "integer"),
        ("similarity_to_centroid", "double"),
    ),
}

DBT_MACRO = Path(__file__).resolve().parents[1] / "macros" / "create_ml_tables.sql"
_BODY_START = "{% macro default__create_ml_tables() -%}\n"
_BODY_END = "\n{%- endmacro %}"


def column_names(table: str) -> list[str]:
    return [name for name, _ in ML_TABLES[table]]


def create_statement(table: str, schema: str) -> str:
    """`create table if not exists` for one ML table, one line per group of columns."""
    columns = [f"{name} {type_}" for name, type_ in ML_TABLES[table]]
    lines: list[str] = []
    line = " "
    for column in columns:
        if len(line) + len(column) + 2 > 88:
            lines.append(line.rstrip())
            line = " "
        line += f" {column},"
    lines.append(line.rstrip(","))
    body = "\n".join(lines)
    return f"create table if not exists {schema}.{table} (\n{body}\n)"


def dbt_macro_body() -> str:
    """The statements of `default__create_ml_tables` (dbt fills in the target schema)."""
    return ";\n".join(create_statement(t, "{{ target.schema }}") for t in ML_TABLES)


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    for table in ML_TABLES:
        conn.execute(create_statement(table, "main"))


def write_dbt_macro(path: Path = DBT_MACRO) -> None:
    """Rewrite the body of `default__create_ml_tables` in the dbt macro file."""
    text = path.read_text(encoding="utf-8")
    start = text.index(_BODY_START) + len(_BODY_START)
    end = text.index(_BODY_END, start)
    path.write_text(text[:start] + dbt_macro_body() + text[end:], encoding="utf-8")


if __name__ == "__main__":
    write_dbt_macro()
    sys.stdout.write(f"wrote {DBT_MACRO}\n")
