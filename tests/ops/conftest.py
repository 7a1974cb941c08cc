from __future__ import annotations

from pathlib import Path

import pytest

from supportlens.config import Settings, load_settings

PATH_KEYS = {
    "RAW_DIR": "raw",
    "LANDING_DIR": "landing",
    "WAREHOUSE": "warehouse/supportlens.duckdb",
    "PUBLISHED": "published/supportlens.duckdb",
    "REGISTRY_DIR": "models",
    "GX_DOCS_DIR": "gx_docs",
    "REPORTS_BUILD_DIR": "site",
    "OPS_DB": "ops/ops.duckdb",
    "BACKUP_DIR": "backups",
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def ops_settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Every path of supportlens.toml under a temporary data folder (the CLI sees it too)."""
    for key, relative in PATH_KEYS.items():
        monkeypatch.setenv(f"SUPPORTLENS_PATHS_{key}", str(data_dir / relative))
    monkeypatch.delenv("SUPPORTLENS_CONFIG", raising=False)
    return load_settings()
