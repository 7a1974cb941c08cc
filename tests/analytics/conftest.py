"""One generated pipeline for the analytics tests: generate -> land -> build -> train ->
predict -> discover -> rebuild the prediction marts, all through the `supportlens` CLI with
path overrides into a temporary folder (run once per session)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_DATA = REPO_ROOT / ".." / "shared" / "data"
# Upstream nodes' own dbt tests belong to the warehouse suite; here only the analytics
# marts' tests run, which keeps the session inside its time budget.
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
    env = dict(os.environ)
    env.update({f"SUPPORTLENS_PATHS_{key.upper()}": str(value) for key, value in paths.items()})
    env["DBT_LOG_PATH"] = str(paths["warehouse"].parent / "dbt_logs")
    env["HF_HUB_OFFLINE"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "supportlens.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"supportlens {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )


def build_analytics(paths: dict[str, Path], target: Path, select: str) -> None:
    """`supportlens build` of the selection, leaving out the upstream nodes' tests."""
    supportlens(
        ["build", "--target-path", str(target), "--select", select, "--",
         "--exclude-resource-type", "unit_test"],
        paths,
    )  # fmt: skip


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    root = tmp_path_factory.mktemp("analytics")
    paths = {
        "raw_dir": root / "raw",
        "landing_dir": root / "landing",
        "warehouse": root / "warehouse" / "supportlens.duckdb",
        "registry_dir": root / "models",
        "published": root / "published" / "supportlens.duckdb",
    }
    supportlens(["generate", "--out", str(paths["raw_dir"]), "--scale", "sample"], paths)
    supportlens(["land"], paths)
    build_analytics(paths, root / "target", f"+{ANALYTICS}")
    supportlens(["train", "--config", "ml/configs/baseline.yaml", "--label-set", "banking77"], paths)
    supportlens(["predict", "--label-set", "banking77"], paths)
    supportlens(["discover", "--label-set", "banking77"], paths)
    build_analytics(paths, root / "target", "tag:uses_predictions+")
    return Pipeline(root, paths)


@pytest.fixture
def query(pipeline: Pipeline) -> Callable[[str], list[tuple]]:
    return pipeline.query
