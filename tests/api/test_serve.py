"""`supportlens serve` starts uvicorn with the app and stops cleanly."""

import signal
import socket
import subprocess
import sys
import time

import httpx

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
