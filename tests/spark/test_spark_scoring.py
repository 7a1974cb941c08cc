"""`supportlens predict --engine spark` (mapInPandas) equals the local scorer, row for row.

A TF-IDF baseline is trained and registered on small labelled texts; the same Parquet
dataset (shaped like ml_scoring_inputs, with an empty text) is scored by the local
file scorer and by Spark in local mode. Spark writes the ml_predictions schema.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from spark_helpers import REPO_ROOT, assert_ok, run, supportlens

pytestmark = pytest.mark.slow

PHRASES = {
    "card_arrival": ["where is my new card", "my card has not arrived", "card still not here"],
    "refund": ["i want a refund", "give me my money back", "please refund the payment"],
    "pin_reset": ["i forgot my pin", "reset my pin code", "my pin is blocked"],
    "exchange_rate": ["what is the exchange rate", "euro to dollar rate", "fx rate today"],
}
OPENERS = ["", "hello, ", "hi there ", "excuse me, ", "urgent: ", "quick question "]
CLOSERS = ["", " please", " thanks", " asap", "?", " now"]

#: ml_predictions as the DuckDB warehouse declares it (macros/create_ml_tables.sql),
#: in Arrow terms: what the Spark scorer's Parquet output must hold.
ML_PREDICTIONS = pa.schema(
    [
        ("turn_id", pa.string()),
        ("model_version", pa.string()),
        ("label_set", pa.string()),
        ("label", pa.string()),
        ("confidence", pa.float64()),
        ("top_labels", pa.list_(pa.string())),
        ("top_scores", pa.list_(pa.float64())),
        ("predicted_at", pa.timestamp("us", tz="UTC")),
    ]
)


def _examples() -> pd.DataFrame:
    rows = []
    for label, phrases in PHRASES.items():
        for i, (phrase, opener, closer) in enumerate(itertools.product(phrases, OPENERS, CLOSERS)):
            split = "validation" if i % 6 == 0 else "test" if i % 6 == 3 else "train"
            rows.append((f"{label}-{i:03d}", "synthetic", "banking77", opener + phrase + closer,
                         label, split))  # fmt: skip
    columns = ["example_id", "source", "label_set", "text", "label", "split"]
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("spark_scoring")
    paths = {
        "warehouse": tmp / "warehouse" / "supportlens.duckdb",
        "registry_dir": tmp / "models",
        "published": tmp / "published.duckdb",
    }
    paths["warehouse"].parent.mkdir(parents=True)
    with duckdb.connect(str(paths["warehouse"])) as conn:
        conn.register("examples", _examples())
        conn.execute("create table ml_training_examples as select * from examples")
    train = supportlens("train", "--config", str(REPO_ROOT / "ml/configs/baseline.yaml"),
                        "--label-set", "banking77")  # fmt: skip
    assert_ok(run(train, paths), "train")
    texts = [f"{o}{p}{c}" for p, o, c in itertools.product(
        ["card not here", "refund me", "forgot my pin", "rate for euro", "hello there"],
        ["", "hey ", "pls "], ["", "!", " thanks"])]  # fmt: skip
    inputs = pd.DataFrame(
        {
            "turn_id": [f"synthetic:t{i}" for i in range(len(texts) + 1)],
            "source": "synthetic",
            "label_set": "banking77",
            "text": [*texts, "   "],
        }
    )
    input_path = tmp / "inputs.parquet"
    inputs.to_parquet(input_path, index=False)
    local = supportlens("predict", "--input", str(input_path), "--output",
                        str(tmp / "local.parquet"), "--skip-empty")  # fmt: skip
    assert_ok(run(local, paths), "local predict")
    spark = supportlens("predict", "--engine", "spark", "--input", str(input_path),
                        "--output", str(tmp / "spark_predictions"))  # fmt: skip
    spark_run = run(spark, paths, spark_dir=tmp / "spark")
    assert_ok(spark_run, "spark predict")
    return {
        "inputs": inputs,
        "local": pd.read_parquet(tmp / "local.parquet"),
        "spark": pq.read_table(tmp / "spark_predictions"),
        "warehouse": paths["warehouse"],
        "stdout": spark_run.stdout,
    }


def test_spark_output_has_the_ml_predictions_schema(scored: dict[str, Any]) -> None:
    schema = scored["spark"].schema
    assert schema.names == ML_PREDICTIONS.names
    for field in ML_PREDICTIONS:
        got = schema.field(field.name).type
        if pa.types.is_timestamp(field.type):
            assert pa.types.is_timestamp(got), (field.name, got)
        else:
            assert got == field.type, (field.name, got)
    # The warehouse table the local scorer fills has the same columns, in the same order.
    with duckdb.connect(str(scored["warehouse"]), read_only=True) as conn:
        columns = [r[0] for r in conn.execute("describe ml_predictions").fetchall()]
    assert columns == ML_PREDICTIONS.names


def test_spark_scores_equal_the_local_scorer(scored: dict[str, Any]) -> None:
    spark = scored["spark"].to_pandas().set_index("turn_id").sort_index()
    local = scored["local"].dropna(subset=["predicted_label"]).set_index("turn_id").sort_index()
    # The blank text is skipped by both, every other row scored once.
    assert len(local) == len(scored["inputs"]) - 1
    assert list(spark.index) == list(local.index)
    assert (spark["label"] == local["predicted_label"]).all()
    assert (spark["model_version"] == local["model_version"]).all()
    assert (spark["label_set"] == "banking77").all()
    assert spark["confidence"].to_numpy() == pytest.approx(local["confidence"].to_numpy(), abs=1e-9)
    for turn_id in spark.index:
        assert list(spark.at[turn_id, "top_labels"]) == list(local.at[turn_id, "top_labels"])
        assert list(spark.at[turn_id, "top_scores"]) == pytest.approx(
            list(local.at[turn_id, "top_scores"]), abs=1e-9
        )
    assert spark["predicted_at"].nunique() == 1
    assert "ml_predictions schema" in scored["stdout"]


def test_spark_scorer_names_a_missing_column_and_an_ambiguous_model() -> None:
    from supportlens.ml.spark_scoring import SparkScoringInputError, score_dataframe

    # The checks run before any Spark work: a stand-in with the input's columns suffices.
    no_text = SimpleNamespace(columns=["turn_id", "body"])
    with pytest.raises(SparkScoringInputError, match=r"no column 'text'.*turn_id, body"):
        score_dataframe(no_text, None, {"banking77": "v1"})  # type: ignore[arg-type]
    two_models = SimpleNamespace(columns=["turn_id", "text"])
    with pytest.raises(SparkScoringInputError, match="no label_set column"):
        score_dataframe(two_models, None, {"a": "v1", "b": "v2"})  # type: ignore[arg-type]
