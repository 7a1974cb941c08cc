"""Shared helpers for landing tests: a copy of the fixture raw tree and table readers."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

FIXTURE_RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"


@pytest.fixture
def land_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(raw_dir, landing_dir) under tmp_path, raw_dir holding a copy of the fixtures."""
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE_RAW, raw)
    landing = tmp_path / "landing"
    monkeypatch.setenv("SUPPORTLENS_PATHS_RAW_DIR", str(raw))
    monkeypatch.setenv("SUPPORTLENS_PATHS_LANDING_DIR", str(landing))
    return raw, landing


def live_rows(landing: Path, source: str, table: str) -> list[dict[str, object]]:
    """Rows of the live glob, as a dbt source reads them."""
    files = sorted((landing / source / table).glob("*/*.parquet"))
    rows: list[dict[str, object]] = []
    for path in files:
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def quarantine_rows(landing: Path, source: str) -> list[dict[str, object]]:
    files = sorted((landing / "_quarantine" / source).glob("*/*.parquet"))
    return [row for path in files for row in pq.read_table(path).to_pylist()]


def manifest_rows(landing: Path) -> list[dict[str, object]]:
    path = landing / "_manifest" / "loads.parquet"
    return pq.read_table(path).to_pylist() if path.exists() else []


def duck_types(landing: Path, source: str, table: str) -> dict[str, str]:
    pattern = str(landing / source / table / "*" / "*.parquet")
    rel = duckdb.sql(f"select * from read_parquet('{pattern}', hive_partitioning=false)")
    return dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
