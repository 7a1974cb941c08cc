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


def build(paths: dict[str, Path], target: Path, select: list[str], skip_tests: bool) -> None:
    """`supportlens build` of a selection, optionally models only (no data or unit tests)."""
    extra = ["--", "--exclude-resource-type", "test", "unit_test"] if skip_tests else []
    supportlens(["build", "--target-path", str(target), "--select", *select, *extra], paths)


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
    # upstream models only (their tests belong to tests/dbt), incl. every prediction mart's
    build(paths, root / "target", [f"+{ANALYTICS}", "+tag:uses_predictions"], skip_tests=True)
    supportlens(
        ["train", "--config", "ml/configs/baseline.yaml", "--label-set", "banking77"], paths
    )
    supportlens(["predict", "--label-set", "banking77"], paths)
    supportlens(["discover", "--label-set", "banking77"], paths)
    # the main job's post-predict rebuild, plus the analytics marts that read no predictions,
    # with every analytics test and contract
    build(paths, root / "target", ["tag:uses_predictions+", ANALYTICS], skip_tests=False)
    return Pipeline(root, paths)


@pytest.fixture
def query(pipeline: Pipeline) -> Callable[[str], list[tuple]]:
    return pipeline.query
