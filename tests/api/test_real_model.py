"""The API over a real trained TF-IDF baseline in the real registry (no fakes)."""

import pytest
from api_fakes import auth
from litestar.testing import TestClient

from supportlens.api.app import create_app
from supportlens.config import Settings

INTENTS = {
    "card_arrival": ["where is my new card", "my card has not arrived", "card still not here"],
    "passcode_forgotten": ["I forgot my passcode", "reset my PIN please", "lost my passcode"],
    "request_refund": ["I want a refund", "give me my money back", "refund this purchase"],
}


def train_baseline(settings: Settings, version: str) -> None:
    from supportlens.ml import registry
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.config import TrainConfig

    texts, labels = [], []
    for intent, phrases in INTENTS.items():
        for phrase in phrases:
            for suffix in ("", " today", " now", " thanks"):
                texts.append(phrase + suffix)
                labels.append(intent)
    classifier = TfidfLinearClassifier.fit(texts, labels, TrainConfig())
    meta = registry.ModelMeta(
        model_version=version,
        label_set="banking77",
        model_type="tfidf_linear",
        labels=classifier.labels,
    )
    card = {
        "created_at": "2026-01-01T00:00:00+00:00",
        "data": {"rows": {"train": len(texts)}},
        "metrics": {"validation": {"accuracy": 1.0}},
    }
    registry.save_version(settings, classifier, meta, card, "# card\n")


@pytest.mark.slow
def test_predictions_and_activation_with_a_trained_baseline(settings: Settings, published) -> None:
    from supportlens.ml import registry

    train_baseline(settings, "banking77-test-v1")
    train_baseline(settings, "banking77-test-v2")
    registry.activate(settings, "banking77-test-v1")
    with TestClient(create_app(settings)) as client:
        assert client.get("/ready").json()["models"] == {"banking77": "banking77-test-v1"}
        one = client.post("/v1/predict", json={"text": "my card has still not arrived"}).json()
        assert one["label"] == "card_arrival"
        assert one["model_version"] == "banking77-test-v1"
        assert 0 < one["confidence"] <= 1
        assert next(x["label"] for x in one["top_k"]) == "card_arrival"
        assert len(one["top_k"]) == 3

        texts = ["I forgot my PIN", "please refund me", "where is the card"]
        batch = client.post("/v1/predict/batch", json={"texts": texts, "top_k": 1}).json()
        assert [p["label"] for p in batch["predictions"]] == [
            "passcode_forgotten",
            "request_refund",
            "card_arrival",
        ]

        models = {m["model_version"]: m for m in client.get("/v1/models").json()}
        assert models["banking77-test-v1"]["is_active"]
        assert models["banking77-test-v1"]["train_rows"] == 36
        detail = client.get("/v1/models/banking77-test-v2").json()
        assert detail["card"]["metrics"]["validation"]["accuracy"] == 1.0
        assert client.get("/v1/models/banking77-nope").status_code == 404

        swap = client.post("/v1/models/banking77-test-v2/activate", headers=auth())
        assert swap.json()["previous_version"] == "banking77-test-v1"
        after = client.post("/v1/predict", json={"text": "refund"}).json()
        assert after["model_version"] == "banking77-test-v2"
        assert registry.active_version(settings, "banking77") == "banking77-test-v2"
        assert client.post("/v1/models/banking77-nope/activate", headers=auth()).status_code == 404
        # No bitext model in this registry: a clear 404, not a crash.
        missing = client.post("/v1/predict", json={"text": "x", "label_set": "bitext"})
        assert missing.status_code == 404
        assert "supportlens train" in missing.json()["detail"]
