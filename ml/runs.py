"""Experiment tracking: one `ml_runs` row per training run or tuning trial."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from supportlens.ml.tables import ensure_tables


@dataclass
class Run:
    experiment: str
    params: dict[str, Any]
    run_id: str = field(default_factory=lambda: secrets.token_hex(8))
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def record_run(
    conn: duckdb.DuckDBPyConnection,
    run: Run,
    status: str,
    metrics: dict[str, Any],
    duration_s: float,
    model_version: str | None = None,
    artefact_path: str | None = None,
) -> None:
    ensure_tables(conn)
    conn.execute(
        "insert into ml_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run.run_id,
            run.experiment,
            model_version,
            json.dumps(run.params, sort_keys=True, default=str),
            json.dumps(metrics, sort_keys=True, default=str),
            duration_s,
            artefact_path,
            run.started_at,
            status,
        ],
    )
