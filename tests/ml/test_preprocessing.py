"""Preprocessing is part of the model: a version trained through the real train path
records `normalize_text_v1` and every serving path (Predictor, score_file,
score_warehouse, the SQL functions) feeds its classifier the text the trainer saw."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from supportlens.cli import main
from supportlens.config import Settings
from supportlens.ml import preprocessing
from supportlens.ml.prediction import score_file
from supportlens.ml.preprocessing import TRAINING_TEXT, WAREHOUSE_TEXT, UnknownPreprocessingError
from supportlens.ml.registry import META_FILE, EmptyTextError, ModelMeta, load_active
from supportlens.python_udfs.intent import IntentModels
from supportlens.text import RULE_SET, normalize_text
from tests.ml.conftest import BASELINE_CONFIG, query, scoring_inputs, synthetic_examples

RAW = "Hello @bob, my card ending 1234 was charged at 10:30!!"
NORMALISED = "hello <user>, my card ending <num> was charged at <num>!!"

# Texts the way dbt writes them: normalised, with the tokens raw text never contains.
EXTRA = {
    "card_payment_wrong": [
        "my card ending <num> was charged twice",
        "hi <user> i was charged <num> for nothing",
        "charged at <num> on <num>/<num> wrong amount",
        "card payment of $<num> is wrong <url>",
    ],
}


class SpyClassifier:
    """Wraps the loaded classifier and keeps every text it was asked about."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.labels = inner.labels  # type: ignore[attr-defined]
        self.seen: list[str] = []

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.predict_proba(texts)  # type: ignore[attr-defined]


@pytest.fixture
def normalised_warehouse(settings: Settings) -> Path:
    """ml_training_examples / ml_scoring_inputs holding dbt-normalised text."""
    examples = synthetic_examples()
    extra = [
        (f"cpw-{i:03d}-{j}", "synthetic", "banking77", text, label, "train" if j else "validation")
        for label, texts in EXTRA.items()
        for i, text in enumerate(texts)
        for j in range(3)
    ]
    examples = pd.concat([examples, pd.DataFrame(extra, columns=examples.columns)])
    examples["text"] = examples["text"].map(normalize_text)
    inputs = scoring_inputs()
    inputs.loc[len(inputs)] = ["t5", "synthetic", "banking77", NORMALISED]
    inputs["text"] = inputs["text"].map(normalize_text)
    path = settings.paths.warehouse
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.register("examples_frame", examples)
        conn.register("inputs_frame", inputs)
        conn.execute("create table ml_training_examples as select * from examples_frame")
        conn.execute("create table ml_scoring_inputs as select * from inputs_frame")
    return path


def train(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["train", "--config", str(BASELINE_CONFIG), "--label-set", "banking77"]) == 0
    return capsys.readouterr().out.split("registered ", 1)[1].split(" ", 1)[0]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every call of the registered normalisation, whoever makes it."""
    seen: list[list[str]] = []
    real: Callable[[list[str]], list[str]] = preprocessing.PREPROCESSORS[RULE_SET]

    def counting(texts: list[str]) -> list[str]:
        seen.append(list(texts))
        return real(texts)

    monkeypatch.setitem(preprocessing.PREPROCESSORS, RULE_SET, counting)
    return seen


def test_training_records_the_preprocessing(
    settings: Settings, normalised_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = train(capsys)
    folder = settings.paths.registry_dir / version
    assert json.loads((folder / META_FILE).read_text())["preprocessing"] == RULE_SET
    assert json.loads((folder / "model_card.json").read_text())["preprocessing"] == RULE_SET
    assert f"`{RULE_SET}`" in (folder / "model_card.md").read_text()
    [(card_json,)] = query(normalised_warehouse, "select card_json from ml_models")
    assert json.loads(card_json)["preprocessing"] == RULE_SET


def test_raw_and_normalised_text_get_the_same_prediction(
    settings: Settings, normalised_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train(capsys)
    predictor = load_active(settings, "banking77")
    assert normalize_text(RAW) == NORMALISED
    spy = SpyClassifier(predictor.classifier)
    predictor.classifier = spy  # type: ignore[assignment]
    raw, normalised = predictor.predict_proba([RAW]), predictor.predict_proba([NORMALISED])
    np.testing.assert_array_equal(raw, normalised)
    assert spy.seen == [NORMALISED, NORMALISED]  # the classifier never sees raw text
    [prediction] = predictor.predict([RAW], top_k=1)
    assert prediction.label == "card_payment_wrong"


def test_score_file_and_the_predictor_use_the_same_preprocessing(
    settings: Settings,
    normalised_warehouse: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    calls: list[list[str]],
) -> None:
    train(capsys)
    source, out = tmp_path / "raw.csv", tmp_path / "scored.parquet"
    pd.DataFrame({"body": [RAW, NORMALISED, "\x00", "I FORGOT my PIN!!"]}).to_csv(
        source, index=False
    )
    predictor = load_active(settings, "banking77")
    calls.clear()
    score_file(predictor, source, "body", out, skip_empty=True)
    assert calls == [[RAW, NORMALISED, "I FORGOT my PIN!!"]]  # NUL only: blank, skipped
    scored = pd.read_parquet(out)
    assert scored["confidence"][0] == scored["confidence"][1]
    assert scored["predicted_label"].tolist()[:2] == ["card_payment_wrong"] * 2
    assert scored["predicted_label"].isna().tolist() == [False, False, True, False]
    direct = predictor.predict([RAW], top_k=3)[0]
    assert scored["confidence"][0] == direct.confidence
    assert scored["top_labels"][0].tolist() == direct.top_labels


def test_warehouse_scoring_does_not_normalise_again(
    settings: Settings,
    normalised_warehouse: Path,
    capsys: pytest.CaptureFixture[str],
    calls: list[list[str]],
) -> None:
    train(capsys)
    calls.clear()
    assert main(["predict"]) == 0
    assert calls == []  # ml_scoring_inputs.text is already normalize_text_v1
    rows = dict(query(normalised_warehouse, "select turn_id, confidence from ml_predictions"))
    predictor = load_active(settings, "banking77")
    assert rows["t5"] == predictor.predict([RAW], top_k=1)[0].confidence


def test_sql_function_classifies_raw_text_like_normalised_text(
    settings: Settings, normalised_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train(capsys)
    models = IntentModels(settings)  # the production loader: the registry's active model
    raw, normalised, nul_only, null = models.predict([RAW, NORMALISED, "\x00 ", None])
    assert raw == normalised and raw is not None and raw[0] == "card_payment_wrong"
    assert nul_only is None and null is None  # blank once normalised: not sent to the model


def test_blank_after_preprocessing_is_an_empty_text_error(
    settings: Settings, normalised_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train(capsys)
    predictor = load_active(settings, "banking77")
    with pytest.raises(EmptyTextError, match=r"texts\[1\]"):
        predictor.predict(["fine", "\x00\u3000"])
    with pytest.raises(EmptyTextError, match=r"texts\[0\] is null"):
        predictor.predict([None])  # type: ignore[list-item]


def test_meta_without_preprocessing_reads_as_the_training_text(tmp_path: Path) -> None:
    """Folders written before the field existed were trained on ml_training_examples."""
    old = {"model_version": "v0", "label_set": "banking77", "model_type": "tfidf_linear",
           "labels": ["a", "b"], "quantize_inference": False}  # fmt: skip
    (tmp_path / META_FILE).write_text(json.dumps(old))
    meta = ModelMeta.read(tmp_path)
    assert meta.preprocessing == TRAINING_TEXT == WAREHOUSE_TEXT == RULE_SET


def test_unknown_preprocessing_names_the_file(tmp_path: Path) -> None:
    meta = {"model_version": "v9", "label_set": "banking77", "model_type": "tfidf_linear",
            "labels": ["a"], "preprocessing": "lowercase_v9"}  # fmt: skip
    (tmp_path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(UnknownPreprocessingError, match=r"supportlens_model\.json.*lowercase_v9"):
        ModelMeta.read(tmp_path)


def test_preprocess_skips_what_was_already_done() -> None:
    assert preprocessing.preprocess(RULE_SET, [RAW]) == [NORMALISED]
    assert preprocessing.preprocess(RULE_SET, [RAW], already=RULE_SET) == [RAW]
