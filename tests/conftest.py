"""Suite-wide isolation: the tests never write the user's run history or backups.

Every `supportlens` command that changes data records a run in `[paths] ops_db`
(default `data/ops/ops.duckdb` in the project). Tests run the CLI in subprocesses with
overrides for the paths they care about; without this, each of those runs would land in
the user's own history (and its failures in the user's `failed_run` alerts). Tests that
need the ops file set `SUPPORTLENS_PATHS_OPS_DB` themselves, which still wins.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    root = Path(tempfile.mkdtemp(prefix="supportlens-tests-ops-"))
    os.environ.setdefault("SUPPORTLENS_PATHS_OPS_DB", str(root / "ops.duckdb"))
    os.environ.setdefault("SUPPORTLENS_PATHS_BACKUP_DIR", str(root / "backups"))
