"""Run the `supportlens` CLI as a user would, in a subprocess, with path overrides.

A named module (not conftest.py) at the top of tests/, which pytest puts on sys.path, so
every test folder imports the same runner.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = REPO_ROOT / ".." / "shared" / "data"


def cli_env(paths: dict[str, Path]) -> dict[str, str]:
    """This process's environment plus SUPPORTLENS_PATHS_* overrides, dbt's logs beside
    the warehouse (never in the project's logs/)."""
    env = dict(os.environ)
    env.update({f"SUPPORTLENS_PATHS_{key.upper()}": str(value) for key, value in paths.items()})
    env["DBT_LOG_PATH"] = str(paths["warehouse"].parent / "dbt_logs")
    return env


def run_cli(
    args: list[str], paths: dict[str, Path], timeout: int = 900
) -> subprocess.CompletedProcess:
    """`supportlens ARGS` with the path overrides of `cli_env`, capturing its output; the
    caller decides what a failure means."""
    env = cli_env(paths)
    env["HF_HUB_OFFLINE"] = "1"  # models come from local folders only
    return subprocess.run(
        [sys.executable, "-m", "supportlens.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
