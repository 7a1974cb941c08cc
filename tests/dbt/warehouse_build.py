"""Helpers for the dbt warehouse tests: run the CLI with path overrides, build, open.

A named module rather than conftest.py, so that test files import it by a name no other
test folder uses (`from conftest import ...` resolves to whichever conftest loaded last
when several test folders run in one pytest command).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from supportlens_cli import run_cli as supportlens

#: The conversation-analytics marts (models/marts/analytics) have their own tests; these
#: tests build the warehouse core so that they check this layer alone. The trailing `+`
#: also leaves out what reads those marts (mart_alerts), which could not build without them.
CORE_ONLY = ["--exclude", "path:models/marts/analytics+"]


def build(
    tmp: Path, landing: Path, extra: list[str] | None = None, core_only: bool = True
) -> subprocess.CompletedProcess:
    paths = {"landing_dir": landing, "warehouse": tmp / "warehouse" / "supportlens.duckdb"}
    scope = CORE_ONLY if core_only else []
    return supportlens(
        ["build", "--target-path", str(tmp / "target"), *scope, *(extra or [])], paths
    )


@contextmanager
def open_warehouse(tmp: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect(str(tmp / "warehouse" / "supportlens.duckdb"), read_only=True)
    try:
        yield conn
    finally:
        conn.close()


def assert_built(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, (
        f"build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )
