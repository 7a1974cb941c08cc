"""Background jobs: `supportlens` subcommands (train, land) run as child processes.

A child process, not a thread: training is CPU-heavy and writes the working warehouse
(one writer), and a crash there must not take the API down. Jobs live in memory for the
life of the server; their id is returned at once and polled at GET /v1/jobs/{id}.

That route needs no key, so what it shows is the subcommand as the caller asked for it
(never the interpreter or a server path) and a log tail with server folders masked.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from supportlens.api.errors import JobConflict, JobNotFound
from supportlens.api.schemas import JobOut, JobStatus

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


class JobManager:
    def __init__(
        self,
        env: dict[str, str],
        cwd: Path,
        cli_command: list[str],
        private_folders: Sequence[Path] = (),
    ) -> None:
        self._env = env
        self._cwd = cwd
        #: argv prefix that runs a `supportlens` subcommand in a child process.
        self._cli_command = list(cli_command)
        self._mask = masker([cwd, *private_folders])
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._processes: dict[str, asyncio.subprocess.Process] = {}

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFound(f"no job with id {job_id!r} (jobs are kept until the server stops)")
        return job

    def ensure_free(self, exclusive: str) -> None:
        """Raise JobConflict (409) while a queued or running job holds `exclusive`."""
        for other in self._jobs.values():
            if other.exclusive == exclusive and other.status in ("queued", "running"):
                raise JobConflict(
                    f"job {other.job_id} ({other.kind}) is still {other.status}; "
                    f"only one {exclusive} job runs at a time",
                    extra={"job_id": other.job_id},
                )

    def submit(
        self,
        kind: str,
        args: list[str],
        exclusive: str | None = None,
        on_success: OnSuccess | None = None,
    ) -> Job:
        """Run `supportlens <args>` now; `exclusive` names a resource only one running job
        may hold."""
        if exclusive is not None:
            self.ensure_free(exclusive)
        job = Job(
            job_id=uuid.uuid4().hex,
            kind=kind,
            argv=[*self._cli_command, *args],
            command=[Path(a).name if "/" in a else a for a in args],
            exclusive=exclusive,
        )
        self._jobs[job.job_id] = job
        task = asyncio.get_running_loop().create_task(self._run(job, on_success))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        log.info("job submitted", extra={"job_id": job.job_id, "kind": kind})
        return job

    async def _run(self, job: Job, on_success: OnSuccess | None) -> None:
        job.status = "running"
        job.started_at = _now()
        try:
            process = await asyncio.create_subprocess_exec(
                *job.argv,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL,
                env=self._env,
                cwd=self._cwd,
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
        job.exit_code = await process.wait()
        self._processes.pop(job.job_id, None)
        job.finished_at = _now()
        job.status = "succeeded" if job.exit_code == 0 else "failed"
        log.info("job finished", extra={"job_id": job.job_id, "exit_code": job.exit_code})
        if job.status == "succeeded" and on_success is not None:
            try:
                await on_success()
            except Exception:  # the job itself succeeded; a failed follow-up is only logged
                log.exception("job follow-up failed", extra={"job_id": job.job_id})

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
