"""`supportlens discover`: low-confidence texts are clustered (encoder faked); nothing to
discover (labelled data only, or every prediction confident) succeeds: exit 0, a log
line, and no stale clusters left for the label set."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from supportlens.cli import main
from supportlens.config import Settings
from supportlens.ml import discovery
from supportlens.ml.tables import ensure_tables
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


def test_low_confidence_texts_are_clustered(
    settings: Settings,
    warehouse: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    topics = {"card": 0, "refund": 1}
    extra = ["card lost", "my card is missing", "refund please now", "refund not received"]
    with duckdb.connect(str(warehouse)) as conn:
        for i, text in enumerate(extra):
            conn.execute(
                "insert into ml_scoring_inputs values (?, 'synthetic', 'banking77', ?)",
                [f"x{i}", text],
            )
    embedded: list[str] = []

    def fake_embed(texts: list[str], directory: Path, batch_size: int) -> np.ndarray:
        embedded.extend(texts)
        vectors = np.full((len(texts), 3), 0.01)
        for row, text in enumerate(texts):
            vectors[row, next((v for k, v in topics.items() if k in text), 2)] = 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    monkeypatch.setattr(discovery, "embed", fake_embed)
    assert main(["train", "--config", str(BASELINE_CONFIG), "--label-set", "banking77"]) == 0
    assert main(["predict"]) == 0
    plant_old_clusters(warehouse)
    argv = ["discover", "--label-set", "banking77", "--confidence-threshold", "1.0"]
    assert main([*argv, "--min-cluster-size", "2"]) == 0
    assert "clustered 9 low-confidence utterances" in capsys.readouterr().out
    assert sorted(embedded) == sorted(set(embedded))  # each distinct text embedded once
    rows = query(
        warehouse,
        "select text, cluster_id from ml_intent_clusters where label_set = 'banking77'",
    )
    clusters: dict[int, set[str]] = {}
    for text, cluster_id in rows:
        clusters.setdefault(cluster_id, set()).add(text)
    assert len(rows) == 9 and "stale" not in {t for t, _ in rows}
    assert {"card lost", "my card is missing", "where is my card"} in clusters.values()
    assert query(warehouse, "select count(*) from ml_intent_clusters where label_set = 'bitext'")[
        0
    ] == (1,)
