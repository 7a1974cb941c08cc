import time
from pathlib import Path

from api_fakes import auth
from litestar.testing import TestClient


def wait_for(client: TestClient, job_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s")


def test_train_runs_in_the_background_and_reports_its_log(
    jobs_client: TestClient, tmp_path: Path
) -> None:
    response = jobs_client.post("/v1/train", json={"label_set": "banking77"}, headers=auth())
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in ("queued", "running")
    # Clients see the subcommand, with the config by name (no server paths).
    assert job["command"] == ["train", "--config", "baseline.yaml", "--label-set", "banking77"]
    done = wait_for(jobs_client, job["job_id"])
    assert done["status"] == "succeeded"
    assert done["exit_code"] == 0
    assert any("train --config" in line and "banking77" in line for line in done["log_tail"])


def test_a_failing_job_is_reported_failed(jobs_client: TestClient) -> None:
    job = jobs_client.post("/v1/train", json={"label_set": "bitext"}, headers=auth()).json()
    done = wait_for(jobs_client, job["job_id"])
    assert done["status"] == "failed"
    assert done["exit_code"] == 3
    assert "training failed on purpose" in done["log_tail"]


def test_only_one_training_job_at_a_time(jobs_client: TestClient) -> None:
    first = jobs_client.post("/v1/train", json={"config": "slow.yaml"}, headers=auth())
    assert first.status_code == 202
    second = jobs_client.post("/v1/train", json={}, headers=auth())
    assert second.status_code == 409
    assert first.json()["job_id"] in second.json()["detail"]
    assert wait_for(jobs_client, first.json()["job_id"])["status"] == "succeeded"


def test_train_rejects_unknown_configs_and_paths(jobs_client: TestClient) -> None:
    missing = jobs_client.post("/v1/train", json={"config": "nope.yaml"}, headers=auth())
    assert missing.status_code == 422
    assert "nope.yaml" in missing.json()["detail"]
    for sneaky in ["../secrets.yaml", "/etc/passwd", "x.txt"]:
        response = jobs_client.post("/v1/train", json={"config": sneaky}, headers=auth())
        assert response.status_code == 400, sneaky


def test_train_needs_the_api_key(jobs_client: TestClient) -> None:
    assert jobs_client.post("/v1/train", json={}).status_code == 401
    assert jobs_client.post("/v1/train", json={}, headers=auth("bad")).status_code == 403


def test_unknown_job_is_404(jobs_client: TestClient) -> None:
    assert jobs_client.get("/v1/jobs/does-not-exist").status_code == 404
