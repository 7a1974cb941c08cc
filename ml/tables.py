"""The warehouse tables ML writes (columns exactly as in docs/contracts.md).

dbt's `on-run-start` creates them in the pipeline; `ensure_tables` creates the same
empty tables when ML runs against a warehouse dbt has not touched (tests, ad-hoc files).
"""

from __future__ import annotations

import duckdb

ML_TABLES: dict[str, str] = {
    "ml_models": """model_version varchar, label_set varchar, model_type varchar,
        base_model varchar, path varchar, created_at timestamptz, is_active boolean,
        train_rows bigint, val_accuracy double, card_json varchar""",
    "ml_predictions": """turn_id varchar, model_version varchar, label_set varchar,
        label varchar, confidence double, top_labels varchar[], top_scores double[],
        predicted_at timestamptz""",
    "ml_model_metrics": """model_version varchar, label_set varchar, split varchar,
        metric varchar, value double, evaluated_at timestamptz""",
    "ml_per_class_metrics": """model_version varchar, label_set varchar, split varchar,
        label varchar, precision double, recall double, f1 double, support bigint""",
    "ml_confusion_matrix": """model_version varchar, label_set varchar, split varchar,
        true_label varchar, predicted_label varchar, n bigint""",
    "ml_calibration": """model_version varchar, label_set varchar, split varchar,
        bin_index integer, bin_lower double, bin_upper double, n bigint,
        mean_confidence double, accuracy double""",
    "ml_runs": """run_id varchar, experiment varchar, model_version varchar,
        params_json varchar, metrics_json varchar, duration_s double, artefact_path varchar,
        started_at timestamptz, status varchar""",
}


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    for name, columns in ML_TABLES.items():
        conn.execute(f"create table if not exists main.{name} ({columns})")
