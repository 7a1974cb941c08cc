"""Atomic file writes: write beside the target, then `os.replace` it into place.

A crash at any point leaves either the old file or the new one, never half a file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_parquet_atomic(table: pa.Table, target: Path) -> None:
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)


def move_atomic(source: Path, target: Path) -> None:
    """Move a file into place with one rename (both paths on the landing file system)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def prune_empty_dirs(path: Path, stop: Path) -> None:
    """Remove `path` and its parents while they are empty, up to (not including) `stop`."""
    current = path
    while current != stop and stop in current.parents:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent
