"""Shared fixtures: isolated settings and a fake intent predictor injected into register()."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from supportlens.config import Settings, load_settings
from supportlens.python_udfs import register
from supportlens.python_udfs.intent import IntentModels

ALL_UDFS = (
    "normalize_text",
    "sentiment",
    "sentiment_label",
    "supportlens_predict_intent",
    "supportlens_intent_confidence",
)


@dataclass(frozen=True)
class FakePrediction:
    label: str
    confidence: float
    top_labels: list[str] = field(default_factory=list)
    top_scores: list[float] = field(default_factory=list)


class FakePredictor:
    """Labels by keyword, so tests can tell which text produced which answer."""

    def __init__(self, label_set: str) -> None:
        self.model_version = f"fake-{label_set}"
        self.label_set = label_set
        self.calls: list[list[str]] = []

    def predict(self, texts: list[str], top_k: int = 3) -> list[FakePrediction]:
        self.calls.append(list(texts))
        for text in texts:
            assert text and text.strip(), "blank text must not reach the model"
        return [
            FakePrediction(
                f"{self.label_set}:card" if "card" in text.lower() else f"{self.label_set}:other",
                0.75 if "card" in text.lower() else 0.25,
            )
            for text in texts
        ]


class FakeLoader:
    def __init__(self) -> None:
        self.loaded: dict[str, FakePredictor] = {}
        self.load_calls = 0

    def __call__(self, settings: Settings, label_set: str) -> FakePredictor:
        self.load_calls += 1
        self.loaded[label_set] = FakePredictor(label_set)
        return self.loaded[label_set]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SUPPORTLENS_PATHS_WAREHOUSE", str(tmp_path / "work.duckdb"))
    monkeypatch.setenv("SUPPORTLENS_PATHS_PUBLISHED", str(tmp_path / "pub" / "snap.duckdb"))
    monkeypatch.setenv("SUPPORTLENS_PATHS_REGISTRY_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SUPPORTLENS_ML_LABEL_SET", "banking77")
    return load_settings()


@pytest.fixture
def fake_loader() -> FakeLoader:
    return FakeLoader()


@pytest.fixture(params=["arrow", "scalar"])
def conn(request, settings: Settings, fake_loader: FakeLoader) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every function registered, once per implementation kind."""
    connection = duckdb.connect(":memory:")
    register(
        connection,
        settings,
        intent_models=IntentModels(settings, loader=fake_loader),
        kinds={name: request.param for name in ALL_UDFS},
    )
    yield connection
    connection.close()
