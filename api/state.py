"""The services one app instance shares across requests, how handlers receive them
(Litestar `Provide` dependencies) and how they start and stop (the app's `lifespan`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from litestar import Litestar
from litestar.di import Provide

from supportlens.api.services.batching import MicroBatcher
from supportlens.api.services.jobs import JobManager
from supportlens.api.services.models import ModelHub
from supportlens.api.services.sentiment import SentimentScorer
from supportlens.api.services.warehouse import WarehouseReader
from supportlens.config import Settings

log = logging.getLogger(__name__)

#: Where the app keeps its Services for introspection (tests, benchmarks); handlers
#: receive them as dependencies instead.
STATE_KEY = "services"


@dataclass
class Services:
    settings: Settings
    hub: ModelHub
    batcher: MicroBatcher
    warehouse: WarehouseReader
    jobs: JobManager
    sentiment: SentimentScorer
    #: Load and time the default model at start-up (tests of start-up failures skip it).
    warm_up: bool = True

    def dependencies(self) -> dict[str, Any]:
        """Handler arguments by name: `services` (all of them) or one service."""
        provided: dict[str, object] = {
            "services": self,
            "settings": self.settings,
            "hub": self.hub,
            "warehouse": self.warehouse,
            "jobs": self.jobs,
        }
        return {name: Provide(_constant(value), use_cache=True) for name, value in provided.items()}

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        self.batcher.start()
        if self.warm_up:
            await to_thread.run_sync(self.hub.warm_up)
        try:
            yield
        finally:
            await self.batcher.stop()
            await self.jobs.shutdown()
            self.warehouse.close()


def _constant(value: object) -> Any:
    async def provide() -> object:
        return value

    return provide
