"""`supportlens discover` with nothing to discover (labelled data only, or every prediction
confident) succeeds: exit 0, a log line, and no stale clusters left for the label set."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ml import discovery
from ml.tables import ensure_tables
from supportlens.cli import main
from supportlens.config import Settings
from tests.ml.conftest import BASELINE_CONFIG, query


def plant_old_clusters(warehouse: Path) -> None:
    """A previous run's rows for banking77 and for another label set."""
    with duckdb.connect(str(warehouse)) as conn:
        ensure_tables(conn)
        conn.execute(
            "insert into ml_intent_clusters (run_id, label_set, turn_id, text, cluster_id) "
            "values ('old', 'banking77', 't0', 'stale', 0), ('keep', 'bitext', 'x1', 'b', 0)"
        )


@pytest.fixture
def no_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing to discover must not load an encoder")

    monkeypatch.setattr(discovery, "embed", refuse)


def test_no_unlabelled_traffic_is_not_an_error(
    settings: Settings,
    warehouse: Path,
    capsys: pytest.CaptureFixture[str],
    no_encoder: None,
) -> None:
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("delete from ml_scoring_inputs")  # BANKING77 + SGD only: nothing to score
    assert main(["train", "--config", str(BASELINE_CONFIG), "--label-set", "banking77"]) == 0
    assert main(["predict"]) == 0
    plant_old_clusters(warehouse)
    capsys.readouterr()
    assert main(["discover", "--label-set", "banking77"]) == 0
    captured = capsys.readouterr()
    assert "nothing to discover" in captured.out
    assert "no predictions for label set 'banking77'" in captured.out
    assert "nothing to discover" in captured.err  # logged (the CLI logs to stderr)
    rows = query(warehouse, "select run_id, label_set from ml_intent_clusters")
    assert rows == [("keep", "bitext")]  # banking77's stale run removed, others untouched


def test_every_prediction_confident_is_not_an_error(
    settings: Settings, warehouse: Path, capsys: pytest.CaptureFixture[str], no_encoder: None
) -> None:
    assert main(["train", "--config", str(BASELINE_CONFIG), "--label-set", "banking77"]) == 0
    assert main(["predict"]) == 0
    plant_old_clusters(warehouse)
    capsys.readouterr()
    argv = ["discover", "--label-set", "banking77", "--confidence-threshold", "0.0001"]
    assert main(argv) == 0
    assert "confidence below 0.0001" in capsys.readouterr().out
    assert query(warehouse, "select label_set from ml_intent_clusters") == [("bitext",)]


def test_a_warehouse_without_the_tables_is_still_an_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(settings.paths.warehouse)).close()
    assert main(["discover", "--label-set", "banking77"]) == 2
    assert "run `supportlens build`" in capsys.readouterr().err
