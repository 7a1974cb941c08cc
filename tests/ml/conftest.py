"""Fixtures: a scratch warehouse with small synthetic labelled texts, settings pointing at it."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from supportlens.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO / "ml" / "configs" / "tiny.yaml"
BASELINE_CONFIG = REPO / "ml" / "configs" / "baseline.yaml"

PHRASES = {
    "card_arrival": ["where is my new card", "my card has not arrived", "card still not here"],
    "refund": ["i want a refund", "give me my money back", "please refund the payment"],
    "pin_reset": ["i forgot my pin", "reset my pin code", "my pin is blocked"],
    "exchange_rate": ["what is the exchange rate", "euro to dollar rate", "fx rate today"],
}
OPENERS = ["", "hello, ", "hi there ", "excuse me, ", "urgent: ", "quick question "]
CLOSERS = ["", " please", " thanks", " asap", "?", " now"]


def synthetic_examples(label_set: str = "banking77") -> pd.DataFrame:
    """~36 texts per class; every 6th is validation, every 6th (offset 3) is test."""
    rows = []
    for label, phrases in PHRASES.items():
        combos = itertools.product(phrases, OPENERS, CLOSERS)
        for i, (phrase, opener, closer) in enumerate(itertools.islice(combos, 0, None, 3)):
            split = "validation" if i % 6 == 0 else "test" if i % 6 == 3 else "train"
            rows.append(
                (f"{label}-{i:03d}", "synthetic", label_set, opener + phrase + closer, label, split)
            )
    return pd.DataFrame(
        rows, columns=["example_id", "source", "label_set", "text", "label", "split"]
    )


def scoring_inputs() -> pd.DataFrame:
    texts = ["where is my card", "refund me", "forgot pin", "exchange rate please", "hello"]
    return pd.DataFrame(
        {
            "turn_id": [f"t{i}" for i in range(len(texts))],
            "source": "synthetic",
            "label_set": "banking77",
            "text": texts,
        }
    )


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SUPPORTLENS_PATHS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("SUPPORTLENS_PATHS_PUBLISHED", str(tmp_path / "published.duckdb"))
    monkeypatch.setenv("SUPPORTLENS_PATHS_REGISTRY_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SUPPORTLENS_PATHS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("SUPPORTLENS_PATHS_RAW_DIR", str(tmp_path / "raw"))
    return load_settings(REPO / "supportlens.toml")


@pytest.fixture
def warehouse(settings: Settings) -> Path:
    examples = synthetic_examples()
    inputs = scoring_inputs()
    path = settings.paths.warehouse
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.register("examples_frame", examples)
        conn.register("inputs_frame", inputs)
        conn.execute("create table ml_training_examples as select * from examples_frame")
        conn.execute("create table ml_scoring_inputs as select * from inputs_frame")
    return path


def query(path: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(path)) as conn:
        return conn.execute(sql, params or []).fetchall()
