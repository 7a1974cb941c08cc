"""dbt exposures say what each consumer really reads (issue 19, item 5).

What a consumer reads is derived from its own code: the table names after FROM/JOIN in
the Evidence source queries (reports/sources/supportlens/*.sql) and in the SQL string
literals of the API (api/) and of the ML stage (ml/). Names that are dbt models, seeds
or declared sources count; everything else (CTEs, ML output tables that no dbt node
declares) is ignored. models/_exposures.yml must list exactly those nodes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RELATION = re.compile(r"\b(?:from|join)\s+(?:\w+\.)?([a-z_][a-z0-9_]*)", re.IGNORECASE)
SQL_COMMENT = re.compile(r"--[^\n]*")
#: `delete from x` writes x; it is not a read.
DELETE_FROM = re.compile(r"\bdelete\s+from\s+\S+", re.IGNORECASE)
DEPENDENCY = re.compile(r"""^(ref|source)\((.+)\)$""")


def _dbt_nodes() -> dict[str, str]:
    """Relation name -> how an exposure names it: ref('x') or source('s', 'x')."""
    nodes = {p.stem: f"ref('{p.stem}')" for p in (ROOT / "models").rglob("*.sql")}
    nodes |= {p.stem: f"ref('{p.stem}')" for p in (ROOT / "seeds").glob("*.csv")}
    for path in (ROOT / "models").rglob("*.yml"):
        for source in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", []):
            for table in source.get("tables", []):
                nodes.setdefault(table["name"], f"source('{source['name']}', '{table['name']}')")
    return nodes


def _relations(sql: str) -> set[str]:
    sql = DELETE_FROM.sub("", SQL_COMMENT.sub("", sql))
    return {name.lower() for name in RELATION.findall(sql)}


def _sql_files(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.glob("*.sql"):
        found |= _relations(path.read_text(encoding="utf-8"))
    return found


def _python_sql(folder: Path) -> set[str]:
    """Relations named in the string literals of every module under `folder`."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found |= _relations(node.value)
    return found


CONSUMERS = {
    "evidence_report_site": lambda: _sql_files(ROOT / "reports" / "sources" / "supportlens"),
    "supportlens_api": lambda: _python_sql(ROOT / "api"),
    "intent_classifier_training": lambda: _python_sql(ROOT / "ml"),
}


def _normalise(dependency: str) -> str:
    kind, args = DEPENDENCY.match(dependency.strip()).groups()
    names = [a.strip().strip("'\"") for a in args.split(",")]
    return f"{kind}(" + ", ".join(f"'{n}'" for n in names) + ")"


def _declared() -> dict[str, set[str]]:
    doc = yaml.safe_load((ROOT / "models" / "_exposures.yml").read_text(encoding="utf-8"))
    return {e["name"]: {_normalise(d) for d in e["depends_on"]} for e in doc["exposures"]}


def test_every_exposure_has_a_consumer_check() -> None:
    assert set(_declared()) == set(CONSUMERS)


@pytest.mark.parametrize("exposure", sorted(CONSUMERS))
def test_exposure_lists_exactly_what_its_consumer_reads(exposure: str) -> None:
    nodes = _dbt_nodes()
    reads = {nodes[name] for name in CONSUMERS[exposure]() if name in nodes}
    declared = _declared()[exposure]
    assert reads, f"found no dbt node read by {exposure}: the derivation is broken"
    missing, stale = sorted(reads - declared), sorted(declared - reads)
    assert not missing and not stale, (
        f"models/_exposures.yml {exposure}: add {missing}, remove {stale} (never read)"
    )


def test_the_derivation_sees_through_comments_ctes_and_imports() -> None:
    sql = """
        -- from not_a_table
        with recent as (select * from fct_turns)
        select * from recent join main.dim_intents using (intent);
        delete from ml_predictions where model_version = ?
    """
    assert _relations(sql) == {"fct_turns", "recent", "dim_intents"}
