"""One definition of the ML tables (ml/tables.py): dbt's macro, the dbt source and every
Python writer agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import jinja2
import yaml

from supportlens.ml.tables import DBT_MACRO, ML_TABLES, dbt_macro_body, ensure_tables

REPO = Path(__file__).resolve().parents[2]
ML_SOURCES = REPO / "models" / "marts" / "_ml__sources.yml"


class _Target:
    schema = "main"


def test_dbt_macro_is_generated_from_ml_tables() -> None:
    """`python -m supportlens.ml.tables` output; edit ML_TABLES, never the macro by hand."""
    template = jinja2.Environment().from_string(
        DBT_MACRO.read_text(encoding="utf-8"), globals={"target": _Target()}
    )
    rendered = str(template.module.default__create_ml_tables()).strip()
    expected = dbt_macro_body().replace("{{ target.schema }}", "main")
    assert rendered == expected
    # And it is the same table set, column by column, once run.
    conn = duckdb.connect()
    for statement in rendered.split(";"):
        conn.execute(statement)
    for table, columns in ML_TABLES.items():
        described = conn.execute(f"describe main.{table}").fetchall()
        assert [(row[0], row[1]) for row in described] == [
            (name, type_.upper()) for name, type_ in columns
        ], table


def test_ensure_tables_creates_every_table_including_discovery(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        ensure_tables(conn)
        ensure_tables(conn)  # idempotent
        names = {r[0] for r in conn.execute("select table_name from duckdb_tables()").fetchall()}
    assert names == set(ML_TABLES)
    assert "ml_intent_clusters" in names


def test_no_python_module_declares_ml_table_ddl_of_its_own() -> None:
    offenders = []
    for path in (REPO / "ml").rglob("*.py"):
        if path.name == "tables.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"create\s+table[^;]*\bml_(?:" + "|".join(
            t.removeprefix("ml_") for t in ML_TABLES
        ) + r")\b", text, re.IGNORECASE):  # fmt: skip
            offenders.append(path.name)
    assert offenders == []


def test_one_dbt_source_for_the_ml_schema() -> None:
    """`ml` is the only source over the ML tables; its declared columns match ML_TABLES."""
    sources = []
    for path in (REPO / "models").rglob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources") or []:
            tables = {t["name"] for t in source.get("tables") or []}
            if tables & set(ML_TABLES):
                sources.append((path.name, source["name"], source))
    assert [(file, name) for file, name, _ in sources] == [("_ml__sources.yml", "ml")]
    declared = {t["name"]: t for t in sources[0][2]["tables"]}
    assert set(declared) <= set(ML_TABLES)
    for table, spec in declared.items():
        types = dict(ML_TABLES[table])
        for column in spec.get("columns") or []:
            assert column["name"] in types, f"{table}.{column['name']} is not an ML column"
            if "data_type" in column:
                assert column["data_type"] == types[column["name"]], f"{table}.{column['name']}"
    refs = [
        path.name
        for path in (REPO / "models").rglob("*.sql")
        if "source('ml_analytics'" in path.read_text(encoding="utf-8")
    ]
    assert refs == []
