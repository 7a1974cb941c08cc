"""The interactive API docs (/schema) render in headless Chromium with no internet: the
Swagger UI assets come from the API itself (api/docs.py), and the page lists the routes."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from supportlens.api import docs

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(make_app, published) -> Iterator[str]:
    if docs.local_assets() is None:
        pytest.fail("Swagger UI assets missing: run `make node` (npm ci in api/docs_assets)")
    port = _free_port()
    config = uvicorn.Config(
        make_app(), host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.mark.browser
def test_schema_page_renders_offline_and_lists_the_routes(served: str, tmp_path: Path) -> None:
    page = httpx.get(f"{served}/schema", timeout=10).text
    # Nothing the page loads may come from another host.
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page)
    assert external == [], external
    for asset in ["swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"]:
        response = httpx.get(f"{served}{docs.ASSETS_PATH}/{asset}", timeout=10)
        assert response.status_code == 200 and len(response.content) > 1000, asset

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Chromium is missing: `make browser` (apt-get install -y chromium) first")
    dom = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            f"{served}/schema",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    # Rendered by Swagger UI's JavaScript from the OpenAPI document: the assets ran.
    assert "swagger-ui" in dom.stdout and "opblock" in dom.stdout, dom.stdout[-2000:]
    for route in ["/v1/predict", "/v1/metrics/outcomes", "/v1/models/{model_version}"]:
        assert route in dom.stdout, f"{route} not shown on /schema"
