"""`supportlens serve` starts uvicorn with the app and stops cleanly."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
import uvicorn
from api_fakes import with_api
from supportlens.api import serve

from supportlens.config import Settings


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
