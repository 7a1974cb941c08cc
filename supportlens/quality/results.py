"""Validation outcomes and their warehouse tables (`dq_validation_runs`, `dq_expectation_results`,
`dq_load_scores`), which also hold the history the volume checks compare against.

Grain: `dq_validation_runs` one row per (run_id, suite); `dq_expectation_results` one row
per (run_id, suite, expectation); `dq_load_scores` one row per (run_id, suite, source,
load_id) — completeness and consistency per source and load.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from supportlens.quality.spec import Severity

DDL = (
    """
    create table if not exists dq_validation_runs (
      run_id varchar, suite varchar, stage varchar, source varchar, table_name varchar,
      status varchar, success boolean, row_count bigint, previous_row_count bigint,
      load_ids varchar[], expectations bigint, failed_errors bigint, failed_warnings bigint,
      completeness double, consistency double, started_at timestamptz,
      finished_at timestamptz, duration_s double, gx_version varchar, message varchar
    )
    """,
    """
    create table if not exists dq_expectation_results (
      run_id varchar, suite varchar, expectation_id varchar, expectation_type varchar,
      column_name varchar, dimension varchar, severity varchar, success boolean,
      element_count bigint, unexpected_count bigint, unexpected_percent double,
      observed_value varchar, partial_unexpected varchar, kwargs_json varchar,
      exception varchar, evaluated_at timestamptz
    )
    """,
    """
    create table if not exists dq_load_scores (
      run_id varchar, suite varchar, stage varchar, source varchar, table_name varchar,
      load_id varchar, row_count bigint, completeness double, consistency double,
      computed_at timestamptz
    )
    """,
)

#: Statuses of a suite in a run.
PASSED, WARNING, ERROR, SKIPPED = "passed", "warning", "error", "skipped"


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation_id: str
    expectation_type: str
    column_name: str | None
    dimension: str
    severity: Severity
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: str | None
    partial_unexpected: str | None
    kwargs_json: str
    exception: str | None

    def describe(self) -> str:
        """One line naming suite, expectation and column, with what was observed."""
        where = f"column={self.column_name}" if self.column_name else "table"
        detail = []
        if self.unexpected_percent is not None:
            detail.append(f"{self.unexpected_percent:.1f}% unexpected")
        if self.partial_unexpected:
            detail.append(f"e.g. {self.partial_unexpected}")
        if self.observed_value is not None:
            detail.append(f"observed {self.observed_value}")
        if self.exception:
            detail.append(self.exception)
        return (
            f"{self.severity.value.upper():7} suite={self.suite} "
            f"expectation={self.expectation_type} {where}"
            + (f": {'; '.join(detail)}" if detail else "")
        )


@dataclass(frozen=True)
class LoadScore:
    source: str
    load_id: str | None
    row_count: int
    completeness: float | None
    consistency: float | None


@dataclass
class SuiteOutcome:
    suite: str
    stage: str
    source: str
    table_name: str
    status: str
    started_at: datetime
    finished_at: datetime
    row_count: int | None = None
    previous_row_count: int | None = None
    load_ids: list[str] = field(default_factory=list)
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    scores: list[LoadScore] = field(default_factory=list)
    message: str = ""

    def failures(self, severity: Severity) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success and e.severity is severity]

    @property
    def completeness(self) -> float | None:
        return _weighted([(s.completeness, s.row_count) for s in self.scores])

    @property
    def consistency(self) -> float | None:
        return _weighted([(s.consistency, s.row_count) for s in self.scores])


def _weighted(pairs: list[tuple[float | None, int]]) -> float | None:
    usable = [(v, n) for v, n in pairs if v is not None and n > 0]
    total = sum(n for _, n in usable)
    return sum(v * n for v, n in usable) / total if total else None


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        conn.execute(statement)


def previous_row_count(conn: duckdb.DuckDBPyConnection, suite: str) -> int | None:
    """Row count of the suite's latest run that did not fail with an error."""
    row = conn.execute(
        "select row_count from dq_validation_runs "
        "where suite = ? and status in ('passed', 'warning') and row_count is not null "
        "order by finished_at desc limit 1",
        [suite],
    ).fetchone()
    return int(row[0]) if row else None


def write_outcomes(
    conn: duckdb.DuckDBPyConnection, run_id: str, outcomes: list[SuiteOutcome], gx_version: str
) -> None:
    """Append one run's outcomes in a single transaction."""
    runs, results, scores = [], [], []
    for o in outcomes:
        runs.append(
            {
                "run_id": run_id,
                "suite": o.suite,
                "stage": o.stage,
                "source": o.source,
                "table_name": o.table_name,
                "status": o.status,
                "success": o.status in (PASSED, WARNING),
                "row_count": o.row_count,
                "previous_row_count": o.previous_row_count,
                "load_ids": o.load_ids,
                "expectations": len(o.expectations),
                "failed_errors": len(o.failures(Severity.ERROR)),
                "failed_warnings": len(o.failures(Severity.WARNING)),
                "completeness": o.completeness,
                "consistency": o.consistency,
                "started_at": o.started_at,
                "finished_at": o.finished_at,
                "duration_s": (o.finished_at - o.started_at).total_seconds(),
                "gx_version": gx_version,
                "message": o.message,
            }
        )
        for e in o.expectations:
            record = asdict(e)
            record["severity"] = e.severity.value
            results.append({"run_id": run_id, **record, "evaluated_at": o.finished_at})
        for s in o.scores:
            scores.append(
                {
                    "run_id": run_id,
                    "suite": o.suite,
                    "stage": o.stage,
                    **asdict(s),
                    "table_name": o.table_name,
                    "computed_at": o.finished_at,
                }
            )
    ensure_tables(conn)
    conn.execute("begin transaction")
    try:
        for table, rows in (
            ("dq_validation_runs", runs),
            ("dq_expectation_results", results),
            ("dq_load_scores", scores),
        ):
            if rows:
                conn.register("dq_rows", pd.DataFrame(rows))
                conn.execute(f"insert into {table} by name select * from dq_rows")
                conn.unregister("dq_rows")
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
