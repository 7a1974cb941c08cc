"""Dynamic micro-batching for single-text predictions.

A model call has a large fixed cost (input validation, per-class calibrators) and a small
cost per text, so 32 concurrent single-text requests are much cheaper as one call of 32
texts. Requests queue here; one worker takes everything queued, scores it in a worker
thread (the event loop keeps accepting requests meanwhile), and answers each request.
Under light load a batch is one text and the only cost is a queue hop.

Items carry the predictor they were routed to, so a model swap never changes the model
of a request already accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from anyio import to_thread

from api.services.models import Prediction, Predictor

log = logging.getLogger(__name__)


@dataclass
class _Item:
    predictor: Predictor
    text: str
    top_k: int
    future: asyncio.Future[Prediction]


class MicroBatcher:
    def __init__(self, max_batch: int = 64) -> None:
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Item] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0
        self.items = 0

    def start(self) -> None:
        if self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def predict(self, predictor: Predictor, text: str, top_k: int) -> Prediction:
        self.start()
        assert self._queue is not None
        future: asyncio.Future[Prediction] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Item(predictor, text, top_k, future))
        return await future

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            groups: dict[int, list[_Item]] = {}
            for item in batch:
                groups.setdefault(id(item.predictor), []).append(item)
            for items in groups.values():
                await self._score(items)

    async def _score(self, items: list[_Item]) -> None:
        predictor = items[0].predictor
        texts = [item.text for item in items]
        top_k = max(item.top_k for item in items)
        try:
            results: Sequence[Prediction] = await to_thread.run_sync(
                lambda: predictor.predict(texts, top_k=top_k)
            )
        except Exception as exc:  # every waiting request gets the model's error
            for item in items:
                if not item.future.done():
                    item.future.set_exception(exc)
            return
        self.batches += 1
        self.items += len(items)
        for item, result in zip(items, results, strict=True):
            if not item.future.done():  # the client may have gone away
                item.future.set_result(result)
