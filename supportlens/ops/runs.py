"""Run history: every data-changing command is a *run*, made of *stages*.

The CLI dispatcher wraps a command in `recorded(...)`; `supportlens run` wraps each of
its stages in `stage(...)`. A run row is written with status `running` before the
command starts and completed when it ends, so a run that is killed (SIGKILL, OOM, a
lost machine) stays visible: `list_runs` marks a `running` row whose process is gone as
`killed`. A command called by `supportlens run` (in the same process) is recorded as a
stage of that run, not as a run of its own.

Resources come from `getrusage`: CPU seconds are this process plus its waited-for
children (dbt, Evidence), measured as a difference over the run or stage; peak RSS is
the larger of this process's and its largest child's high-water mark at the end, so for
a stage it means "peak so far", which is the honest reading `getrusage` allows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import resource
import shlex
import socket
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportlens import __version__
from supportlens.config import Settings
from supportlens.ops.store import OpsStore
from supportlens.processes import process_alive, process_start_ticks

log = logging.getLogger(__name__)

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
INTERRUPTED = "interrupted"
KILLED = "killed"


def store_for(settings: Settings) -> OpsStore | None:
    """The configured ops file, or None when `[paths] ops_db` is not set."""
    path = settings.paths.ops_db
    return OpsStore(path) if path is not None else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _usage() -> tuple[float, float]:
    """(CPU seconds of this process + children, peak RSS MiB of this process or a child)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    # Linux reports ru_maxrss in KiB.
    return cpu, max(me.ru_maxrss, kids.ru_maxrss) / 1024.0


def git_sha(root: Path) -> str | None:
    """The checked-out commit, when the project is a git work tree."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


@dataclass
class Counters:
    """What a run or stage learned while it ran; commands fill it through `note_rows`."""

    rows_in: int | None = None
    rows_out: int | None = None
    error: str | None = None


@dataclass
class _Active:
    store: OpsStore
    run_id: str
    next_stage: int = 1
    stage_index: int | None = None
    counters: list[Counters] = field(default_factory=list)


_ACTIVE: ContextVar[_Active | None] = ContextVar("supportlens_active_run", default=None)


@dataclass
class Outcome:
    """Set by the caller inside `recorded`/`stage`: the exit code and whether it is ok."""

    exit_code: int = 0
    ok: bool | None = None
    error: str | None = None
    started_at: dt.datetime | None = None

    def status(self) -> str:
        ok = self.exit_code == 0 if self.ok is None else self.ok
        return SUCCEEDED if ok else FAILED


def note_rows(rows_in: int | None = None, rows_out: int | None = None) -> None:
    """Let the running command report the rows it read and wrote (no-op outside a run)."""
    active = _ACTIVE.get()
    if active is None or not active.counters:
        return
    counters = active.counters[-1]
    if rows_in is not None:
        counters.rows_in = (counters.rows_in or 0) + rows_in
    if rows_out is not None:
        counters.rows_out = (counters.rows_out or 0) + rows_out


def note_error(message: str) -> None:
    """Let a command that exits non-zero say why in its run row (no-op outside a run)."""
    active = _ACTIVE.get()
    if active is not None and active.counters:
        active.counters[-1].error = message.splitlines()[0][:2000] if message else None


def current_run_id() -> str | None:
    active = _ACTIVE.get()
    return active.run_id if active else None


def _safe(what: str, action: Any, *args: Any) -> Any:
    """Run one history write; a failure is a warning, never the command's failure."""
    try:
        return action(*args)
    except Exception as exc:  # OpsStoreError, OSError, every duckdb.Error: history is optional
        log.warning("run history not recorded", extra={"what": what, "reason": str(exc)})
    return None


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0][:2000] if text else type(exc).__name__


@contextmanager
def recorded(
    settings: Settings,
    command: str,
    argv: Sequence[str],
    dbt_target: Path | None = None,
) -> Iterator[Outcome]:
    """Record `command` as a run, or as a stage when a run is already active."""
    outcome = Outcome()
    active = _ACTIVE.get()
    target = dbt_target or settings.project_root / "target"
    # The command's own arguments (global flags such as -v come before its name).
    own = list(argv[list(argv).index(command) :]) if command in argv else [command]
    if active is not None:
        if active.stage_index is not None:
            # `supportlens run` opened the stage already; only dbt's node results remain.
            started = _now()
            yield outcome
            _safe("dbt nodes", _ingest_dbt, active, target, started, own)
            return
        with stage(command) as inner:
            yield outcome
            inner.exit_code, inner.ok, inner.error = outcome.exit_code, outcome.ok, outcome.error
            _safe("dbt nodes", _ingest_dbt, _ACTIVE.get(), target, inner.started_at or _now(), own)
        return
    store = store_for(settings)
    if store is None:
        yield outcome
        return
    run_id = f"{_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    started = _now()
    cpu0, _ = _usage()
    row = {
        "run_id": run_id,
        "command": command,
        "args": shlex.join(argv),
        "version": __version__,
        "git_sha": git_sha(settings.project_root),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "pid_started": process_start_ticks(os.getpid()),
        "started_at": started,
        "status": RUNNING,
    }
    _safe("run start", _start_run, store, row)
    active = _Active(store=store, run_id=run_id, counters=[Counters()])
    token = _ACTIVE.set(active)
    status = FAILED
    try:
        yield outcome
        status = outcome.status()
    except KeyboardInterrupt:
        status, outcome.error, outcome.exit_code = INTERRUPTED, "interrupted", 130
        raise
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        outcome.exit_code = code
        status = SUCCEEDED if code == 0 else FAILED
        raise
    except BaseException as exc:
        outcome.error, outcome.exit_code = _error_text(exc), 1
        raise
    finally:
        _ACTIVE.reset(token)
        if active.next_stage == 1:
            # A plain command (not `run`): its dbt results belong to the run itself.
            _safe("dbt nodes", _ingest_dbt, active, target, started, own)
        end = _end_columns(outcome, status, active.counters[0], cpu0)
        _safe("run end", _update, store, "ops_runs", end, {"run_id": run_id})


@contextmanager
def stage(name: str) -> Iterator[Outcome]:
    """Record one stage of the active run (a no-op outside a recorded run)."""
    outcome = Outcome()
    active = _ACTIVE.get()
    if active is None:
        yield outcome
        return
    index = active.next_stage
    active.next_stage += 1
    started = outcome.started_at = _now()
    cpu0, _ = _usage()
    _safe(
        "stage start",
        _insert,
        active.store,
        "ops_run_stages",
        {
            "run_id": active.run_id,
            "stage_index": index,
            "stage": name,
            "started_at": started,
            "status": RUNNING,
        },
    )
    counters = Counters()
    active.counters.append(counters)
    previous, active.stage_index = active.stage_index, index
    status = FAILED
    try:
        yield outcome
        status = outcome.status()
    except KeyboardInterrupt:
        status, outcome.error = INTERRUPTED, "interrupted"
        raise
    except BaseException as exc:
        outcome.error = _error_text(exc)
        raise
    finally:
        active.stage_index = previous
        active.counters.pop()
        end = _end_columns(outcome, status, counters, cpu0)
        if status != SUCCEEDED and active.counters:
            # The run's own error names the stage that stopped it.
            active.counters[0].error = f"stage '{name}': {end['error']}"
        _safe(
            "stage end",
            _update,
            active.store,
            "ops_run_stages",
            end,
            {"run_id": active.run_id, "stage_index": index},
        )


def _end_columns(outcome: Outcome, status: str, counters: Counters, cpu0: float) -> dict[str, Any]:
    """The columns a run and a stage both record when they end."""
    cpu1, rss = _usage()
    error = outcome.error or counters.error
    if error is None and status == FAILED:
        error = f"exit {outcome.exit_code}"
    return {
        "ended_at": _now(),
        "status": status,
        "exit_code": outcome.exit_code,
        "error": error,
        "cpu_seconds": round(cpu1 - cpu0, 3),
        "peak_rss_mib": round(rss, 1),
        "rows_in": counters.rows_in,
        "rows_out": counters.rows_out,
    }


def _start_run(store: OpsStore, row: dict[str, Any]) -> None:
    """Insert the `running` row; earlier runs whose process died are marked first.

    One connection for both: opening the ops file is most of what recording costs.
    """
    with store.write() as conn:
        _mark_dead(conn)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        conn.execute(f"insert into ops_runs ({columns}) values ({marks})", list(row.values()))


def _insert(store: OpsStore, table: str, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    with store.write() as conn:
        conn.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values()))


def _update(store: OpsStore, table: str, values: dict[str, Any], key: dict[str, Any]) -> None:
    sets = ", ".join(f"{k} = ?" for k in values)
    where = " and ".join(f"{k} = ?" for k in key)
    with store.write() as conn:
        conn.execute(f"update {table} set {sets} where {where}", [*values.values(), *key.values()])


# dbt's per-node results ------------------------------------------------------------------


def dbt_node_rows(run_results: Path) -> list[dict[str, Any]]:
    """One row per node of a dbt `run_results.json` (node, status, seconds, rows)."""
    data = json.loads(run_results.read_text(encoding="utf-8"))
    invocation = data.get("metadata", {}).get("invocation_id")
    rows = []
    for result in data.get("results", []):
        unique_id = str(result.get("unique_id", ""))
        timing = [t for t in result.get("timing") or [] if t.get("name") == "execute"]
        completed = timing[0].get("completed_at") if timing else None
        affected = (result.get("adapter_response") or {}).get("rows_affected")
        rows.append(
            {
                "invocation_id": invocation,
                "unique_id": unique_id,
                "resource_type": unique_id.split(".", 1)[0],
                "status": str(result.get("status", "")).lower(),
                "execution_seconds": result.get("execution_time"),
                "rows_affected": affected if isinstance(affected, int) else None,
                "message": (str(result["message"])[:2000] if result.get("message") else None),
                "completed_at": completed,
            }
        )
    return rows


def _selection(argv: Sequence[str]) -> set[str]:
    """The `--select`/`-s` values of a `supportlens build` command line."""
    selected: set[str] = set()
    taking = False
    for arg in argv[1:]:
        if arg in {"-s", "--select"}:
            taking = True
        elif arg.startswith("-"):
            taking = False
        elif taking:
            selected.add(arg)
    return selected


def _ingest_dbt(
    active: _Active | None, target: Path, since: dt.datetime, argv: Sequence[str] = ()
) -> None:
    """Store dbt's node results when this command wrote a fresh run_results.json.

    A `build` must also match the file's selection: several checkouts' commands may share
    one target/ folder, and a newer file can be another invocation's.
    """
    if active is None:
        return
    path = target / "run_results.json"
    try:
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except FileNotFoundError:
        return
    if modified < since - dt.timedelta(seconds=1):
        return
    if argv and argv[0] == "build":
        args = json.loads(path.read_text(encoding="utf-8")).get("args") or {}
        if "select" in args and set(args["select"] or []) != _selection(argv):
            log.info("run_results.json belongs to another dbt invocation; not stored")
            return
    rows = dbt_node_rows(path)
    stage_index = active.stage_index if active.stage_index is not None else 0
    with active.store.write() as conn:
        conn.execute(
            "delete from ops_dbt_nodes where run_id = ? and stage_index = ?",
            [active.run_id, stage_index],
        )
        for row in rows:
            conn.execute(
                "insert into ops_dbt_nodes (run_id, stage_index, invocation_id, unique_id, "
                "resource_type, status, execution_seconds, rows_affected, message, "
                "completed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [active.run_id, stage_index, *row.values()],
            )
    models_rows = sum(
        r["rows_affected"] or 0 for r in rows if r["resource_type"] in {"model", "seed"}
    )
    if rows and active.counters:
        active.counters[-1].rows_out = (active.counters[-1].rows_out or 0) + models_rows


# Reading ---------------------------------------------------------------------------------


def _mark_dead(conn: Any) -> int:
    """In an open writing connection: `running` runs of this host whose process is gone."""
    running = conn.execute(
        "select run_id, pid, pid_started from ops_runs where status = ? and host = ?",
        [RUNNING, socket.gethostname()],
    ).fetchall()
    dead = [run_id for run_id, pid, ticks in running if not process_alive(pid, ticks)]
    for run_id in dead:
        conn.execute(
            "update ops_runs set status = ?, error = coalesce(error, "
            "'process ended without recording an end (killed)') where run_id = ?",
            [KILLED, run_id],
        )
        conn.execute(
            "update ops_run_stages set status = ? where run_id = ? and status = ?",
            [KILLED, run_id, RUNNING],
        )
    if dead:
        log.info("marked killed runs", extra={"runs": len(dead)})
    return len(dead)


def mark_killed(store: OpsStore) -> int:
    """Mark `running` runs (and their stages) whose process is gone as `killed`."""
    if not store.exists():
        return 0
    with store.read() as conn:
        running = conn.execute(
            "select count(*) from ops_runs where status = ? and host = ?",
            [RUNNING, socket.gethostname()],
        ).fetchone()[0]
    if not running:
        return 0
    with store.write() as conn:
        return _mark_dead(conn)


def list_runs(store: OpsStore, limit: int = 20) -> list[dict[str, Any]]:
    """The newest runs first, with stale `running` rows resolved to `killed`."""
    if not store.exists():
        return []
    _safe("killed runs", mark_killed, store)
    with store.read() as conn:
        cursor = conn.execute(
            "select run_id, command, args, status, started_at, ended_at, "
            "epoch(ended_at) - epoch(started_at) as seconds, cpu_seconds, peak_rss_mib, "
            "rows_out, error, version, git_sha from ops_runs "
            "order by started_at desc limit ?",
            [limit],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def list_stages(store: OpsStore, run_id: str) -> list[dict[str, Any]]:
    with store.read() as conn:
        cursor = conn.execute(
            "select stage_index, stage, status, epoch(ended_at) - epoch(started_at) as seconds, "
            "cpu_seconds, peak_rss_mib, rows_out, error from ops_run_stages "
            "where run_id = ? order by stage_index",
            [run_id],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
