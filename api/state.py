"""The services one app instance shares across requests (kept on `app.state`)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection

from api.config import ApiConfig
from api.services.batching import MicroBatcher
from api.services.jobs import JobManager
from api.services.models import ModelHub
from api.services.sentiment import SentimentScorer
from api.services.warehouse import WarehouseReader
from supportlens.config import Settings

STATE_KEY = "services"


@dataclass
class Services:
    settings: Settings
    config: ApiConfig
    hub: ModelHub
    batcher: MicroBatcher
    warehouse: WarehouseReader
    jobs: JobManager
    sentiment: SentimentScorer
    #: argv prefix that runs a `supportlens` subcommand in a child process.
    cli_command: list[str]


def services_of(connection: ASGIConnection) -> Services:
    return connection.app.state[STATE_KEY]
