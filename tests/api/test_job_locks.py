"""Job exclusivity is an OS file lock, so it holds against any other process.

Another process holding the lock (another API worker, or one that crashed mid-job) is a
409 with the usual error body; once that process is gone (even killed, never releasing
it), the next job starts: the kernel drops a dead process's lock.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_fakes import auth
from litestar.testing import TestClient

from supportlens.api.services.job_locks import LANDING, WAREHOUSE_WRITER, lock_files
from supportlens.config import Settings

HOLD = """
import fcntl, sys, time
handle = open(sys.argv[1], "a")
fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
time.sleep(120)
"""

#: Exit 0 when the lock is free (and let it go at once), 1 when another process holds it.
PROBE = """
import fcntl, sys
handle = open(sys.argv[1], "a")
try:
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(1)
"""


def _hold(path: Path) -> subprocess.Popen[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def _is_held(path: Path) -> bool:
    return subprocess.run([sys.executable, "-c", PROBE, str(path)]).returncode == 1


def _upload(client: TestClient, content: bytes) -> httpx.Response:
    return client.post(
        "/v1/datasets",
        data={"source": "twcs", "land": "true"},
        files={"file": ("twcs.csv", content)},
        headers=auth(),
    )


ROWS = b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
ROW = b"1,a,True,Tue Oct 31 22:10:47 +0000 2017,hello,,\n"


@pytest.mark.parametrize("kill", [signal.SIGTERM, signal.SIGKILL], ids=["ends", "crashes"])
@pytest.mark.parametrize("resource", [LANDING, WAREHOUSE_WRITER])
def test_a_lock_held_by_another_process_is_a_409(
    jobs_client: TestClient, settings: Settings, resource: str, kill: signal.Signals
) -> None:
    def start() -> httpx.Response:
        if resource == LANDING:
            return _upload(jobs_client, ROWS + ROW)
        return jobs_client.post("/v1/train", json={}, headers=auth())

    holder = _hold(lock_files(settings)[resource])
    try:
        refused = start()
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert set(body) == {"status_code", "detail"} and body["status_code"] == 409
        assert f"only one {resource} job runs at a time" in body["detail"]
        assert f"process {holder.pid}" not in body["detail"]  # no server detail leaks
        if resource == LANDING:  # the refused upload changed nothing
            assert not (settings.paths.raw_dir / "twcs" / "twcs.csv").exists()
    finally:
        holder.send_signal(kill)
        holder.wait(timeout=10)
    accepted = start()
    assert accepted.status_code in (201, 202), accepted.text


def test_a_job_holds_its_lock_until_its_process_ends(
    jobs_client: TestClient, settings: Settings
) -> None:
    """Seen from another process: held while the (3 s) job runs, free once it ended."""
    lock = lock_files(settings)[WAREHOUSE_WRITER]
    job = jobs_client.post("/v1/train", json={"config": "slow.yaml"}, headers=auth()).json()
    assert _is_held(lock)
    second = jobs_client.post("/v1/train", json={}, headers=auth())
    assert second.status_code == 409
    assert second.json()["extra"] == {"job_id": job["job_id"]}
    assert f"job {job['job_id']} (train) is still" in second.json()["detail"]
    deadline = time.monotonic() + 30
    while jobs_client.get(f"/v1/jobs/{job['job_id']}").json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert not _is_held(lock)
    assert jobs_client.post("/v1/train", json={}, headers=auth()).status_code == 202
