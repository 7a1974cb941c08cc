"""The ops file: run history and alert events in a DuckDB file of their own.

Why a separate file: the working warehouse has one writer at a time (dbt, training), and
a run is recorded *while* those hold it. The ops file is opened only for the few
milliseconds a write takes and closed again, so several `supportlens` processes (and the
API reading it for `/metrics`) share it; a writer that meets another's lock retries for
a few seconds. Recording is best effort: a command never fails because its history could
not be written (the caller logs a warning instead).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

#: How long a writer waits for another process's lock on the ops file.
LOCK_WAIT_SECONDS = 10.0

#: Table definitions; models/marts/ops/_ops__sources.yml declares the same columns.
DDL = """
create table if not exists ops_runs (
    run_id varchar primary key,
    command varchar not null,
    args varchar,
    version varchar,
    git_sha varchar,
    host varchar,
    pid integer,
    pid_started bigint,
    started_at timestamp with time zone not null,
    ended_at timestamp with time zone,
    status varchar not null,
    exit_code integer,
    error varchar,
    cpu_seconds double,
    peak_rss_mib double,
    rows_in bigint,
    rows_out bigint
);
create table if not exists ops_run_stages (
    run_id varchar not null,
    stage_index integer not null,
    stage varchar not null,
    started_at timestamp with time zone not null,
    ended_at timestamp with time zone,
    status varchar not null,
    exit_code integer,
    error varchar,
    cpu_seconds double,
    peak_rss_mib double,
    rows_in bigint,
    rows_out bigint,
    primary key (run_id, stage_index)
);
create table if not exists ops_dbt_nodes (
    run_id varchar not null,
    stage_index integer not null,
    invocation_id varchar,
    unique_id varchar not null,
    resource_type varchar,
    status varchar,
    execution_seconds double,
    rows_affected bigint,
    message varchar,
    completed_at timestamp with time zone
);
create table if not exists ops_alert_events (
    event_at timestamp with time zone not null,
    run_id varchar,
    rule varchar not null,
    scope varchar not null,
    severity varchar,
    value double,
    threshold double,
    state varchar not null,
    channel varchar not null,
    attempt integer not null,
    status varchar not null,
    error varchar
);
create table if not exists ops_alert_state (
    rule varchar not null,
    scope varchar not null,
    is_open boolean not null,
    opened_at timestamp with time zone,
    last_notified_at timestamp with time zone,
    last_value double,
    primary key (rule, scope)
);
"""

TABLES = ("ops_runs", "ops_run_stages", "ops_dbt_nodes", "ops_alert_events", "ops_alert_state")


class OpsStoreError(RuntimeError):
    """The ops file cannot be opened (not configured, or locked for too long)."""


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting" in text)


class OpsStore:
    """Short-lived connections to one ops file."""

    def __init__(self, path: Path, lock_wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.path = path
        self.lock_wait_seconds = lock_wait_seconds

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_wait_seconds
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as exc:
                if not _is_lock_error(exc) or time.monotonic() >= deadline:
                    raise OpsStoreError(f"{self.path}: cannot open the ops file: {exc}") from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A writing connection (tables created on first use), closed on exit."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect(read_only=False)
        try:
            conn.execute(DDL)
            yield conn
        finally:
            conn.close()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection; the file must exist (callers check `exists()`)."""
        if not self.exists():
            raise OpsStoreError(f"{self.path}: no ops file yet (no command has been recorded)")
        conn = self._connect(read_only=True)
        try:
            yield conn
        finally:
            conn.close()

    def exists(self) -> bool:
        return self.path.is_file()
