"""Verified backups, restore, and retention.

A backup is one folder holding what cannot be rebuilt cheaply from the raw files:

    warehouse/supportlens.duckdb   the published snapshot (or the working warehouse)
    models/                        the model registry
    landing/_manifest/, _quarantine/  the load manifest and quarantined rows
    ops/ops.duckdb                 run history and alert state (merged in on restore)
    config/supportlens.toml        the configuration
    manifest.json                  sha256 and size of every file, row count of every table

Consistency: a published snapshot file never changes after its publish (each publish
writes a new file), so copying it needs no lock. Without a snapshot, the working
warehouse is copied while this process holds its write lock, so no writer can change it
half-way; when another process holds that lock, the backup refuses rather than copy a
moving file. The folder is written under a temporary name and renamed when complete, so
a killed backup never looks like a finished one.

Restore verifies every checksum first and names the first file that fails; it never
overwrites existing data unless asked to (`force`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from supportlens import __version__
from supportlens.config import CONFIG_FILE_NAME, Paths, Settings
from supportlens.hashing import file_sha256
from supportlens.warehouse import prune_snapshots, publish

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
WAREHOUSE_FILE = Path("warehouse") / "supportlens.duckdb"
OPS_FILE = Path("ops") / "ops.duckdb"
CONFIG_FILE = Path("config") / CONFIG_FILE_NAME
LANDING_PARTS = ("_manifest", "_quarantine")


class BackupError(RuntimeError):
    """A backup cannot be made, or a backup folder cannot be restored (message says why)."""


def table_row_counts(database: Path) -> dict[str, int]:
    """Row count of every base table (schema-qualified) in a DuckDB file."""
    with duckdb.connect(str(database), read_only=True) as conn:
        tables = conn.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where not internal and not temporary and database_name = current_database() "
            "order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{table}": conn.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchone()[0]
            for schema, table in tables
        }


# Backup ------------------------------------------------------------------------------------


def _copy_database(settings: Settings, dest: Path) -> str:
    """Copy the snapshot (or the idle warehouse) to `dest`; returns which one it was."""
    published = settings.paths.published
    if published.exists():
        # Resolve once: the link may move to a newer snapshot while we copy; the file we
        # resolved to does not change.
        shutil.copyfile(published.resolve(), dest)
        return "published snapshot"
    warehouse = settings.paths.warehouse
    if not warehouse.exists():
        raise BackupError(f"nothing to back up: neither {published} nor {warehouse} exists")
    try:
        conn = duckdb.connect(str(warehouse))
    except duckdb.IOException as exc:
        raise BackupError(
            f"{warehouse}: another process holds the warehouse (a build or training?) and "
            f"there is no published snapshot to copy instead; retry when it ends: {exc}"
        ) from exc
    try:
        conn.execute("checkpoint")
        shutil.copyfile(warehouse, dest)
    finally:
        conn.close()
    return "working warehouse"


def _copy_ops(source: Path | None, dest: Path) -> bool:
    if source is None or not source.exists():
        return False
    # A checkpointing read keeps a half-written WAL out of the copy.
    dest.parent.mkdir(parents=True, exist_ok=True)
    from supportlens.ops.store import OpsStore

    with OpsStore(source).write() as conn:
        conn.execute("checkpoint")
        shutil.copyfile(source, dest)
    return True


def _files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def make_backup(settings: Settings, backup_root: Path, git_sha: str | None = None) -> Path:
    """Write one verified backup folder under `backup_root` and return it."""
    backup_root.mkdir(parents=True, exist_ok=True)
    name = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    staging = backup_root / f".{name}.partial"
    final = backup_root / name
    staging.mkdir()
    try:
        (staging / WAREHOUSE_FILE).parent.mkdir(parents=True)
        kind = _copy_database(settings, staging / WAREHOUSE_FILE)
        registry = settings.paths.registry_dir
        if registry.exists():
            shutil.copytree(registry, staging / "models", symlinks=False)
        for part in LANDING_PARTS:
            folder = settings.paths.landing_dir / part
            if folder.exists():
                shutil.copytree(folder, staging / "landing" / part)
        _copy_ops(settings.paths.ops_db, staging / OPS_FILE)
        config = settings.project_root / CONFIG_FILE_NAME
        if config.exists():
            (staging / CONFIG_FILE).parent.mkdir(parents=True)
            shutil.copyfile(config, staging / CONFIG_FILE)
        manifest = {
            "format": 1,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "supportlens_version": __version__,
            "git_sha": git_sha,
            "database_source": kind,
            "files": [
                {
                    "path": p.relative_to(staging).as_posix(),
                    "bytes": p.stat().st_size,
                    "sha256": file_sha256(p),
                }
                for p in _files(staging)
            ],
            "tables": table_row_counts(staging / WAREHOUSE_FILE),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.replace(staging, final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    log.info("backup written", extra={"path": str(final), "source": kind})
    return final


# Verify and restore ------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{folder}: not a backup (no {MANIFEST})") from exc
    except ValueError as exc:
        raise BackupError(f"{path}: unreadable manifest: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise BackupError(f"{path}: manifest has no 'files' list")
    return manifest


def verify(folder: Path) -> dict[str, Any]:
    """Check every file of the manifest; raise naming the first one that fails."""
    manifest = read_manifest(folder)
    for entry in manifest["files"]:
        path = folder / entry["path"]
        if not path.is_file():
            raise BackupError(f"{folder}: {entry['path']}: missing from the backup")
        if path.stat().st_size != entry["bytes"] or file_sha256(path) != entry["sha256"]:
            raise BackupError(f"{folder}: {entry['path']}: checksum mismatch (file damaged)")
    return manifest


def paths_under(data_dir: Path, paths: Paths) -> Paths:
    """The default data layout (supportlens.toml's `data/...`) rooted at `data_dir`."""
    return replace(
        paths,
        landing_dir=data_dir / "landing",
        warehouse=data_dir / "warehouse" / "supportlens.duckdb",
        published=data_dir / "published" / "supportlens.duckdb",
        registry_dir=data_dir / "models",
        ops_db=data_dir / "ops" / "ops.duckdb",
    )


@dataclass(frozen=True)
class Restored:
    paths: Paths
    published: Path
    tables: dict[str, int]


def restore(settings: Settings, folder: Path, into: Path | None, force: bool) -> Restored:
    """Restore a verified backup into the configured paths (or a data folder `into`)."""
    manifest = verify(folder)
    paths = paths_under(into, settings.paths) if into is not None else settings.paths
    targets = {
        "working warehouse": paths.warehouse,
        "published snapshot": paths.published,
        "model registry": paths.registry_dir,
        **{f"landing {p}": paths.landing_dir / p for p in LANDING_PARTS},
    }
    existing = [f"{what} ({path})" for what, path in targets.items() if path.exists()]
    if existing and not force:
        raise BackupError(
            "restore would overwrite existing data: "
            + "; ".join(existing)
            + ". Pass --force to replace it, or --into an empty folder."
        )
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    tmp = paths.warehouse.with_name(f".{paths.warehouse.name}.restore")
    shutil.copyfile(folder / WAREHOUSE_FILE, tmp)
    paths.warehouse.with_name(paths.warehouse.name + ".wal").unlink(missing_ok=True)
    os.replace(tmp, paths.warehouse)
    _replace_tree(folder / "models", paths.registry_dir)
    for part in LANDING_PARTS:
        _replace_tree(folder / "landing" / part, paths.landing_dir / part)
    if paths.ops_db is not None and (folder / OPS_FILE).exists():
        merge_history(paths.ops_db, folder / OPS_FILE)
    # The snapshot is published the one way every snapshot is (supportlens/warehouse.py).
    published = publish(replace(settings, paths=paths))
    counts = table_row_counts(published.resolve())
    expected = manifest.get("tables", {})
    differing = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
    if differing:
        raise BackupError(f"restored snapshot row counts differ from the backup: {differing}")
    log.info("backup restored", extra={"backup": str(folder), "published": str(published)})
    return Restored(paths=paths, published=published, tables=counts)


def merge_history(ops_db: Path, backed_up: Path) -> None:
    """Add the backup's run history to the ops file, keeping what is there.

    History only grows, and the restore itself is a run being recorded in this file, so
    the backup's rows are merged in (rows already present win) rather than copied over.
    """
    from supportlens.ops.store import OpsStore

    keys = {
        "ops_runs": ["run_id"],
        "ops_run_stages": ["run_id", "stage_index"],
        "ops_dbt_nodes": ["run_id", "stage_index", "unique_id"],
        "ops_alert_events": ["event_at", "rule", "scope", "channel", "attempt"],
        "ops_alert_state": ["rule", "scope"],
    }
    with OpsStore(ops_db).write() as conn:
        conn.execute(f"attach '{backed_up}' as backed_up (read_only)")
        try:
            for table, key in keys.items():
                match = " and ".join(f"t.{k} is not distinct from b.{k}" for k in key)
                conn.execute(
                    f"insert into {table} select * from backed_up.main.{table} as b "
                    f"where not exists (select 1 from {table} as t where {match})"
                )
        finally:
            conn.execute("detach backed_up")


def _replace_tree(source: Path, dest: Path) -> None:
    if not source.exists():
        return
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, dest)


# Retention ---------------------------------------------------------------------------------


def list_backups(backup_root: Path) -> list[Path]:
    """Finished backups, oldest first (names start with their UTC time)."""
    if not backup_root.exists():
        return []
    return sorted(p for p in backup_root.iterdir() if p.is_dir() and (p / MANIFEST).is_file())


def prune_backups(backup_root: Path, keep: int) -> list[Path]:
    if keep <= 0:
        return []
    removed = list_backups(backup_root)[:-keep]
    for old in removed:
        shutil.rmtree(old)
    return removed


def prune_archive(landing_dir: Path, keep_days: float, now: float | None = None) -> list[Path]:
    """Delete superseded loads in `_archive/` archived more than `keep_days` ago."""
    archive = landing_dir / "_archive"
    if keep_days <= 0 or not archive.exists():
        return []
    cutoff = (now or time.time()) - keep_days * 86400
    removed = []
    for load in sorted(archive.rglob("load_id=*")):
        if load.is_dir() and load.stat().st_mtime < cutoff:
            shutil.rmtree(load)
            removed.append(load)
    return removed


def prune_runs(ops_db: Path | None, keep_days: float) -> int:
    """Delete run history older than `keep_days` (runs with their stages and dbt nodes)."""
    if ops_db is None or keep_days <= 0 or not ops_db.exists():
        return 0
    from supportlens.ops.store import OpsStore

    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=keep_days)
    with OpsStore(ops_db).write() as conn:
        old = "select run_id from ops_runs where started_at < ? and status <> 'running'"
        for table in ("ops_run_stages", "ops_dbt_nodes"):
            conn.execute(f"delete from {table} where run_id in ({old})", [cutoff])
        conn.execute("delete from ops_alert_events where event_at < ?", [cutoff])
        deleted = conn.execute(
            "delete from ops_runs where started_at < ? and status <> 'running' returning 1",
            [cutoff],
        ).fetchall()
    return len(deleted)


def apply_retention(settings: Settings, backup_root: Path | None) -> dict[str, int]:
    """Every retention rule of supportlens.toml [ops]; returns what each removed."""
    ops = settings.ops
    removed = {
        "snapshots": len(prune_snapshots(settings.paths.published, ops.keep_snapshots)),
        "archived loads": len(prune_archive(settings.paths.landing_dir, ops.archive_keep_days)),
        "runs": prune_runs(settings.paths.ops_db, ops.runs_keep_days),
    }
    if backup_root is not None:
        removed["backups"] = len(prune_backups(backup_root, ops.keep_backups))
    return removed
