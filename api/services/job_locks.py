"""Which background jobs exclude each other, held as OS file locks across processes.

`supportlens serve` may run several worker processes, each with its own JobManager, so a
rule kept in memory would let worker A land while worker B replaces a raw file under it,
or start a second training that then fails on DuckDB's file lock. A `flock` on a lock
file is seen by every process on the machine; it is taken without waiting (a busy
resource is a 409 at once, never a queue) and the kernel drops it when the last
descriptor holding it closes, so a worker killed mid-job leaves no stale lock. The job's
child process inherits the descriptor: the resource stays held while the job's process
runs, even if the worker that started it dies first.

The holder writes which job it is into the file, so a refusal names that job whichever
process asks.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from supportlens.config import Settings

#: Raw files and the landing zone (`supportlens land`).
LANDING = "landing"
#: The working warehouse, which has one writer at a time (training).
WAREHOUSE_WRITER = "warehouse-writer"


def lock_files(settings: Settings) -> dict[str, Path]:
    """The lock file of each resource, beside what it guards (hidden: landing skips it)."""
    warehouse = settings.paths.warehouse
    return {
        LANDING: settings.paths.landing_dir / ".landing.lock",
        WAREHOUSE_WRITER: warehouse.with_name(f".{warehouse.name}.writer.lock"),
    }


class ResourceBusy(Exception):
    """Another open lock (this process or another) holds the resource."""

    def __init__(self, resource: str, holder: dict[str, Any]) -> None:
        super().__init__(resource)
        self.resource = resource
        #: What the holder wrote ({"job_id", "kind"}), or {} if it wrote nothing readable.
        self.holder = holder


class ResourceLock:
    """An exclusive flock on one lock file, held until `release` (or process exit)."""

    def __init__(self, resource: str, fd: int) -> None:
        self.resource = resource
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, resource: str, path: Path) -> ResourceLock:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ResourceBusy(resource, holder) from None
        except BaseException:
            os.close(fd)
            raise
        return cls(resource, fd)

    @property
    def fd(self) -> int:
        """The descriptor, for a child process to inherit (it then holds the lock too)."""
        if self._fd is None:
            raise RuntimeError(f"the {self.resource} lock was released")
        return self._fd

    def describe(self, holder: dict[str, Any]) -> None:
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps(holder).encode(), 0)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # a later holder that writes nothing is not named wrongly
        finally:
            os.close(fd)  # drops the lock unless a still-running child shares it


def _read_holder(fd: int) -> dict[str, Any]:
    # The holder may be between truncating and writing: then it is simply not named.
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}
