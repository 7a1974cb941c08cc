"""Helpers for the analytics tests: the generated pipeline's paths and the CLI steps.

A named module rather than conftest.py, so that test files import it by a name no other
test folder uses (`from conftest import ...` resolves to whichever conftest loaded last
when several test folders run in one pytest command).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from supportlens_cli import run_cli

ANALYTICS = "path:models/marts/analytics"


@dataclass(frozen=True)
class Pipeline:
    root: Path
    paths: dict[str, Path]

    @property
    def truth(self) -> Path:
        return self.paths["raw_dir"] / "_truth"

    def query(self, sql: str) -> list[tuple]:
        conn = duckdb.connect(str(self.paths["warehouse"]), read_only=True)
        try:
            return conn.execute(sql.replace("{truth}", str(self.truth))).fetchall()
        finally:
            conn.close()


def supportlens(args: list[str], paths: dict[str, Path], timeout: int = 900) -> None:
    """Run one CLI step with the path overrides; fail the session with its output if it fails."""
    result = run_cli(args, paths, timeout)
    assert result.returncode == 0, (
        f"supportlens {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )


def build(paths: dict[str, Path], target: Path, select: list[str], skip_tests: bool) -> None:
    """`supportlens build` of a selection, optionally models only (no data or unit tests)."""
    extra = ["--", "--exclude-resource-type", "test", "unit_test"] if skip_tests else []
    supportlens(["build", "--target-path", str(target), "--select", *select, *extra], paths)
