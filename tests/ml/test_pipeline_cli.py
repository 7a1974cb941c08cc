"""End to end through the CLI with the TF-IDF baseline: train, evaluate, predict, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from supportlens.cli import main
from supportlens.config import Settings
from supportlens.ml.registry import (
    EmptyTextError,
    NoActiveModelError,
    UnknownModelVersionError,
    activate,
    active_version,
    load_active,
)
from tests.ml.conftest import BASELINE_CONFIG, query


def train_baseline(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["train", "--config", str(BASELINE_CONFIG), "--label-set", "banking77"]) == 0
    out = capsys.readouterr().out
    return out.split("registered ", 1)[1].split(" ", 1)[0]


def test_train_registers_and_activates(
    settings: Settings, warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = train_baseline(capsys)
    folder = settings.paths.registry_dir / version
    assert (folder / "model.joblib").is_file()
    card = json.loads((folder / "model_card.json").read_text())
    assert card["data"]["rows"]["train"] > 0 and card["hardware"]["device"] == "cpu"
    assert "accuracy" in (folder / "model_card.md").read_text()
    rows = query(warehouse, "select model_version, is_active, val_accuracy from ml_models")
    assert rows == [(version, True, pytest.approx(card["metrics"]["validation"]["accuracy"]))]
    assert card["metrics"]["validation"]["accuracy"] > 0.8  # synthetic classes are separable
    assert query(warehouse, "select count(*) from ml_model_metrics")[0][0] > 0
    run = query(warehouse, "select experiment, status, model_version from ml_runs")
    assert run == [("train", "finished", version)]

    predictor = load_active(settings, "banking77")
    assert load_active(settings, "banking77") is predictor  # cached per process
    [prediction] = predictor.predict(["i forgot my pin please"], top_k=3)
    assert prediction.label == "pin_reset"
    assert len(prediction.top_labels) == 3 and prediction.top_scores == sorted(
        prediction.top_scores, reverse=True
    )
    with pytest.raises(EmptyTextError, match=r"texts\[1\]"):
        predictor.predict(["fine", "  "])


def test_one_active_version_per_label_set(
    settings: Settings, warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = train_baseline(capsys)
    second = train_baseline(capsys)
    assert active_version(settings, "banking77") == second
    active = query(warehouse, "select model_version from ml_models where is_active")
    assert active == [(second,)]
    import duckdb

    with duckdb.connect(str(warehouse)) as conn:
        activate(settings, first, conn)
    assert active_version(settings, "banking77") == first
    assert load_active(settings, "banking77").model_version == first
    assert query(warehouse, "select model_version from ml_models where is_active") == [(first,)]


def test_evaluate_writes_metric_tables(
    settings: Settings, warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = train_baseline(capsys)
    assert main(["evaluate"]) == 0
    assert "[test," in capsys.readouterr().out
    metrics = dict(
        query(
            warehouse,
            "select metric, value from ml_model_metrics where model_version = ? and split = 'test'",
            [version],
        )
    )
    assert {"accuracy", "macro_f1", "macro_precision", "macro_recall", "ece"} <= set(metrics)
    assert 0 <= metrics["ece"] <= 1
    per_class = query(
        warehouse,
        "select label, support from ml_per_class_metrics where split = 'test' order by label",
    )
    assert [label for label, _ in per_class] == [
        "card_arrival",
        "exchange_rate",
        "pin_reset",
        "refund",
    ]
    cells = query(warehouse, "select sum(n) from ml_confusion_matrix where split = 'test'")[0][0]
    assert cells == sum(support for _, support in per_class)
    # The reliability diagram covers every evaluated example and reproduces the stored ECE.
    bins = query(
        warehouse,
        "select n, mean_confidence, accuracy from ml_calibration "
        "where model_version = ? and split = 'test'",
        [version],
    )
    assert sum(n for n, _, _ in bins) == cells
    ece = sum(n / cells * abs(conf - acc) for n, conf, acc in bins)
    assert ece == pytest.approx(metrics["ece"])
    assert main(["evaluate"]) == 0  # idempotent: rows replaced, not duplicated
    again = query(warehouse, "select count(*) from ml_model_metrics where split = 'test'")
    assert again[0][0] == len(metrics)


def test_predict_warehouse(
    settings: Settings, warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = train_baseline(capsys)
    assert main(["predict", "--chunk-rows", "2"]) == 0  # several chunks
    rows = query(
        warehouse,
        "select turn_id, model_version, label_set, label, len(top_labels), len(top_scores) "
        "from ml_predictions order by turn_id",
    )
    assert [r[0] for r in rows] == ["t0", "t1", "t2", "t3", "t4"]
    assert {r[1] for r in rows} == {version} and {r[4] for r in rows} == {3}
    assert rows[0][3] == "card_arrival" and rows[2][3] == "pin_reset"
    assert main(["predict"]) == 0  # re-scoring replaces
    assert query(warehouse, "select count(*) from ml_predictions")[0][0] == 5


def test_predict_file_csv_and_parquet(
    settings: Settings, warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train_baseline(capsys)
    source = tmp_path / "mine.csv"
    texts = ["refund please", "where is my new card", "what is the rate for euro"] * 7
    pd.DataFrame({"id": range(len(texts)), "body": texts}).to_csv(source, index=False)
    out = tmp_path / "scored.parquet"
    argv = ["predict", "--input", str(source), "--text-column", "body", "--output", str(out)]
    assert main([*argv, "--chunk-rows", "4"]) == 0
    scored = pd.read_parquet(out)
    assert len(scored) == len(texts) and scored["id"].tolist() == [
        str(i) for i in range(len(texts))
    ]
    assert scored["predicted_label"].tolist()[:2] == ["refund", "card_arrival"]
    assert all(len(x) == 3 for x in scored["top_labels"])
    single = tmp_path / "single.parquet"
    assert main([*argv[:-1], str(single), "--chunk-rows", "1000"]) == 0
    pd.testing.assert_frame_equal(scored, pd.read_parquet(single))  # chunking changes nothing

    back = tmp_path / "scored.csv"
    assert (
        main(["predict", "--input", str(out), "--text-column", "body", "--output", str(back)]) == 2
    )  # prediction columns already present: refuse to overwrite
    assert "would be overwritten" in capsys.readouterr().err
    parquet_in = tmp_path / "in.parquet"
    pd.DataFrame({"body": texts}).to_parquet(parquet_in)
    assert (
        main(
            ["predict", "--input", str(parquet_in), "--text-column", "body", "--output", str(back)]
        )
        == 0
    )
    as_csv = pd.read_csv(back)
    assert json.loads(as_csv["top_labels"][0])[0] == "refund"


def test_predict_file_errors(
    settings: Settings, warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train_baseline(capsys)
    source = tmp_path / "mine.csv"
    pd.DataFrame({"body": ["refund please", "", "pin"]}).to_csv(source, index=False)
    out = tmp_path / "o.parquet"
    assert (
        main(["predict", "--input", str(source), "--text-column", "text", "--output", str(out)])
        == 2
    )
    err = capsys.readouterr().err
    assert "no column 'text'" in err and "['body']" in err
    assert (
        main(["predict", "--input", str(source), "--text-column", "body", "--output", str(out)])
        == 2
    )
    assert "empty 'body'" in capsys.readouterr().err and not out.exists()
    assert (
        main(
            [
                "predict",
                "--input",
                str(source),
                "--text-column",
                "body",
                "--output",
                str(out),
                "--skip-empty",
            ]
        )
        == 0
    )
    assert pd.read_parquet(out)["predicted_label"].isna().tolist() == [False, True, False]
    assert main(["predict", "--input", str(tmp_path / "x.json"), "--output", str(out)]) == 2
    assert (
        main(
            [
                "predict",
                "--model-version",
                "nope-1",
                "--input",
                str(source),
                "--text-column",
                "body",
                "--output",
                str(out),
            ]
        )
        == 2
    )
    assert "model version 'nope-1' not found" in capsys.readouterr().err


def test_errors_without_models(
    settings: Settings, warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(NoActiveModelError, match="supportlens train"):
        load_active(settings, "banking77")
    assert main(["evaluate", "--model-version", "banking77-x"]) == 2
    assert "known versions: none" in capsys.readouterr().err
    assert main(["predict"]) == 2
    assert "no active model" in capsys.readouterr().err
    from supportlens.ml.registry import load_version

    with pytest.raises(UnknownModelVersionError):
        load_version(settings, "missing")


def test_train_errors_are_clear(
    settings: Settings, warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("model_type: tfidf_linear\nepochz: 3\n")
    assert main(["train", "--config", str(bad)]) == 2
    assert "epochz" in capsys.readouterr().err
    assert main(["train", "--config", str(BASELINE_CONFIG), "--label-set", "sgd"]) == 2
    assert "no rows" in capsys.readouterr().err
    import duckdb

    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update ml_training_examples set label = 'refund'")
    assert main(["train", "--config", str(BASELINE_CONFIG)]) == 2
    assert "at least 2" in capsys.readouterr().err
