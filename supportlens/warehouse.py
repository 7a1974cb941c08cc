"""One writer, many readers.

DuckDB allows one process to open a file for writing; any other process, even read-only,
then fails at once with "Could not set lock on file". So dbt and training write the
*working* warehouse, and on success the pipeline *publishes* a read-only snapshot: a
versioned copy under `snapshots/`, with the stable published path (a symlink) swapped to
it atomically. Readers (API, Evidence, SQL users) only ever open the snapshot; a reader
that holds an older version keeps a consistent view until it re-opens.
"""

from __future__ import annotations

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


#: Older snapshot files kept beside the newest, for readers still holding them open.
KEEP_SNAPSHOTS = 3


def snapshots_dir(published: Path) -> Path:
    return published.parent / "snapshots"


def publish(settings: Settings) -> Path:
    """Publish a copy of the working warehouse as the new read-only snapshot.

    Each publish writes a new versioned file under `snapshots/` and then atomically swaps
    the stable path (a symlink) to it. Versioned names matter: DuckDB caches database
    instances by path inside a process, so a reader re-opening the *same* path would be
    handed the old instance; a new path guarantees the new data.
    """
    source = settings.paths.warehouse
    target = settings.paths.published
    if not source.exists():
        raise FileNotFoundError(f"{source}: no working warehouse to publish; run supportlens build")
    # A checkpoint folds the WAL into the file so the copy is complete on its own.
    with duckdb.connect(str(source)) as conn:
        conn.execute("checkpoint")
    folder = snapshots_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    version = f"{target.stem}-{time.time_ns()}{target.suffix}"
    tmp_copy = folder / f".{version}.tmp"
    shutil.copyfile(source, tmp_copy)
    os.replace(tmp_copy, folder / version)
    tmp_link = target.with_name(f".{target.name}.{os.getpid()}.link")
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(Path("snapshots") / version)
    os.replace(tmp_link, target)
    _prune(folder, keep=KEEP_SNAPSHOTS)
    log.info("published snapshot", extra={"path": str(target), "version": version})
    return target


def _prune(folder: Path, keep: int) -> None:
    versions = sorted(folder.glob("*.duckdb"), key=lambda p: p.stat().st_mtime_ns)
    for old in versions[:-keep]:
        # Readers that still hold the file keep reading it: unlink only drops the name.
        old.unlink(missing_ok=True)


def reader(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot."""
    path = settings.paths.published
    if not path.exists():
        raise WarehouseNotPublishedError(
            f"{path}: no published warehouse yet; run `supportlens run` (or `supportlens build`)"
        )
    return duckdb.connect(str(path.resolve()), read_only=True)


@dataclass
class _Opened:
    conn: duckdb.DuckDBPyConnection
    identity: Path


class SnapshotReader:
    """A shared read-only connection that re-opens when a new snapshot is published.

    Each call to `cursor()` returns a cursor of the newest snapshot; cursors already
    handed out keep reading the snapshot they started on.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._opened: _Opened | None = None

    def _identity(self) -> Path:
        return self._settings.paths.published.resolve(strict=True)

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
