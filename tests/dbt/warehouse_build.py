"""Helpers for the dbt warehouse tests: run the CLI with path overrides, build, open.

A named module rather than conftest.py, so that test files import it by a name no other
test folder uses (`from conftest import ...` resolves to whichever conftest loaded last
when several test folders run in one pytest command).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_DATA = REPO_ROOT / ".." / "shared" / "data"


def supportlens(
    args: list[str], paths: dict[str, Path], timeout: int = 900
) -> subprocess.CompletedProcess:
    """Run the `supportlens` CLI with path overrides, capturing its output."""
    env = dict(os.environ)
    env.update({f"SUPPORTLENS_PATHS_{key.upper()}": str(value) for key, value in paths.items()})
    env["DBT_LOG_PATH"] = str(paths["warehouse"].parent / "dbt_logs")
    return subprocess.run(
        [sys.executable, "-m", "supportlens.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


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
