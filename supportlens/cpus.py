"""How many CPUs this process may use: the one answer for torch threads and worker pools."""

from __future__ import annotations

import os


def available_cpus() -> int:
    """CPUs in this process's affinity mask (a container's limit), not the host's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
