"""Evaluation scores warehouse text as prediction does: dbt already normalised it, so the
Predictor's own normalisation pass is skipped (one pass in all, dbt's), and the metrics
are those of normalising again (the rules are idempotent)."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from supportlens.config import Settings
from supportlens.ml.config import config_from_mapping
from supportlens.ml.data import load_dataset
from supportlens.ml.evaluation import evaluate
from supportlens.ml.preprocessing import PREPROCESSORS, WAREHOUSE_TEXT
from supportlens.ml.registry import load_version
from supportlens.ml.training import train_and_register
from supportlens.text import normalize_texts
from tests.ml.conftest import synthetic_examples

#: Raw support text: casing, spacing and punctuation that normalize_text_v1 changes.
RAW_VARIANTS = ["  Hello,   ", "URGENT:  ", "Hi there -- "]


class CountingNormaliser:
    def __init__(self, inner: Callable[[list[str]], list[str]]) -> None:
        self.inner = inner
        self.texts = 0

    def __call__(self, texts: list[str]) -> list[str]:
        self.texts += len(texts)
        return self.inner(texts)


@pytest.fixture
def normalised_warehouse(settings: Settings) -> Path:
    """ml_training_examples as dbt writes it: raw-looking texts, then normalised."""
    examples = synthetic_examples()
    raw = [
        RAW_VARIANTS[i % len(RAW_VARIANTS)] + text.upper() if i % 2 else text
        for i, text in enumerate(examples["text"])
    ]
    examples["text"] = normalize_texts(raw)
    assert examples["text"].tolist() != raw  # the fixture exercises the rules
    path = settings.paths.warehouse
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.register("examples_frame", examples)
        conn.execute("create table ml_training_examples as select * from examples_frame")
    return path


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> CountingNormaliser:
    counting = CountingNormaliser(PREPROCESSORS[WAREHOUSE_TEXT])
    monkeypatch.setitem(PREPROCESSORS, WAREHOUSE_TEXT, counting)
    return counting


def test_evaluate_skips_the_second_normalisation_with_unchanged_metrics(
    settings: Settings, normalised_warehouse: Path, counter: CountingNormaliser
) -> None:
    config = config_from_mapping({"model_type": "tfidf_linear"})
    with duckdb.connect(str(normalised_warehouse)) as conn:
        result = train_and_register(settings, conn, config, show_progress=False)
        dataset = load_dataset(conn, "banking77")
    assert dataset.test is not None
    assert dataset.test.preprocessing == WAREHOUSE_TEXT
    predictor = load_version(settings, result.model_version)
    assert predictor.preprocessing == WAREHOUSE_TEXT

    counter.texts = 0
    single = evaluate(predictor, dataset.test, "test", show_progress=False)
    assert counter.texts == 0  # dbt's pass only

    # The previous behaviour: the Predictor normalises the same texts a second time.
    twice = evaluate(
        predictor,
        dataclasses.replace(dataset.test, preprocessing=None),
        "test",
        show_progress=False,
    )
    assert counter.texts == len(dataset.test)
    drop = {"texts_per_second"}  # timing, not a result
    assert {k: v for k, v in single.metrics.items() if k not in drop} == {
        k: v for k, v in twice.metrics.items() if k not in drop
    }
    assert single.per_class.equals(twice.per_class)
    assert single.confusion.equals(twice.confusion)


def test_evaluate_command_normalises_nothing_again(
    settings: Settings,
    normalised_warehouse: Path,
    counter: CountingNormaliser,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from supportlens.ml.commands import evaluate as command

    config = config_from_mapping({"model_type": "tfidf_linear"})
    with duckdb.connect(str(normalised_warehouse)) as conn:
        version = train_and_register(settings, conn, config, show_progress=False).model_version
    counter.texts = 0
    args = argparse.Namespace(model_version=version, label_set=None, split="all")
    assert command.run(args, settings) == 0
    assert f"{version} [test," in capsys.readouterr().out
    assert counter.texts == 0


def test_texts_from_elsewhere_are_still_normalised(
    settings: Settings, normalised_warehouse: Path, counter: CountingNormaliser
) -> None:
    """A Split built by hand (raw text) gets the model's preprocessing, once."""
    config = config_from_mapping({"model_type": "tfidf_linear"})
    with duckdb.connect(str(normalised_warehouse)) as conn:
        version = train_and_register(settings, conn, config, show_progress=False).model_version
        dataset = load_dataset(conn, "banking77")
    assert dataset.test is not None
    raw = dataclasses.replace(
        dataset.test,
        texts=["  " + text.upper() + "  " for text in dataset.test.texts],
        preprocessing=None,
    )
    predictor = load_version(settings, version)
    counter.texts = 0
    shouting = evaluate(predictor, raw, "test", show_progress=False)
    assert counter.texts == len(raw)
    clean = evaluate(predictor, dataset.test, "test", show_progress=False)
    assert shouting.metrics["accuracy"] == clean.metrics["accuracy"]
