"""/metrics carries process, snapshot, model and last-run gauges (supportlens/ops/metrics.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from supportlens.config import Settings
from supportlens.ops import runs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_fakes import FakeSentiment, build_fixture_warehouse, fake_registry


def gauge(text: str, name: str, labels: str = "") -> float:
    pattern = rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+-]+)$"
    match = re.search(pattern, text, re.M)
    assert match, f"{name}{labels} not in /metrics"
    return float(match.group(1))


@pytest.fixture
def metrics_text(ops_settings: Settings) -> str:
    from supportlens.api.app import create_app

    build_fixture_warehouse(ops_settings)
    with runs.recorded(ops_settings, "build", ["build"]) as outcome:
        outcome.exit_code = 2
    with runs.recorded(ops_settings, "publish", ["publish"]) as outcome:
        outcome.exit_code = 0
    app = create_app(ops_settings, models=fake_registry(), sentiment=FakeSentiment())
    with TestClient(app) as client:
        client.post("/v1/predict", json={"text": "where is my card"})
        response = client.get("/metrics")
    assert response.status_code == 200
    return response.text


def test_process_gauges(metrics_text: str) -> None:
    assert gauge(metrics_text, "supportlens_process_cpu_seconds_total") > 0
    assert gauge(metrics_text, "supportlens_process_resident_memory_bytes") > 10 * 2**20
    assert gauge(metrics_text, "supportlens_process_peak_resident_memory_bytes") > 10 * 2**20


def test_snapshot_age_and_active_models(metrics_text: str) -> None:
    assert 0 <= gauge(metrics_text, "supportlens_snapshot_age_seconds") < 300
    assert re.search(
        r'^supportlens_active_model_info\{label_set="banking77",model_version="[^"]+"\} 1\.0$',
        metrics_text,
        re.M,
    )


def test_last_run_status_and_duration(metrics_text: str) -> None:
    assert (
        gauge(metrics_text, "supportlens_last_run_success", '{command="build",status="failed"}')
        == 0
    )
    assert (
        gauge(
            metrics_text, "supportlens_last_run_success", '{command="publish",status="succeeded"}'
        )
        == 1
    )
    assert (
        0 <= gauge(metrics_text, "supportlens_last_run_duration_seconds", '{command="build"}') < 60
    )
    assert (
        gauge(metrics_text, "supportlens_last_run_end_timestamp_seconds", '{command="build"}')
        > 1.7e9
    )
