"""A `supportlens build` stopped half-way: no dbt left holding the lock, nothing published.

dbt is replaced by a stand-in that takes the warehouse's write lock and waits, as dbt does
while it builds; the `build` process is then killed the way a user or a supervisor would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from supportlens import build_state

#: Runs `build_recorded` with dbt swapped for a process that holds the write lock.
BUILD_WITH_STAND_IN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from supportlens.commands import build
    from supportlens.config import load_settings

    STAND_IN = '''
    import duckdb, os, sys, time
    conn = duckdb.connect(os.environ["SUPPORTLENS_PATHS_WAREHOUSE"])
    conn.execute("create or replace table half_built as select 1 as v")
    print("dbt-pid", os.getpid(), flush=True)
    time.sleep(120)
    '''
    build.dbt_command = lambda settings, sub, extra, target: [sys.executable, "-c", STAND_IN]
    sys.exit(build.build_recorded(load_settings(), [], Path(sys.argv[1])))
    """
)


def _start_build(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ)
    env["SUPPORTLENS_PATHS_WAREHOUSE"] = str(tmp_path / "work.duckdb")
    env["SUPPORTLENS_PATHS_PUBLISHED"] = str(tmp_path / "pub" / "snap.duckdb")
    build = subprocess.Popen(
        [sys.executable, "-c", BUILD_WITH_STAND_IN, str(tmp_path / "target")],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert build.stdout is not None
    line = build.stdout.readline().split()
    assert line[:1] == ["dbt-pid"], line
    return build, int(line[1])


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killed_build_leaves_no_dbt_and_an_unpublishable_warehouse(
    tmp_path: Path, how: signal.Signals
) -> None:
    build, dbt_pid = _start_build(tmp_path)
    build.send_signal(how)
    build.wait(timeout=30)
    if how is not signal.SIGKILL:
        # The signal reached dbt, and build exits as that signal asked.
        assert build.returncode == 128 + how
    assert _gone(dbt_pid), f"dbt stand-in {dbt_pid} outlived the killed build"
    # The write lock is free at once: the next build or publish can start.
    with duckdb.connect(str(tmp_path / "work.duckdb")) as conn:
        record = build_state.last_build(conn)
    assert record is not None
    assert record.state in {build_state.BuildState.BUILDING, build_state.BuildState.FAILED}
    assert build_state.refusal(record)
