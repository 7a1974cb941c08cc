"""Property-based requests from the OpenAPI schema (issue 20): schemathesis' CLI, every
check and every phase, with and without an API key, against the app served by uvicorn.
No input may cause a 5xx, and every status the API answers must be documented."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from api_fakes import API_KEY, with_api

#: Examples per operation and phase: ~18 operations x 4 phases x 2 runs stay in minutes.
MAX_EXAMPLES = 12
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
#: Per-operation exceptions to positive_data_acceptance, each with its reason.
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def base_url(make_app, settings, published, tmp_path: Path) -> Iterator[str]:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "baseline.yaml").write_text("model_type: tfidf_linear\n")
    unlimited = with_api(
        settings,
        rate_limit_predict="off",
        rate_limit_reads="off",
        rate_limit_admin="off",
        train_config=str(configs / "baseline.yaml"),
    )
    port = _free_port()
    config = uvicorn.Config(
        make_app(unlimited), host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    yield url
    server.should_exit = True
    thread.join(timeout=30)


def _run(base_url: str, tmp_path: Path, name: str, headers: list[str]) -> dict:
    report = tmp_path / f"{name}.json"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/schema/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20",
        "--generation-deterministic",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        *[arg for header in headers for arg in ("-H", header)],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert report.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(report.read_text())
    summary["exit_code"] = result.returncode
    summary["stdout"] = result.stdout
    return summary


@pytest.mark.parametrize("with_key", [True, False], ids=["with-key", "without-key"])
def test_schemathesis_all_checks_find_nothing(base_url: str, tmp_path: Path, with_key) -> None:
    headers = [f"X-API-Key: {API_KEY}"] if with_key else []
    summary = _run(base_url, tmp_path, "with" if with_key else "without", headers)
    report = summary["stdout"][-8000:]
    # Exit 0: every check (a 5xx, an undocumented status, content type, header or body,
    # a valid request refused, an invalid one accepted...) passed for every operation.
    assert summary["exit_code"] == 0, report
    assert summary["failures"] == [] and summary["errors"] == [], report
    operations = summary["operations"]
    assert operations["tested"] == operations["total"] >= 18, operations
    assert {p["status"] for p in summary["phases"].values()} == {"success"}, summary["phases"]
    assert summary["test_cases"]["generated"] > 50 * MAX_EXAMPLES, summary["test_cases"]
