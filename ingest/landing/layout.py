"""Where landed data lives (docs/contracts.md, "Landing layout")."""

from __future__ import annotations

from pathlib import Path

DATA_FILE = "data.parquet"
MANIFEST_DIR = "_manifest"
QUARANTINE_DIR = "_quarantine"
ARCHIVE_DIR = "_archive"
STAGING_DIR = "_staging"
QUARANTINE_TABLE = "_quarantine"


def partition_dir(landing_dir: Path, source: str, table: str, load_id: str) -> Path:
    """Live partition of one table for one load; quarantine uses the pseudo-table name."""
    if table == QUARANTINE_TABLE:
        return landing_dir / QUARANTINE_DIR / source / f"load_id={load_id}"
    return landing_dir / source / table / f"load_id={load_id}"


def archive_dir(landing_dir: Path, source: str, table: str, load_id: str) -> Path:
    if table == QUARANTINE_TABLE:
        return landing_dir / ARCHIVE_DIR / QUARANTINE_DIR / source / f"load_id={load_id}"
    return landing_dir / ARCHIVE_DIR / source / table / f"load_id={load_id}"


def manifest_path(landing_dir: Path) -> Path:
    return landing_dir / MANIFEST_DIR / "loads.parquet"


def staging_dir(landing_dir: Path, load_id: str) -> Path:
    return landing_dir / STAGING_DIR / load_id
