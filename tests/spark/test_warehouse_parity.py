"""The same dbt project on DuckDB and on Spark (local mode): every shared mart, row for row.

Generates and lands the sample data once, builds it with `supportlens build` (DuckDB)
and `dbt build --target spark --selector spark` (Spark, with its dbt tests and
contracts), then compares each mart both engines built: same columns, corresponding
types, and the same multiset of rows. Differences are listed per table. The only
expected ones are the columns fed by DuckDB-only Python UDFs (docs/scale-out.md), which
must be NULL on Spark.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from spark_helpers import assert_ok, dbt, run, supportlens

from supportlens.spark.session import get_session

pytestmark = pytest.mark.slow

#: DuckDB type -> the type Spark gives the same column.
SPARK_TYPES = {
    "VARCHAR": "string",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "VARCHAR[]": "array<string>",
    "BIGINT[]": "array<bigint>",
    "DOUBLE[]": "array<double>",
}

#: Marts tagged `ops` are built on Spark too but not compared: they copy the run history,
#: which the `supportlens` commands write to a DuckDB file of its own (empty on Spark).

#: Columns computed by DuckDB-only Python UDFs (VADER sentiment): NULL on Spark, and
#: left out of the row comparison of their table.
DUCKDB_ONLY_COLUMNS = {
    "fct_turns": {"sentiment_score", "sentiment_label"},
}
#: Marts about that sentiment: built (and tested) on Spark, where they count no
#: sentiment, so their rows are not compared.
SENTIMENT_MARTS = {"mart_turn_sentiment", "mart_conversation_sentiment", "mart_sentiment_trends"}
#: Rows derived from sentiment in an otherwise shared mart: (column, value) left out.
SENTIMENT_ROWS = {"mart_failure_points": ("failure_kind", "negative_ending")}


#: The marts the issue names: they must be compared, with rows in them.
NAMED_MARTS = (
    "fct_turns",
    "fct_conversations",
    "dim_intents",
    "mart_intent_distribution",
    "ml_training_examples",
    "mart_conversation_outcomes",
    "mart_success_rates",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("spark_parity")
    paths = {
        "raw_dir": tmp / "raw",
        "landing_dir": tmp / "landing",
        "warehouse": tmp / "warehouse" / "supportlens.duckdb",
        "registry_dir": tmp / "models",
        "ops_db": tmp / "ops.duckdb",
    }
    spark_dir = tmp / "spark"
    for step in (["generate", "--scale", "sample"], ["land"]):
        assert_ok(run(supportlens(*step), paths), step[0])
    assert_ok(
        run(supportlens("build", "--target-path", str(tmp / "target_duckdb")), paths),
        "DuckDB build",
    )
    spark_build = run(
        dbt("build", "--target", "spark", "--selector", "spark",
            "--target-path", str(tmp / "target_spark")),
        paths,
        spark_dir,
    )  # fmt: skip
    assert_ok(spark_build, "Spark build")
    manifest = json.loads((tmp / "target_spark" / "manifest.json").read_text())
    marts = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["fqn"][1] == "marts"
        and node["config"]["materialized"] in ("table", "incremental")
        and "duckdb_only" not in node["config"]["tags"]
        and "ops" not in node["config"]["tags"]
    )
    os.environ["SUPPORTLENS_SPARK_DIR"] = str(spark_dir)
    spark = get_session("parity", warehouse=True)
    try:
        yield {
            "paths": paths,
            "spark": spark,
            "marts": marts,
            "run_results": json.loads((tmp / "target_spark" / "run_results.json").read_text()),
        }
    finally:
        spark.stop()
        os.environ.pop("SUPPORTLENS_SPARK_DIR", None)


def _canonical(value: Any) -> Any:
    """A hashable, engine-neutral form: instants in UTC, floats to 9 significant digits."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.astimezone()  # PySpark: naive local time
        return aware.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, float):
        return float(f"{value:.9g}") if math.isfinite(value) else value
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, date | str | int | bool) or value is None:
        return value
    return str(value)


def _duckdb_table(
    path: Path, table: str
) -> tuple[list[tuple[str, str]], list[tuple[Any, ...]]] | None:
    with duckdb.connect(str(path), read_only=True) as conn:
        columns = conn.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = 'main' and table_name = ? order by column_index",
            [table],
        ).fetchall()
        if not columns:
            return None
        return columns, conn.execute(f"select * from main.{table}").fetchall()


def test_every_shared_mart_is_equal_on_duckdb_and_spark(built: dict[str, Any]) -> None:
    spark = built["spark"]
    spark_tables = {t.name for t in spark.catalog.listTables("supportlens")}
    compared: list[str] = []
    differences: list[str] = []
    for table in built["marts"]:
        duck = _duckdb_table(built["paths"]["warehouse"], table)
        assert duck is not None, f"{table}: built on Spark but not in the DuckDB warehouse"
        assert table in spark_tables, f"{table}: mart not built on Spark"
        duck_columns, duck_rows = duck
        frame = spark.table(f"supportlens.{table}")
        spark_columns = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
        expected = [(name, SPARK_TYPES.get(kind, kind)) for name, kind in duck_columns]
        if spark_columns != expected:
            differences.append(f"{table}: columns/types {spark_columns} != {expected}")
            continue
        if table in SENTIMENT_MARTS:
            continue
        skip = DUCKDB_ONLY_COLUMNS.get(table, set())
        keep = [i for i, (name, _) in enumerate(duck_columns) if name not in skip]
        spark_rows = [tuple(row) for row in frame.collect()]
        if table in SENTIMENT_ROWS:
            column, value = SENTIMENT_ROWS[table]
            at = [name for name, _ in duck_columns].index(column)
            duck_rows = [r for r in duck_rows if r[at] != value]
            spark_rows = [r for r in spark_rows if r[at] != value]
        for i, (name, _) in enumerate(duck_columns):
            if name in skip and any(row[i] is not None for row in spark_rows):
                differences.append(f"{table}.{name}: DuckDB-only column is not NULL on Spark")
        on_duckdb = Counter(tuple(_canonical(r[i]) for i in keep) for r in duck_rows)
        on_spark = Counter(tuple(_canonical(r[i]) for i in keep) for r in spark_rows)
        if on_duckdb != on_spark:
            only_duckdb = list((on_duckdb - on_spark).elements())
            only_spark = list((on_spark - on_duckdb).elements())
            differences.append(
                f"{table}: {len(only_duckdb)} rows only on DuckDB, {len(only_spark)} only on "
                f"Spark (of {len(duck_rows)}); e.g. DuckDB {only_duckdb[:3]} Spark {only_spark[:3]}"
            )
        compared.append(f"{table}({len(duck_rows)})")
    print("compared:", ", ".join(compared))
    assert not differences, "\n".join(differences)
    # The comparison must cover the marts the issue names, with data in them.
    for core in NAMED_MARTS:
        assert any(c.startswith(core + "(") and not c.endswith("(0)") for c in compared), core


def test_spark_build_ran_the_dbt_tests_and_contracts(built: dict[str, Any]) -> None:
    """The Spark build is a real `dbt build`: data tests, unit tests and contracted marts."""
    statuses = Counter(
        (r["unique_id"].split(".")[0], r["status"]) for r in built["run_results"]["results"]
    )
    assert statuses[("test", "pass")] > 200, statuses
    assert statuses[("unit_test", "pass")] >= 3, statuses
    assert not [k for k in statuses if k[1] in ("error", "fail")], statuses
    built_models = {
        r["unique_id"].split(".")[-1]
        for r in built["run_results"]["results"]
        if r["status"] == "success"
    }
    assert {"fct_turns", "fct_conversations", "mart_conversation_outcomes"} <= built_models
