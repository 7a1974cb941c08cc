"""Is another process still running? One answer for run history, API jobs and /metrics.

A killed process stays a zombie until its parent reaps it (uvicorn's supervisor reaps
its workers only when it gets round to it), and `kill(pid, 0)` succeeds on a zombie;
it will never finish anything, so it counts as gone. A pid can also be reused: callers
that recorded the process's start time pass it, and another process under the same pid
counts as gone too.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        stat = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # "pid (command) state ...": the command may hold spaces or parentheses.
    return stat.rpartition(")")[2].split()


def process_start_ticks(pid: int) -> int | None:
    """Start time of a process in clock ticks since boot (tells a reused pid apart)."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None  # field 22 of stat


def process_alive(pid: int, started: int | None = None) -> bool:
    """Whether `pid` runs (not a zombie) and, given `started`, is the process that
    started then."""
    if (PROC / "self" / "stat").exists():
        fields = _stat_fields(pid)
        if fields is None or fields[0] in ("Z", "X"):
            return False
        return started is None or int(fields[19]) == started
    try:  # no /proc: existence is all that can be told
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True
