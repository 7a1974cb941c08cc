"""Helpers of the Spark tests (a module of its own name: `conftest` is taken by other folders)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from supportlens_cli import REPO_ROOT, cli_env


def command_env(paths: dict[str, Path], spark_dir: Path | None = None) -> dict[str, str]:
    env = cli_env(paths)
    if spark_dir is not None:
        env["SUPPORTLENS_SPARK_DIR"] = str(spark_dir)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    return env


def run(
    command: list[str], paths: dict[str, Path], spark_dir: Path | None = None, timeout: int = 900
) -> subprocess.CompletedProcess:
    """Run a command from the repo root with the path overrides, capturing its output."""
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=command_env(paths, spark_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def supportlens(*args: str) -> list[str]:
    return [sys.executable, "-m", "supportlens.cli", *args]


def dbt(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("dbt")), *args]


def assert_ok(result: subprocess.CompletedProcess, what: str) -> None:
    assert result.returncode == 0, (
        f"{what} failed (exit {result.returncode}):\n{result.stdout[-6000:]}\n"
        f"{result.stderr[-3000:]}"
    )
