"""Closed-loop clients (each sends its next request once answered, as wrk does) must be
scored in batches as large as the number of clients, not in two half-size batches that
alternate forever (the clients answered by one pass come back while the other half is
being scored, so an eager batcher never sees them all together)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from supportlens.api.services.batching import MicroBatcher


@dataclass
class _Prediction:
    label: str
    confidence: float
    top_labels: list[str]
    top_scores: list[float]


class _SlowModel:
    """A fixed cost per call, like an encoder pass: batching pays for itself."""

    model_version = "slow-v1"

    def __init__(self) -> None:
        self.batch_sizes: list[int] = []

    def predict(self, texts: list[str], top_k: int = 3) -> list[_Prediction]:
        self.batch_sizes.append(len(texts))
        time.sleep(0.02)
        return [_Prediction(t, 1.0, [t], [1.0]) for t in texts]


def test_closed_loop_clients_fill_the_batch() -> None:
    clients, rounds = 16, 12
    model = _SlowModel()

    async def client(batcher: MicroBatcher, index: int) -> list[str]:
        await asyncio.sleep(index * 0.001)  # clients connect one after another
        labels = []
        for turn in range(rounds):
            prediction = await batcher.predict(model, f"text {index} {turn}", 1)
            labels.append(prediction.label)
            await asyncio.sleep(0.002)  # the HTTP round trip before the next request
        return labels

    async def run() -> list[list[str]]:
        batcher = MicroBatcher()
        try:
            return await asyncio.gather(*(client(batcher, i) for i in range(clients)))
        finally:
            await batcher.stop()

    answers = asyncio.run(run())
    assert answers == [[f"text {i} {t}" for t in range(rounds)] for i in range(clients)]
    steady = model.batch_sizes[2:-2]  # start-up and the last stragglers aside
    mean = sum(steady) / len(steady)
    assert mean >= 0.75 * clients, f"batch sizes {model.batch_sizes}"


def test_a_lone_client_is_not_delayed() -> None:
    model = _SlowModel()

    async def run() -> float:
        batcher = MicroBatcher()
        try:
            await batcher.predict(model, "warm", 1)
            started = time.perf_counter()
            for i in range(5):
                await batcher.predict(model, f"text {i}", 1)
            return (time.perf_counter() - started) / 5
        finally:
            await batcher.stop()

    per_request = asyncio.run(run())
    assert model.batch_sizes == [1] * 6
    assert per_request < 0.02 + 0.004, f"{per_request * 1000:.1f} ms a request"
