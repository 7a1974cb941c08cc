"""`supportlens serve` starts uvicorn with the app and stops cleanly."""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from api_fakes import API_KEY, auth, build_fixture_warehouse, with_api
from prometheus_client.multiprocess import MultiProcessCollector
from test_real_model import train_baseline

from supportlens.api import serve
from supportlens.config import Settings, load_settings
from supportlens.ml import registry
from supportlens.ops import runs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_over_http(settings: Settings) -> None:
    port = free_port()
    env = {**settings.env_for_subprocesses(), "SUPPORTLENS_API_API_KEY": "k"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "supportlens.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None and health.status_code == 200
        assert health.headers["x-request-id"]
        ready = httpx.get(f"{base}/ready", timeout=5)
        assert ready.status_code == 503  # empty registry, nothing published
        assert "supportlens train" in ready.text
        assert httpx.get(f"{base}/schema/openapi.json", timeout=5).status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
    assert server.returncode in (0, -signal.SIGINT), out
    assert f"http://127.0.0.1:{port}" in out


def _serve(settings: Settings, port: int, **api: str) -> subprocess.Popen[str]:
    env = {**settings.env_for_subprocesses(), "SUPPORTLENS_API_API_KEY": "k"}
    env.update({f"SUPPORTLENS_API_{key.upper()}": value for key, value in api.items()})
    command = [sys.executable, "-m", "supportlens.cli", "serve", "--port", str(port)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _wait(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(f"{base}/health", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _models_statuses(base: str, forwarded_for: list[str]) -> list[int]:
    return [
        httpx.get(f"{base}/v1/models", headers={"X-Forwarded-For": ip}, timeout=5).status_code
        for ip in forwarded_for
    ]


def test_x_forwarded_for_counts_only_from_trusted_proxies(settings: Settings) -> None:
    """A client cannot escape its rate limit by naming another address; behind a proxy
    listed in [api] trusted_proxies, each forwarded client has its own budget."""
    spoofed = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    for trusted, expected in [("", [200, 200, 429]), ("127.0.0.1", [200, 200, 200])]:
        port = free_port()
        server = _serve(settings, port, rate_limit_reads="2/minute", trusted_proxies=trusted)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base, server)
            assert _models_statuses(base, spoofed) == expected, trusted
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=30)


@pytest.mark.parametrize(
    ("configured", "flag", "expected"), [(3, None, 3), (3, 1, 1), (1, 2, 2), (1, None, 1)]
)
def test_workers_come_from_the_setting_and_the_flag_overrides_it(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    configured: int,
    flag: int | None,
    expected: int,
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(options))
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve exports settings for workers
    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args([] if flag is None else ["--workers", str(flag)])
    assert serve.run(args, with_api(settings, workers=configured)) == 0
    assert started[0].get("workers", 1) == expected


def _samples(text: str, name: str) -> dict[str, float]:
    """{label text: value} of one metric in a Prometheus text exposition."""
    pattern = rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$"
    return {m.group(1) or "": float(m.group(2)) for m in re.finditer(pattern, text, re.M)}


def _pids(samples: dict[str, float]) -> set[int]:
    return {int(m) for labels in samples for m in re.findall(r'pid="(\d+)"', labels)}


def _worker_request_counts(metrics_dir: Path, path: str) -> dict[int, float]:
    """Requests to `path` as each worker's own counter file holds them."""
    counts = {}
    for file in metrics_dir.glob("counter_*.db"):
        pid = int(file.stem.removeprefix("counter_"))
        counts[pid] = sum(
            sample.value
            for metric in MultiProcessCollector.merge([str(file)])
            if metric.name == "supportlens_api_requests"
            for sample in metric.samples
            if sample.name.endswith("_total") and sample.labels.get("path") == path
        )
    return counts


def test_metrics_with_two_workers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With [api] workers = 2 every scrape, whichever worker answers it, has the process,
    model, snapshot and run gauges; request counts are the sum over both workers; a worker
    that dies leaves the per-process gauges and never lowers the CPU counter."""
    monkeypatch.setenv("SUPPORTLENS_PATHS_OPS_DB", str(tmp_path / "ops" / "ops.duckdb"))
    settings = load_settings()
    build_fixture_warehouse(settings)
    train_baseline(settings, "banking77-test-v1")
    train_baseline(settings, "banking77-test-v2")
    registry.activate(settings, "banking77-test-v1")
    with runs.recorded(settings, "publish", ["publish"]) as outcome:
        outcome.exit_code = 0
    server_tmp = tmp_path / "server-tmp"  # where serve makes its per-run metrics folder
    server_tmp.mkdir()
    port = free_port()
    env = {**settings.env_for_subprocesses(), "SUPPORTLENS_API_WORKERS": "2"}
    env["SUPPORTLENS_API_API_KEY"] = API_KEY
    env.update({"TMPDIR": str(server_tmp), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "stale")})
    server = subprocess.Popen(
        [sys.executable, "-m", "supportlens.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, server)
        (metrics_dir,) = server_tmp.glob("supportlens-prometheus-*")
        rss_name = "supportlens_process_resident_memory_bytes"
        model_name = "supportlens_active_model_info"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # both workers have started and loaded the model
            text = httpx.get(f"{base}/metrics", timeout=10).text
            models = _samples(text, model_name)
            if len(_pids(_samples(text, rss_name))) == 2 and len(_pids(models)) == 2:
                break
            time.sleep(0.3)
        workers = _pids(_samples(text, rss_name))
        assert len(workers) == 2, text

        requests = 40
        for _ in range(requests):
            # A new connection each time, so the kernel hands it to either worker.
            assert httpx.get(f"{base}/health", timeout=5).status_code == 200
            text = httpx.get(f"{base}/metrics", timeout=10).text
            rss = _samples(text, rss_name)
            assert _pids(rss) == workers and min(rss.values()) > 10 * 2**20
            assert _pids(_samples(text, "supportlens_process_peak_resident_memory_bytes")) == (
                workers
            )
            assert _samples(text, "supportlens_process_cpu_seconds_total")[""] > 0
            models = _samples(text, model_name)
            assert models == {
                f'{{label_set="banking77",model_version="banking77-test-v1",pid="{pid}"}}': 1.0
                for pid in workers
            }
            assert 0 <= _samples(text, "supportlens_snapshot_age_seconds")[""] < 600
            success = _samples(text, "supportlens_last_run_success")
            assert success == {'{command="publish",status="succeeded"}': 1.0}

        per_worker = _worker_request_counts(metrics_dir, "/health")
        assert set(per_worker) == workers and all(n > 0 for n in per_worker.values()), per_worker
        health = _samples(text, "supportlens_api_requests_total")
        total = sum(v for labels, v in health.items() if 'path="/health"' in labels)
        assert total == sum(per_worker.values()) >= requests

        # An activation reaches one worker: /metrics says which one serves what.
        activated = httpx.post(
            f"{base}/v1/models/banking77-test-v2/activate", headers=auth(), timeout=30
        )
        assert activated.status_code == 200, activated.text
        version = 'label_set="banking77",model_version="banking77-test-v{}",pid="{}"'
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # every worker writes within REFRESH_SECONDS
            models = _samples(httpx.get(f"{base}/metrics", timeout=10).text, model_name)
            if len(models) == 3:
                break
            time.sleep(0.3)
        (swapped,) = [p for p in workers if f"{{{version.format(2, p)}}}" in models]
        (other,) = workers - {swapped}
        assert models == {
            f"{{{version.format(1, swapped)}}}": 0.0,  # served earlier by this worker
            f"{{{version.format(2, swapped)}}}": 1.0,
            f"{{{version.format(1, other)}}}": 1.0,
        }

        # A worker dies: uvicorn starts another; its memory and models leave /metrics.
        cpu_before = _samples(text, "supportlens_process_cpu_seconds_total")[""]
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = httpx.get(f"{base}/metrics", timeout=10).text
            now = _pids(_samples(text, rss_name))
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.3)
        assert victim not in now and len(now) == 2, text
        assert victim not in _pids(_samples(text, model_name))
        assert _samples(text, "supportlens_process_cpu_seconds_total")[""] >= cpu_before
        assert not list(metrics_dir.glob(f"gauge_live*_{victim}.db"))
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=60)
    assert server.returncode in (0, -signal.SIGINT), out
    assert not list(server_tmp.iterdir()), "the per-run metrics folder outlived the server"
