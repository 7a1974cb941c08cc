"""Issue 20 item 5: whether a request is scored on the event loop depends on its total
characters, not only on the number of texts (16 x 10,000 characters stalled /health)."""

from __future__ import annotations

import asyncio
import time

import pytest
from api_fakes import FakePredictor
from litestar.testing import TestClient

from supportlens.api.services.models import INLINE_MAX_CHARS


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def where_scored(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """(total characters, scored on the event loop) for every model call."""
    calls: list[tuple[int, bool]] = []
    original = FakePredictor.predict

    def recording(self: FakePredictor, texts: list[str], top_k: int = 3):  # type: ignore[no-untyped-def]
        calls.append((sum(map(len, texts)), _on_event_loop()))
        return original(self, texts, top_k)

    monkeypatch.setattr(FakePredictor, "predict", recording)
    return calls


def test_long_texts_leave_the_event_loop(
    client: TestClient, where_scored: list[tuple[int, bool]]
) -> None:
    services = client.app.state["services"]
    assert services.hub.scores_inline(services.hub.peek("banking77"))  # a "cheap" model
    where_scored.clear()  # warm-up calls

    short = client.post("/v1/predict/batch", json={"texts": ["card lost", "refund please"]})
    long_batch = client.post("/v1/predict/batch", json={"texts": ["my card " * 1250] * 16})
    long_single = client.post("/v1/predict", json={"text": "refund " * 1400})
    assert INLINE_MAX_CHARS < 700
    over_budget = client.post("/v1/predict", json={"text": "refund " * 100})  # 700 chars

    assert [r.status_code for r in (short, long_batch, long_single, over_budget)] == [200] * 4
    assert long_batch.json()["predictions"][0]["label"] == "card_arrival"
    assert long_single.json()["label"] == "request_refund"
    on_loop = [inline for _chars, inline in where_scored]
    # Short batch inline; 160,000 and 9,800 characters in a worker thread, and the
    # single long text is not scored inline either (it goes through the batcher's thread).
    assert on_loop == [True, False, False, False]


class CascadeLike(FakePredictor):
    """Fast on texts its keyword rules are sure of; slow (the 'encoder') on the rest."""

    def predict(self, texts: list[str], top_k: int = 3):  # type: ignore[no-untyped-def]
        if any(not any(k in t.lower() for k in ("card", "password", "refund")) for t in texts):
            time.sleep(0.01)
        return super().predict(texts, top_k)


def test_a_cascade_is_timed_on_its_slow_path() -> None:
    """An ensemble whose warm-up texts all took the TF-IDF shortcut was called cheap, and
    its encoder then ran on the event loop, one request at a time."""
    from supportlens.api.services.models import ModelHub

    class Provider:
        def load_active(self, label_set: str) -> CascadeLike:
            return CascadeLike(model_version="cascade-v1")

    hub = ModelHub(Provider(), "banking77")  # type: ignore[arg-type]
    predictor = hub.get("banking77")
    assert not hub.scores_inline(predictor)
