"""Dynamic micro-batching for single-text predictions.

A model call has a large fixed cost (input validation, per-class calibrators) and a small
cost per text, so 32 concurrent single-text requests are much cheaper as one call of 32
texts. Requests queue here; one worker takes everything queued, scores it in a worker
thread (the event loop keeps accepting requests meanwhile), and answers each request.
Under light load a batch is one text and the only cost is a queue hop.

Closed-loop clients (each sends its next request once answered) would otherwise split
into two halves that alternate for ever: the clients answered by one pass come back while
the other half is being scored, so an eager batcher takes 1 then 31, 1 then 31, ... and
pays the fixed cost twice per round. So the batcher remembers how many requests were in
flight during the last pass and, when fewer are queued, waits a moment for the rest (at
most a quarter of the last pass's duration and `max_wait`): a lone client is never
delayed, a full queue never waits.

Items carry the predictor they were routed to, so a model swap never changes the model
of a request already accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from anyio import to_thread

from supportlens.api.services.models import Prediction, Predictor

log = logging.getLogger(__name__)


@dataclass
class _Item:
    predictor: Predictor
    text: str
    top_k: int
    future: asyncio.Future[Prediction]


class MicroBatcher:
    def __init__(self, max_batch: int = 64, max_wait: float = 0.02) -> None:
        self.max_batch = max_batch
        self.max_wait = max_wait  # seconds a batch may wait for expected requests
        self._queue: asyncio.Queue[_Item] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0
        self.items = 0
        self._in_flight = 0  # accepted, not yet answered
        self._peak = 0  # most in flight since the current batch was collected
        self._last_pass = 0.0  # seconds the latest model call took

    def start(self) -> None:
        if self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._in_flight = self._peak = 0  # a stopped worker's queue is gone
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self.batches:  # how well requests were shared: the benchmark reads this
            log.info(
                "micro-batcher stopped",
                extra={"batches": self.batches, "items": self.items},
            )
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def predict(self, predictor: Predictor, text: str, top_k: int) -> Prediction:
        self.start()
        assert self._queue is not None
        future: asyncio.Future[Prediction] = asyncio.get_running_loop().create_future()
        self._in_flight += 1
        self._peak = max(self._peak, self._in_flight)
        self._queue.put_nowait(_Item(predictor, text, top_k, future))
        return await future

    async def _collect(self, queue: asyncio.Queue[_Item]) -> list[_Item]:
        batch = [await queue.get()]
        # Requests that were in flight during the last pass are likely to come back now.
        expected = min(self.max_batch, self._peak)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(self.max_wait, self._last_pass / 4)
        while len(batch) < self.max_batch:
            if not queue.empty():
                batch.append(queue.get_nowait())
                continue
            remaining = deadline - loop.time()
            if len(batch) >= expected or remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(queue.get(), remaining))
            except TimeoutError:
                break
        self._peak = self._in_flight
        return batch

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            batch = await self._collect(queue)
            groups: dict[int, list[_Item]] = {}
            for item in batch:
                groups.setdefault(id(item.predictor), []).append(item)
            for items in groups.values():
                await self._score(items)

    async def _score(self, items: list[_Item]) -> None:
        predictor = items[0].predictor
        texts = [item.text for item in items]
        top_k = max(item.top_k for item in items)
        started = time.perf_counter()
        try:
            results: Sequence[Prediction] = await to_thread.run_sync(
                lambda: predictor.predict(texts, top_k=top_k)
            )
        except Exception as exc:  # every waiting request gets the model's error
            self._in_flight -= len(items)
            for item in items:
                if not item.future.done():
                    item.future.set_exception(exc)
            return
        self._last_pass = time.perf_counter() - started
        self._in_flight -= len(items)
        self.batches += 1
        self.items += len(items)
        for item, result in zip(items, results, strict=True):
            if not item.future.done():  # the client may have gone away
                item.future.set_result(result)
