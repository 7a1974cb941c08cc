"""Background jobs: `supportlens` subcommands (train, land) run as child processes.

A child process, not a thread: training is CPU-heavy and writes the working warehouse
(one writer), and a crash there must not take the API down. A job's id is returned at
once and polled at GET /v1/jobs/{id}; jobs are kept for the life of the server.

Several workers (`[api] workers`) are several processes, so nothing a job needs to be
seen by the others lives only in memory: exclusivity is an OS file lock held for the
life of the job (`job_locks`), and with a `records_dir` (which `supportlens serve` makes
for its workers) each job's status is written there as JSON, so any worker answers for
any job.

That route needs no key, so what it shows is the subcommand as the caller asked for it
(never the interpreter or a server path) and a log tail with server folders masked.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import msgspec

from supportlens.api.errors import JobConflict, JobNotFound
from supportlens.api.schemas import JobOut, JobStatus
from supportlens.api.services.job_locks import ResourceBusy, ResourceLock
from supportlens.processes import process_alive

log = logging.getLogger(__name__)

LOG_TAIL_LINES = 40

OnSuccess = Callable[[], Awaitable[None]]


def _now() -> datetime:
    return datetime.now(UTC)


def masker(folders: Sequence[Path]) -> Callable[[str], str]:
    """Replace each folder (longest first) by `<name>` in log lines."""
    pairs = sorted(
        {(str(f), f"<{f.name or 'root'}>") for f in folders if len(str(f)) > 1},
        key=lambda pair: -len(pair[0]),
    )

    def mask(line: str) -> str:
        for folder, label in pairs:
            line = line.replace(folder, label)
        return line

    return mask


@dataclass
class Job:
    job_id: str
    kind: str
    #: The full argv run (server side only).
    argv: list[str]
    #: What clients see: the subcommand and its arguments, paths reduced to names.
    command: list[str]
    exclusive: str | None
    #: Held from submit until the child process has ended.
    lock: ResourceLock | None = None
    status: JobStatus = "queued"
    created_at: datetime = field(default_factory=_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None
    log: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_TAIL_LINES))

    def to_out(self) -> JobOut:
        return JobOut(
            job_id=self.job_id,
            kind=self.kind,
            status=self.status,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            exit_code=self.exit_code,
            command=self.command,
            log_tail=list(self.log),
        )


#: Job ids are uuid4 hex: anything else is never a file name in the records folder.
JOB_ID = re.compile(r"[0-9a-f]{32}")
ACTIVE: tuple[JobStatus, ...] = ("queued", "running")


class JobRecord(msgspec.Struct):
    """What one worker writes so the others can answer GET /v1/jobs/{id}."""

    owner_pid: int
    job: JobOut


class Reservation:
    """A resource held for a job about to be submitted (released unless submitted)."""

    def __init__(self, lock: ResourceLock) -> None:
        self.lock = lock
        self.submitted = False

    def __enter__(self) -> Reservation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self.submitted:
            self.lock.release()


class JobManager:
    def __init__(
        self,
        env: dict[str, str],
        cwd: Path,
        cli_command: list[str],
        private_folders: Sequence[Path] = (),
        lock_files: Mapping[str, Path] | None = None,
        records_dir: Path | None = None,
    ) -> None:
        self._env = env
        self._cwd = cwd
        #: argv prefix that runs a `supportlens` subcommand in a child process.
        self._cli_command = list(cli_command)
        self._mask = masker([cwd, *private_folders])
        #: Resource name -> its lock file (see job_locks.lock_files).
        self._lock_files = dict(lock_files or {})
        #: Shared with the other workers of this server; None: one process, memory only.
        self._records_dir = records_dir
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._processes: dict[str, asyncio.subprocess.Process] = {}

    def status(self, job_id: str) -> JobOut:
        job = self._jobs.get(job_id)
        if job is not None:
            return job.to_out()
        record = self._read_record(job_id)
        if record is None:
            raise JobNotFound(f"no job with id {job_id!r} (jobs are kept until the server stops)")
        out = record.job
        if out.status in ACTIVE and not process_alive(record.owner_pid):
            # Its worker died (uvicorn starts another): nobody will write the outcome.
            note = "the server worker that ran this job stopped before it finished"
            note += " (its outcome is unknown)"
            out = msgspec.structs.replace(out, status="failed", log_tail=[*out.log_tail, note])
        return out

    def reserve(self, exclusive: str) -> Reservation:
        """Hold `exclusive` now, or raise JobConflict (409) naming the job that holds it."""
        try:
            return Reservation(ResourceLock.acquire(exclusive, self._lock_files[exclusive]))
        except ResourceBusy as busy:
            raise self._conflict(busy) from None

    def _conflict(self, busy: ResourceBusy) -> JobConflict:
        rule = f"only one {busy.resource} job runs at a time"
        job_id, kind = busy.holder.get("job_id"), busy.holder.get("kind")
        if not isinstance(job_id, str) or not isinstance(kind, str):
            return JobConflict(f"another process holds the {busy.resource} resource; {rule}")
        try:
            status = self.status(job_id).status
        except JobNotFound:  # a worker without a records folder
            status = "running"
        if status not in ACTIVE:  # its worker died, but the job's process holds the lock
            status = "running"
        return JobConflict(
            f"job {job_id} ({kind}) is still {status}; {rule}", extra={"job_id": job_id}
        )

    def submit(
        self,
        kind: str,
        args: list[str],
        exclusive: str | None = None,
        on_success: OnSuccess | None = None,
        reserved: Reservation | None = None,
    ) -> Job:
        """Run `supportlens <args>` now; `exclusive` names a resource only one running job
        may hold (`reserved`: one already held for this job)."""
        if reserved is None and exclusive is not None:
            reserved = self.reserve(exclusive)
        job = Job(
            job_id=uuid.uuid4().hex,
            kind=kind,
            argv=[*self._cli_command, *args],
            command=[Path(a).name if "/" in a else a for a in args],
            exclusive=reserved.lock.resource if reserved is not None else None,
            lock=reserved.lock if reserved is not None else None,
        )
        if reserved is not None:
            reserved.submitted = True
            reserved.lock.describe({"job_id": job.job_id, "kind": kind, "pid": os.getpid()})
        self._jobs[job.job_id] = job
        self._save(job)
        task = asyncio.get_running_loop().create_task(self._run(job, on_success))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        log.info("job submitted", extra={"job_id": job.job_id, "kind": kind})
        return job

    async def _run(self, job: Job, on_success: OnSuccess | None) -> None:
        try:
            await self._run_child(job)
        finally:
            if job.lock is not None:
                job.lock.release()
            if job.status in ACTIVE:  # cancelled at shutdown
                job.status, job.finished_at = "failed", _now()
            self._save(job)
        log.info("job finished", extra={"job_id": job.job_id, "exit_code": job.exit_code})
        if job.status == "succeeded" and on_success is not None:
            try:
                await on_success()
            except Exception:  # the job itself succeeded; a failed follow-up is only logged
                log.exception("job follow-up failed", extra={"job_id": job.job_id})

    async def _run_child(self, job: Job) -> None:
        job.status = "running"
        job.started_at = _now()
        self._save(job)
        try:
            process = await asyncio.create_subprocess_exec(
                *job.argv,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL,
                env=self._env,
                cwd=self._cwd,
                # The child holds the job's lock too: it stays held while the child
                # runs, even if this worker dies first.
                pass_fds=(job.lock.fd,) if job.lock is not None else (),
            )
        except OSError as exc:
            log.error("cannot start job", extra={"job_id": job.job_id, "error": str(exc)})
            job.log.append(f"cannot start the {job.kind} job (the server log has the reason)")
            job.status, job.exit_code, job.finished_at = "failed", -1, _now()
            return
        self._processes[job.job_id] = process
        assert process.stdout is not None
        async for raw in process.stdout:
            job.log.append(self._mask(raw.decode("utf-8", errors="replace").rstrip()))
            self._save(job)
        job.exit_code = await process.wait()
        self._processes.pop(job.job_id, None)
        job.finished_at = _now()
        job.status = "succeeded" if job.exit_code == 0 else "failed"

    def _save(self, job: Job) -> None:
        """Write the job's status for the other workers (replaced whole, never torn)."""
        if self._records_dir is None:
            return
        path = self._records_dir / f"{job.job_id}.json"
        tmp = path.with_name(f".{job.job_id}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(msgspec.json.encode(JobRecord(os.getpid(), job.to_out())))
            os.replace(tmp, path)
        except OSError as exc:  # the job runs on; only other workers miss this update
            log.warning("cannot write job record", extra={"job_id": job.job_id, "error": str(exc)})

    def _read_record(self, job_id: str) -> JobRecord | None:
        if self._records_dir is None or not JOB_ID.fullmatch(job_id):
            return None
        try:
            data = (self._records_dir / f"{job_id}.json").read_bytes()
        except FileNotFoundError:
            return None
        return msgspec.json.decode(data, type=JobRecord)

    async def shutdown(self) -> None:
        """Stop children of this server (only those it started) when the app stops."""
        for process in list(self._processes.values()):
            if process.returncode is None:
                process.terminate()
        for task in list(self._tasks):
            try:
                await asyncio.wait_for(task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
