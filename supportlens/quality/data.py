"""Read what a suite validates into pandas, with its SQL helper columns, through DuckDB.

Landing tables are read from their live Parquet partitions, marts from the working
warehouse; both through the one warehouse connection of the run.
"""

from __future__ import annotations

import glob
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from supportlens.config import Settings
from supportlens.quality.checks import DUCKDB_TYPES, TYPE_MISMATCHES
from supportlens.quality.spec import Helper, Stage, SuiteSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedFrame:
    frame: pd.DataFrame
    relation: str
    #: columns present in the data itself (before helpers were added)
    present_columns: tuple[str, ...]


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def landing_glob(settings: Settings, spec: SuiteSpec) -> Path:
    return settings.paths.landing_dir / spec.source / spec.table / "*" / "*.parquet"


def source_relation(
    conn: duckdb.DuckDBPyConnection, settings: Settings, spec: SuiteSpec
) -> str | None:
    """The SQL relation holding the suite's data, or None when it does not exist (yet)."""
    if spec.stage is Stage.LANDING:
        pattern = landing_glob(settings, spec)
        if not glob.glob(str(pattern)):
            return None
        # hive_partitioning off: the `load_id=…` folder must not become an extra column.
        return (
            f"read_parquet({sql_literal(str(pattern))}, union_by_name = true, "
            "hive_partitioning = false)"
        )
    found = conn.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'main' and table_name = ?",
        [spec.table],
    ).fetchone()
    return f'main."{spec.table}"' if found and found[0] else None


def frame_query(spec: SuiteSpec, relation: str, present: set[str]) -> str:
    """`select src.*, <helpers> from src <joins>`; helpers missing an input become NULL."""
    usable: list[Helper] = [h for h in spec.helpers if set(h.needs) <= present]
    ctes = ["src as (select * from " + relation + ")"] + [h.ctes for h in usable if h.ctes]
    selects = ["src.*"]
    for helper in spec.helpers:
        expression = helper.sql if helper in usable else "null"
        selects.append(f"cast({expression} as {helper.sql_type}) as {helper.name}")
    joins = " ".join(h.joins for h in usable if h.joins)
    return "with " + ",\n".join(ctes) + "\nselect " + ",\n  ".join(selects) + "\nfrom src " + joins


def type_mismatches(spec: SuiteSpec, described: list[tuple[str, str]]) -> str:
    """ "" when every present contract column has its contract type, else what differs."""
    problems = []
    for column, actual in described:
        family = spec.column_types().get(column)
        if family is None:
            continue
        expected = DUCKDB_TYPES[family]
        ok = actual.endswith(expected) if family == "list" else actual == expected
        if not ok:
            problems.append(f"{column} is {actual}, expected {expected}")
    return "; ".join(problems)


def load_frame(
    conn: duckdb.DuckDBPyConnection, settings: Settings, spec: SuiteSpec
) -> LoadedFrame | None:
    relation = source_relation(conn, settings, spec)
    if relation is None:
        return None
    described = [
        (row[0], row[1]) for row in conn.execute(f"describe select * from {relation}").fetchall()
    ]
    present = [name for name, _ in described]
    query = frame_query(spec, relation, set(present))
    log.debug("quality frame query", extra={"suite": spec.name, "sql": query})
    try:
        frame = conn.execute(query).df()
    except duckdb.Error as exc:
        raise QualityDataError(f"{spec.name}: cannot read {spec.relation_label}: {exc}") from exc
    # A constant column: pandas stores one reference per row, GX checks it with isin.
    frame[TYPE_MISMATCHES] = type_mismatches(spec, described)
    return LoadedFrame(frame, relation, tuple(present))


class QualityDataError(RuntimeError):
    """The data behind a suite could not be read."""
