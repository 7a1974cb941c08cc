"""One writer, many readers.

DuckDB allows one process to open a file for writing; any other process, even read-only,
then fails at once with "Could not set lock on file". So dbt and training write the
*working* warehouse, and on success the pipeline *publishes* a read-only snapshot: the
working file is copied to a temporary name beside the snapshot and renamed over it
atomically. Readers (API, Evidence, SQL users) only ever open the snapshot; a reader that
holds the old file keeps a consistent view (the old inode) until it re-opens.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from supportlens.config import Settings

log = logging.getLogger(__name__)


class WarehouseNotPublishedError(FileNotFoundError):
    """No snapshot yet: the pipeline has not run."""


@contextmanager
def writer(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the working warehouse for writing (one process at a time)."""
    settings.paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(settings.paths.warehouse))
    try:
        yield conn
    finally:
        conn.close()


def snapshot_marker(published: Path) -> Path:
    return published.with_suffix(published.suffix + ".json")


def publish(settings: Settings) -> Path:
    """Atomically replace the published snapshot with a copy of the working warehouse."""
    source = settings.paths.warehouse
    target = settings.paths.published
    if not source.exists():
        raise FileNotFoundError(f"{source}: no working warehouse to publish; run supportlens build")
    # A checkpoint folds the WAL into the file so the copy is complete on its own.
    with duckdb.connect(str(source)) as conn:
        conn.execute("checkpoint")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    marker = {"published_at": time.time(), "source": str(source), "bytes": target.stat().st_size}
    tmp_marker = snapshot_marker(target).with_suffix(".tmp")
    tmp_marker.write_text(json.dumps(marker), encoding="utf-8")
    os.replace(tmp_marker, snapshot_marker(target))
    log.info("published snapshot", extra={"path": str(target), "bytes": marker["bytes"]})
    return target


def reader(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot."""
    path = settings.paths.published
    if not path.exists():
        raise WarehouseNotPublishedError(
            f"{path}: no published warehouse yet; run `supportlens run` (or `supportlens build`)"
        )
    return duckdb.connect(str(path), read_only=True)


@dataclass
class _Opened:
    conn: duckdb.DuckDBPyConnection
    identity: tuple[int, int]


class SnapshotReader:
    """A shared read-only connection that re-opens when a new snapshot is published.

    Each call to `cursor()` returns a cursor of the newest snapshot; cursors already
    handed out keep reading the snapshot they started on.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._opened: _Opened | None = None

    def _identity(self) -> tuple[int, int]:
        stat = self._settings.paths.published.stat()
        return (stat.st_ino, stat.st_mtime_ns)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            try:
                identity = self._identity()
            except FileNotFoundError as exc:
                raise WarehouseNotPublishedError(
                    f"{self._settings.paths.published}: no published warehouse yet; "
                    "run `supportlens run`"
                ) from exc
            if self._opened is None or self._opened.identity != identity:
                conn = reader(self._settings)
                self._opened = _Opened(conn, identity)
                log.info("opened snapshot", extra={"path": str(self._settings.paths.published)})
            return self._opened.conn.cursor()

    def close(self) -> None:
        with self._lock:
            if self._opened is not None:
                self._opened.conn.close()
                self._opened = None
