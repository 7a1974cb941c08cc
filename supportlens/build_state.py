"""The record of the last `supportlens build`, kept inside the working warehouse.

dbt writes one model per transaction, so a build killed half-way leaves a warehouse that
mixes tables of two builds (issue 20: `fct_turns` held 246,000 TWCS turns while staging
read 66,000). Nothing in the tables says so; this record does. `build` marks the
warehouse `building` before dbt starts and `built` (or `failed`) when dbt returns, so a
killed build leaves `building` behind and `publish` refuses until a build succeeds.

A selective build (`--select`, `--exclude`) only restores `built` when the warehouse was
`built` before it: rebuilding a few models does not mend a broken full build.

The record lives in the warehouse, not beside it, so it cannot drift from the tables it
describes, and a snapshot carries the time its data was built. A warehouse without the
table (written by hand or by tests through `warehouse.writer`) was never built by
`supportlens build` and is publishable as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import duckdb

#: One-row table; the leading underscore keeps it out of the way of dbt's models.
TABLE = "_supportlens_build_state"


class BuildState(StrEnum):
    BUILDING = "building"
    BUILT = "built"
    FAILED = "failed"
    #: A selective build succeeded on a warehouse whose last full build did not.
    PARTIAL = "partial"


@dataclass(frozen=True)
class BuildRecord:
    state: BuildState
    previous_state: BuildState | None
    full: bool
    started_at: datetime
    finished_at: datetime | None
    pid: int
    command: str


_DDL = f"""
create table if not exists main.{TABLE} (
  state varchar not null,
  previous_state varchar,
  full_build boolean not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  pid integer not null,
  command varchar not null
)
"""


def last_build(conn: duckdb.DuckDBPyConnection) -> BuildRecord | None:
    """The record of the last build, or None when this warehouse has none."""
    exists = conn.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'main' and table_name = ? and database_name = current_database()",
        [TABLE],
    ).fetchone()
    if not exists or not exists[0]:
        return None
    row = conn.execute(
        f"select state, previous_state, full_build, started_at, finished_at, pid, command "
        f"from main.{TABLE}"
    ).fetchone()
    if row is None:
        return None
    return BuildRecord(
        state=BuildState(row[0]),
        previous_state=BuildState(row[1]) if row[1] else None,
        full=bool(row[2]),
        started_at=row[3],
        finished_at=row[4],
        pid=int(row[5]),
        command=str(row[6]),
    )


def mark_started(conn: duckdb.DuckDBPyConnection, *, full: bool, command: str) -> None:
    """Record that a build starts now: until it finishes, the warehouse is not publishable."""
    previous = last_build(conn)
    conn.execute(_DDL)
    conn.execute("begin transaction")
    conn.execute(f"delete from main.{TABLE}")
    conn.execute(
        f"insert into main.{TABLE} values (?, ?, ?, now(), null, ?, ?)",
        [
            BuildState.BUILDING.value,
            previous.state.value if previous else None,
            full,
            os.getpid(),
            command,
        ],
    )
    conn.execute("commit")


def mark_finished(conn: duckdb.DuckDBPyConnection, *, succeeded: bool) -> BuildState:
    """Record the end of the build `mark_started` recorded; returns the resulting state."""
    record = last_build(conn)
    if record is None or record.state is not BuildState.BUILDING:
        raise RuntimeError(f"main.{TABLE}: no build in progress to finish ({record})")
    if not succeeded:
        state = BuildState.FAILED
    elif record.full or record.previous_state is BuildState.BUILT:
        state = BuildState.BUILT
    else:
        state = BuildState.PARTIAL
    conn.execute(
        f"update main.{TABLE} set state = ?, finished_at = now()",
        [state.value],
    )
    return state


def refusal(record: BuildRecord | None) -> str | None:
    """Why a warehouse with this record must not be published (None: publishable)."""
    if record is None or record.state is BuildState.BUILT:
        return None
    started = record.started_at.isoformat(timespec="seconds")
    if record.state is BuildState.BUILDING:
        return (
            f"the build started at {started} (pid {record.pid}: {record.command}) never "
            "finished (killed or still running); its tables may mix two builds. "
            "Run `supportlens build` to completion, then publish"
        )
    if record.state is BuildState.FAILED:
        return (
            f"the last build (started {started}: {record.command}) failed; fix it and run "
            "`supportlens build` to completion, then publish"
        )
    return (
        f"the last build (started {started}: {record.command}) rebuilt only a selection, "
        "and the full build before it did not succeed; run `supportlens build` without "
        "--select/--exclude, then publish"
    )
