"""`process_alive`: the one answer run history, API jobs and /metrics use."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from supportlens.processes import process_alive, process_start_ticks


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


def test_a_killed_unreaped_process_counts_as_gone() -> None:
    """A SIGKILLed API worker is a zombie until uvicorn reaps it; its jobs must read as
    orphaned at once, not 'running' for as long as the supervisor takes."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert process_alive(child.pid)
        child.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _state(child.pid) != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert not process_alive(child.pid)  # killed, not yet reaped (we have not waited)
    finally:
        child.kill()
        child.wait()
    assert not process_alive(child.pid)


def test_a_reused_pid_is_not_the_recorded_process() -> None:
    started = process_start_ticks(os.getpid())
    assert started is not None
    assert process_alive(os.getpid(), started)
    assert not process_alive(os.getpid(), started + 1)  # another process under this pid
    assert process_start_ticks(2**22 + 1) is None  # above the kernel's pid_max
    assert not process_alive(2**22 + 1)
