"""One build at a time per output folder (a second one fails at once, naming the first)."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from supportlens.report.project import ReportError


def lock_path_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Hold the build lock of `target`; the lock file lives beside it, never in git."""
    path = lock_path_for(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ReportError(f"{path}: another `supportlens report` is building {target}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
