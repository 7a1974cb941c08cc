"""One writer, many readers.

DuckDB allows one process to open a file for writing; any other process, even read-only,
then fails at once with "Could not set lock on file". So dbt and training write the
*working* warehouse, and on success the pipeline *publishes* a read-only snapshot: a
versioned copy under `snapshots/`, with the stable published path (a symlink) swapped to
it atomically. Readers (API, Evidence, SQL users) only ever open the snapshot; a reader
that holds an older version keeps a consistent view until it re-opens.
"""

from __future__ import annotations

import fcntl
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

from supportlens import build_state
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


#: Lock file (in the snapshots folder) that serialises publishes.
PUBLISH_LOCK_NAME = ".publish.lock"


class WarehouseNotPublishableError(RuntimeError):
    """The working warehouse must not be published (half-built, failed, or locked)."""


def snapshots_dir(published: Path) -> Path:
    return published.parent / "snapshots"


def publish(settings: Settings) -> Path:
    """Publish a frozen copy of the working warehouse as the new read-only snapshot.

    Each publish writes a new versioned file under `snapshots/` and then atomically swaps
    the stable path (a symlink) to it. Versioned names matter: DuckDB caches database
    instances by path inside a process, so a reader re-opening the *same* path would be
    handed the old instance; a new path guarantees the new data.

    Crash safety: the copy is taken while this process holds the warehouse's write lock
    (no build can start half-way through it), only from a warehouse whose last build
    finished (`build_state`), and it is complete and frozen (`freeze_views`) before its
    final name appears. A publish killed at any point leaves the previous snapshot in
    place; its leftovers (`.tmp` copies, `.link` symlinks) are removed by the next one.
    """
    source = settings.paths.warehouse
    target = settings.paths.published
    if not source.exists():
        raise FileNotFoundError(f"{source}: no working warehouse to publish; run supportlens build")
    folder = snapshots_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    with _publish_lock(folder):
        remove_leftovers(target)
        version = f"{target.stem}-{time.time_ns()}{target.suffix}"
        tmp_copy = folder / f".{version}.tmp"
        try:
            _copy_built_warehouse(source, tmp_copy)
            frozen = freeze_views(tmp_copy, catalog=source.stem)
            _fsync(tmp_copy)
            os.replace(tmp_copy, folder / version)
        finally:
            tmp_copy.unlink(missing_ok=True)
        tmp_link = target.with_name(f".{target.name}.{os.getpid()}.link")
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(Path("snapshots") / version)
        os.replace(tmp_link, target)
        # The renames are durable only once their folders are on disk (a power cut must
        # not leave the link pointing at a name that was never written).
        _fsync(folder)
        _fsync(target.parent)
        _prune(folder, folder / version, keep=settings.ops.keep_snapshots)
    log.info(
        "published snapshot",
        extra={"path": str(target), "version": version, "frozen_views": len(frozen)},
    )
    return target


@contextmanager
def _publish_lock(folder: Path) -> Iterator[None]:
    """One publish at a time, so a publish's leftovers are never another's work in flight."""
    with (folder / PUBLISH_LOCK_NAME).open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(published: Path) -> list[Path]:
    """Delete partial `.tmp` copies and `.link` symlinks that a killed publish left.

    Call with the publish lock held (or when no publish can run): a leftover is then
    never a live publish's file.
    """
    folder = snapshots_dir(published)
    leftovers = [*folder.glob(".*.tmp"), *published.parent.glob(f".{published.name}.*.link")]
    # A complete copy the killed publish never linked: newer than the published one.
    current = published.resolve() if published.is_symlink() else None
    if current is not None and current.exists():
        newest = current.stat().st_mtime_ns
        leftovers += [
            p for p in folder.glob("*.duckdb") if p != current and p.stat().st_mtime_ns > newest
        ]
    for path in leftovers:
        path.unlink(missing_ok=True)
    if leftovers:
        log.warning(
            "removed leftovers of an interrupted publish",
            extra={"files": [str(p) for p in leftovers]},
        )
    return leftovers


def _copy_built_warehouse(source: Path, copy: Path) -> None:
    """Copy the working warehouse, refusing one whose last build did not finish."""
    try:
        conn = duckdb.connect(str(source))
    except duckdb.IOException as exc:
        raise WarehouseNotPublishableError(
            f"{source}: cannot take the write lock (a build, training run or other writer "
            f"is still running?): {exc}"
        ) from exc
    try:
        reason = build_state.refusal(build_state.last_build(conn))
        if reason:
            raise WarehouseNotPublishableError(f"{source}: not published: {reason}")
        # A checkpoint folds the WAL into the file so the copy is complete on its own;
        # holding the connection keeps every other writer out until the copy is done.
        conn.execute("checkpoint")
        shutil.copyfile(source, copy)
    finally:
        conn.close()


def freeze_views(database: Path, catalog: str | None = None) -> list[str]:
    """Replace every view in `database` with a table holding its current rows.

    Staging models are views over the landed Parquet folders: left as views in a
    snapshot, they would show whatever `land` wrote after the publish. A snapshot must
    hold exactly what was published, so each view becomes a table. Views may read views;
    replacing one by a table of the same rows and name changes no other view's result.

    dbt-duckdb writes views with catalog-qualified names (`"supportlens"."main"."x"`), the
    catalog being the working file's stem; the copy is attached under that name
    (`catalog`) so those references resolve.
    """
    alias = (catalog or database.stem).replace('"', '""')
    frozen: list[str] = []
    with duckdb.connect() as conn:
        # Row order is not part of any model's contract; without it DuckDB writes in parallel.
        conn.execute("set preserve_insertion_order = false")
        conn.execute(f"attach '{_sql_string(database)}' as \"{alias}\"")
        conn.execute(f'use "{alias}"')
        views = conn.execute(
            "select schema_name, view_name from duckdb_views() "
            "where not internal and not temporary and database_name = ? "
            "order by schema_name, view_name",
            [catalog or database.stem],
        ).fetchall()
        for schema, view in views:
            name = f'"{alias}"."{schema}"."{view}"'
            staged = f'"{alias}"."{schema}"."{view}__frozen"'
            try:
                conn.execute("begin transaction")
                conn.execute(f"create table {staged} as select * from {name}")
                conn.execute(f"drop view {name}")
                conn.execute(f'alter table {staged} rename to "{view}"')
                conn.execute("commit")
            except duckdb.Error as exc:
                conn.execute("rollback")
                raise WarehouseNotPublishableError(
                    f"{database}: view {schema}.{view} cannot be frozen into the snapshot: {exc}"
                ) from exc
            frozen.append(f"{schema}.{view}")
        conn.execute(f'checkpoint "{alias}"')
        conn.execute("use memory")
        conn.execute(f'detach "{alias}"')
    return frozen


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


def prune_snapshots(published: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` snapshot files (`[ops] keep_snapshots`), the current one always.

    Retention calls this; `publish` prunes the same way after each swap. Both hold the
    publish lock, so a publish in flight never sees its new file removed.
    """
    folder = snapshots_dir(published)
    if not folder.exists():
        return []
    with _publish_lock(folder):
        current = published.resolve() if published.exists() else None
        return _prune(folder, current, keep)


def _prune(folder: Path, current: Path | None, keep: int) -> list[Path]:
    if keep < 1:
        raise ValueError(f"keep_snapshots = {keep}: the current snapshot must stay (>= 1)")
    versions = sorted(folder.glob("*.duckdb"), key=lambda p: p.stat().st_mtime_ns)
    removed = [p for p in versions[:-keep] if p.resolve() != current]
    for old in removed:
        # Readers that still hold the file keep reading it: unlink only drops the name.
        old.unlink(missing_ok=True)
    return removed


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
