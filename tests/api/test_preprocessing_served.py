"""The API feeds a real registered model what `supportlens predict --input` feeds it: the
model's own preprocessing (normalize_text_v1) applied to the raw request text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from litestar.testing import TestClient

from supportlens.api.app import create_app
from supportlens.config import Settings

RAW = "Hello @bob, my card ending 1234 was charged at 10:30!!"
TRAINING = {  # as dbt writes training text: normalised
    "card_payment_wrong": [
        "my card ending <num> was charged twice",
        "hi <user> i was charged <num> for nothing",
        "charged at <num> on <num>/<num> wrong amount",
    ],
    "card_arrival": ["where is my new card", "my card has not arrived", "card still not here"],
    "request_refund": ["i want a refund", "give me my money back", "refund this purchase"],
}


def register_model(settings: Settings) -> None:
    from supportlens.ml import registry
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.config import TrainConfig

    texts, labels = [], []
    for intent, phrases in TRAINING.items():
        for phrase in phrases:
            for suffix in ("", " today", " now", " thanks"):
                texts.append(phrase + suffix)
                labels.append(intent)
    classifier = TfidfLinearClassifier.fit(texts, labels, TrainConfig())
    meta = registry.ModelMeta("banking77-pre-v1", "banking77", "tfidf_linear", classifier.labels)
    card = {"created_at": "2026-01-01T00:00:00+00:00", "data": {"rows": {"train": len(texts)}}}
    registry.save_version(settings, classifier, meta, card, "# card\n")
    registry.activate(settings, "banking77-pre-v1")


@pytest.mark.slow
def test_api_and_score_file_apply_the_same_preprocessing(
    settings: Settings, published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportlens.ml import preprocessing, registry
    from supportlens.ml.prediction import score_file
    from supportlens.text import RULE_SET, normalize_text

    seen: list[list[str]] = []
    real: Callable[[list[str]], list[str]] = preprocessing.PREPROCESSORS[RULE_SET]
    monkeypatch.setitem(
        preprocessing.PREPROCESSORS, RULE_SET, lambda texts: seen.append(texts) or real(texts)
    )
    register_model(settings)
    predictor = registry.load_active(settings, "banking77")
    expected = predictor.predict([normalize_text(RAW)], top_k=3)[0]
    seen.clear()
    with TestClient(create_app(settings)) as client:
        served = client.post("/v1/predict", json={"text": RAW}).json()
    assert [RAW] in seen  # the API path went through the model's preprocessing
    assert served["label"] == expected.label == "card_payment_wrong"
    assert served["confidence"] == pytest.approx(expected.confidence, abs=1e-9)

    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"text": [RAW]}).to_csv(source, index=False)
    seen.clear()
    score_file(predictor, source, "text", out)
    assert seen == [[RAW]]
    scored = pd.read_csv(out)
    assert scored["predicted_label"][0] == served["label"]
    assert scored["confidence"][0] == pytest.approx(served["confidence"], abs=1e-9)
