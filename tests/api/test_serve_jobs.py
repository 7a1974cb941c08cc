"""Background jobs under `supportlens serve` with 2 workers (two processes, two JobManagers).

A landing job started through one worker must refuse an upload that reaches the other
worker (409, the raw file left alone), and the job's status must answer from either
worker, not 404 on the one that did not start it.

What keeps the landing job running while the test probes both workers is real: the job
records its run in the ops file first, and while another process (this test) holds that
DuckDB file, the job waits for it (`OpsStore` retries for up to 10 s).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import msgspec
import pytest
from api_fakes import auth
from test_datasets_refusals import FIRST, SECOND
from test_serve import _pids, _samples, _serve, _wait, _worker_request_counts, free_port

from supportlens.api.errors import JobNotFound
from supportlens.api.schemas import JobOut
from supportlens.api.services.jobs import JobManager, JobRecord
from supportlens.config import Settings, load_settings

#: Shorter than the 10 s a job waits for the ops file, so the job surely runs throughout.
HOLD_SECONDS = 5.0


def _upload(base: str, content: bytes, land: str) -> httpx.Response:
    # A new connection per request, so the kernel hands each one to either worker.
    return httpx.post(
        f"{base}/v1/datasets",
        data={"source": "twcs", "land": land},
        files={"file": ("twcs.csv", content)},
        headers=auth("k"),  # the key _serve gives the server
        timeout=30,
    )


def _job(base: str, job_id: str) -> httpx.Response:
    return httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10)


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: [state, parent pid, ...]; None if gone."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _state(pid: int) -> str | None:
    fields = _stat(pid)
    return fields[0] if fields else None


def _landing_child(worker: int) -> int:
    """The pid of the `supportlens land` process `worker` started, once it runs."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for proc in Path("/proc").glob("[0-9]*"):
            fields = _stat(int(proc.name))
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except (FileNotFoundError, ProcessLookupError):
                continue
            if fields and int(fields[1]) == worker and b"land" in argv:
                return int(proc.name)
        time.sleep(0.1)
    raise AssertionError(f"worker {worker} started no landing process")


def _two_workers(base: str) -> set[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = httpx.get(f"{base}/metrics", timeout=10).text
        workers = _pids(_samples(text, "supportlens_process_resident_memory_bytes"))
        if len(workers) == 2:
            return workers
        time.sleep(0.3)
    raise AssertionError("two workers did not start")


def test_a_landing_job_is_exclusive_and_visible_across_two_workers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ops_db = tmp_path / "ops" / "ops.duckdb"
    ops_db.parent.mkdir()
    monkeypatch.setenv("SUPPORTLENS_PATHS_OPS_DB", str(ops_db))
    server_tmp = tmp_path / "server-tmp"  # where serve makes its per-run folders
    server_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(server_tmp))
    settings = load_settings()
    target = settings.paths.raw_dir / "twcs" / "twcs.csv"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(settings, port, workers="2")
    try:
        _wait(base, server)
        workers = _two_workers(base)
        (metrics_dir,) = server_tmp.glob("supportlens-prometheus-*")

        held = duckdb.connect(str(ops_db))  # the landing job waits for this file
        try:
            first = _upload(base, FIRST, land="true")
            assert first.status_code == 201, first.text
            job_id = first.json()["landing_job"]["job_id"]
            refusals: list[httpx.Response] = []
            statuses: list[httpx.Response] = []
            deadline = time.monotonic() + HOLD_SECONDS
            while time.monotonic() < deadline:
                refusals.append(_upload(base, SECOND, land="false"))
                statuses.append(_job(base, job_id))
        finally:
            held.close()

        uploads = _worker_request_counts(metrics_dir, "/v1/datasets")
        assert set(uploads) == workers and min(uploads.values()) >= 2, uploads
        assert [r.status_code for r in refusals] == [409] * len(refusals), [
            r.text for r in refusals if r.status_code != 409
        ]
        for refusal in refusals:
            body = refusal.json()
            assert body["status_code"] == 409 and body["extra"] == {"job_id": job_id}
            assert f"job {job_id} (land)" in body["detail"]
            assert "only one landing job runs at a time" in body["detail"]
        assert target.read_bytes() == FIRST  # the landing job's file was never replaced

        assert [s.status_code for s in statuses] == [200] * len(statuses), [
            s.text for s in statuses if s.status_code != 200
        ]
        assert {s.json()["status"] for s in statuses} <= {"queued", "running"}
        assert {s.json()["job_id"] for s in statuses} == {job_id}

        deadline = time.monotonic() + 60
        while _job(base, job_id).json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the landing job did not finish"
            time.sleep(0.2)
        finished = [_job(base, job_id) for _ in range(20)]
        assert {(r.status_code, r.json()["status"]) for r in finished} == {(200, "succeeded")}
        assert any("twcs/twcs.csv" in line for line in finished[0].json()["log_tail"])
        # Counted by route template ([metrics] group_path).
        per_worker = _worker_request_counts(metrics_dir, "/v1/jobs/{job_id}")
        assert set(per_worker) == workers and min(per_worker.values()) >= 2, per_worker

        after = _upload(base, SECOND, land="false")
        assert after.status_code == 201, after.text
        assert target.read_bytes() == SECOND

        # The worker that started a job is killed mid-job: the job's process inherited
        # the lock, so uploads stay refused until that process has ended too, and then
        # the kernel has dropped the lock (nothing stale to clean up).
        held = duckdb.connect(str(ops_db))
        try:
            job_id = _upload(base, FIRST, land="true").json()["landing_job"]["job_id"]
            (jobs_dir,) = server_tmp.glob("supportlens-jobs-*")
            owner = json.loads((jobs_dir / f"{job_id}.json").read_bytes())["owner_pid"]
            child = _landing_child(owner)
            os.kill(owner, signal.SIGKILL)
            assert [_upload(base, SECOND, land="false").status_code for _ in range(6)] == [409] * 6
            orphan = _job(base, job_id).json()
            assert orphan["status"] == "failed", orphan
            assert "worker that ran this job stopped" in orphan["log_tail"][-1]
        finally:
            held.close()
        deadline = time.monotonic() + 30
        while (refused := _upload(base, SECOND, land="false")).status_code == 409:
            assert time.monotonic() < deadline, "the lock outlived the job's process"
            time.sleep(0.2)
        assert refused.status_code == 201, refused.text
        assert _state(child) in (None, "Z"), "the lock was dropped while the job ran"
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=60)
    assert server.returncode in (0, -signal.SIGINT), out
    assert not list(server_tmp.iterdir()), "a per-run folder outlived the server"


def test_a_job_whose_worker_died_reads_failed(tmp_path: Path) -> None:
    """Its record says running, but no process will ever finish it: say so, not 'running'."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    job_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    running = JobOut(job_id, "land", "running", now, now, None, None, ["land"], ["landing"])
    (tmp_path / f"{job_id}.json").write_bytes(msgspec.json.encode(JobRecord(gone.pid, running)))
    other_worker = JobManager({}, tmp_path, ["supportlens"], records_dir=tmp_path)
    seen = other_worker.status(job_id)
    assert seen.status == "failed"
    assert seen.log_tail[-1].startswith("the server worker that ran this job stopped")

    alive = msgspec.structs.replace(running, job_id=uuid.uuid4().hex)
    record = JobRecord(os.getpid(), alive)
    (tmp_path / f"{alive.job_id}.json").write_bytes(msgspec.json.encode(record))
    assert other_worker.status(alive.job_id) == alive
    with pytest.raises(JobNotFound):  # never a path outside the records folder
        other_worker.status(f"../{tmp_path.name}/{job_id}")
