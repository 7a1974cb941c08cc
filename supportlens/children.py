"""Child processes that never outlive the command that started them.

A `supportlens build` killed while dbt runs used to leave dbt running on its own, holding
the working warehouse's write lock, so the next build or publish failed with "Could not
set lock". Two mechanisms close that gap:

- SIGKILL of the parent cannot be caught, so the child asks the kernel to kill it when
  its parent dies (Linux `prctl(PR_SET_PDEATHSIG)`, set between fork and exec);
- SIGTERM, SIGINT and SIGHUP of the parent are forwarded to the child, which gets
  `GRACE_SECONDS` to stop before SIGKILL; the parent then exits as the signal asked.

The child stays in the parent's process group, so a Ctrl+C in the terminal and a
`kill -- -PGID` reach both.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

#: Seconds a child gets to stop after a forwarded signal before it is killed.
GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1


def _death_signal_setter() -> Callable[[], None] | None:
    """A pre-exec function that makes the child die with its parent (Linux only).

    Built in the parent so that the child, between fork and exec, only makes one C call.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def set_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        # The parent may have died before prctl took effect: then no signal will come.
        if os.getppid() != parent:
            os._exit(1)

    return set_death_signal


def run_child(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> int:
    """Run `command` to completion, tied to this process; returns its exit code."""
    # preexec_fn is unsafe when it takes Python-level locks; this one makes one C call.
    process = subprocess.Popen(
        list(command),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        preexec_fn=_death_signal_setter(),
    )
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        # Signal handlers can only be installed from the main thread; the death signal
        # still covers a parent that dies.
        return process.wait()

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if process.poll() is None:
            process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS}
    deadline: float | None = None
    try:
        while True:
            # Short waits: a handler runs between them, and the grace period is timed.
            try:
                code = process.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if received and deadline is None:
                    deadline = time.monotonic() + GRACE_SECONDS
                if deadline is not None and time.monotonic() > deadline:
                    log.warning(
                        "child ignored the forwarded signal; killing it",
                        extra={"pid": process.pid},
                    )
                    process.kill()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        # Exit as the signal asked (after the child is gone): 128 + signal number.
        log.info("stopped by signal", extra={"signal": received[0], "child_exit": code})
        raise SystemExit(128 + received[0])
    return code
