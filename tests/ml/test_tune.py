from __future__ import annotations

import json
from pathlib import Path

import pytest

from supportlens.cli import main
from supportlens.config import Settings
from supportlens.ml.config import load_config
from tests.ml.conftest import BASELINE_CONFIG, query


def test_tune_records_every_trial(
    settings: Settings, warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    best = tmp_path / "best.yaml"
    argv = ["tune", "--config", str(BASELINE_CONFIG), "--trials", "2", "--output-config", str(best)]
    assert main(argv) == 0
    assert "best validation accuracy" in capsys.readouterr().out
    runs = query(
        warehouse,
        "select experiment, status, params_json, metrics_json, artefact_path, duration_s "
        "from ml_runs order by started_at",
    )
    assert len(runs) == 2
    for experiment, status, params, metrics, artefact, duration in runs:
        assert experiment.startswith("tune-banking77-tfidf_linear-") and status == "finished"
        assert "c" in json.loads(params) and "accuracy" in json.loads(metrics)
        assert Path(artefact, "model.joblib").is_file() and duration > 0
    assert len({json.loads(r[2])["c"] for r in runs}) == 2  # the sampler varied the knobs
    assert load_config(best).model_type == "tfidf_linear"


def test_tune_rejects_bad_trials(
    settings: Settings, warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tune", "--config", str(BASELINE_CONFIG), "--trials", "0"]) == 2
    assert "--trials" in capsys.readouterr().err
