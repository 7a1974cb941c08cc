"""The application factory: `create_app(settings, ...)` wires routes, services and guards.

Everything a test may want to replace is a keyword argument: the model provider, the
warehouse reader, the sentiment scorer and the command that runs `supportlens` jobs.
Handlers receive services as Litestar dependencies (`Services.dependencies`); start-up
and shutdown are the services' `lifespan`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.config.response_cache import ResponseCacheConfig
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components
from litestar.plugins.prometheus import PrometheusConfig
from litestar.stores.memory import MemoryStore
from litestar.types import Guard

from supportlens import __version__
from supportlens.api.cache import cache_key_builder, reject_unknown_query_parameters
from supportlens.api.docs import StrictBodySchemaPlugin, docs_assets_router, render_plugins
from supportlens.api.errors import EXCEPTION_HANDLERS, model_error_handlers
from supportlens.api.middleware import AnsweringRateLimitMiddleware, request_id_middleware
from supportlens.api.requests import ApiRequest
from supportlens.api.routes import conversations, datasets, jobs, metrics, ops, predict
from supportlens.api.routes import models as model_routes
from supportlens.api.security import REQUIRES_KEY, SECURITY_SCHEMES, api_key_guards
from supportlens.api.services.batching import MicroBatcher
from supportlens.api.services.job_locks import lock_files
from supportlens.api.services.jobs import JobManager
from supportlens.api.services.models import ModelHub, ModelProvider
from supportlens.api.services.sentiment import SentimentScorer, VaderSentiment
from supportlens.api.services.warehouse import SnapshotWarehouse, WarehouseReader
from supportlens.api.state import STATE_KEY, Services
from supportlens.config import Settings
from supportlens.config_sections import RateLimit
from supportlens.ops.metrics import register as register_ops_metrics

log = logging.getLogger(__name__)

RESPONSE_CACHE_STORE = "response_cache"
#: Prometheus leaves out its own scrape and the docs; anchored, so that /v1/metrics/*
#: (a prefix match of "/metrics" anywhere) is still counted.
METRICS_EXCLUDE = [r"^/metrics$", r"^/schema(/|$)"]


def rate_limited(area: str, limit: RateLimit | None) -> list[Any]:
    """Litestar's limiter for one area, with its own store (budgets do not mix)."""
    if limit is None:
        return []
    config = RateLimitConfig(
        rate_limit=limit,
        store=f"rate_limit_{area}",
        middleware_class=AnsweringRateLimitMiddleware,
    )
    return [config.middleware]


def default_provider(settings: Settings) -> ModelProvider:
    from supportlens.api.services.registry import RegistryProvider

    return RegistryProvider(settings)


def create_app(
    settings: Settings,
    *,
    models: ModelProvider | None = None,
    warehouse: WarehouseReader | None = None,
    sentiment: SentimentScorer | None = None,
    cli_command: Sequence[str] | None = None,
    warm_up: bool = True,
    job_records: Path | None = None,
) -> Litestar:
    config = settings.api
    provider = models if models is not None else default_provider(settings)
    paths = settings.paths
    services = Services(
        settings=settings,
        hub=ModelHub(provider, settings.ml.label_set),
        batcher=MicroBatcher(),
        warehouse=warehouse if warehouse is not None else SnapshotWarehouse(settings),
        jobs=JobManager(
            env=settings.env_for_subprocesses(),
            cwd=settings.project_root,
            cli_command=list(cli_command or [sys.executable, "-m", "supportlens.cli"]),
            # Masked in job logs, which GET /v1/jobs/{id} shows without a key.
            private_folders=[
                (settings.project_root / config.train_config).parent,
                paths.raw_dir,
                paths.landing_dir,
                paths.warehouse.parent,
                paths.published.parent,
                paths.registry_dir,
                Path(sys.prefix),
            ],
            lock_files=lock_files(settings),
            # The folder `serve` shares between its workers, so each answers for all jobs.
            records_dir=job_records,
        ),
        sentiment=sentiment if sentiment is not None else VaderSentiment(),
        warm_up=warm_up,
    )
    guards = api_key_guards(config.api_key)
    # Every /v1 router refuses query parameters its routes do not read (see api/cache.py).
    checked: list[Guard] = [reject_unknown_query_parameters]

    predictions = Router(
        path="/v1",
        route_handlers=[
            predict.predict,
            predict.predict_batch,
            conversations.analyze_conversation,
        ],
        guards=checked,
        middleware=rate_limited("predict", config.rate_limit("predict")),
    )
    reads = Router(
        path="/v1",
        route_handlers=[
            model_routes.list_models,
            model_routes.describe_model,
            jobs.job_status,
            conversations.get_conversation,
            metrics.intents,
            metrics.outcomes,
            metrics.response_times,
            metrics.sentiment,
        ],
        guards=[*checked, guards.optional],
        middleware=rate_limited("reads", config.rate_limit("reads")),
    )
    admin = Router(
        path="/v1",
        route_handlers=[model_routes.activate_model, jobs.train],
        guards=[*checked, guards.required],
        security=REQUIRES_KEY,
        middleware=rate_limited("admin", config.rate_limit("admin")),
    )
    uploads = Router(
        path="/v1",
        route_handlers=[datasets.upload_dataset],
        guards=[*checked, guards.required],
        security=REQUIRES_KEY,
        middleware=rate_limited("admin", config.rate_limit("admin")),
        request_max_body_size=config.max_upload_bytes,
    )

    prometheus = PrometheusConfig(
        app_name="supportlens",
        prefix="supportlens_api",
        group_path=True,
        exclude=METRICS_EXCLUDE,
    )
    app = Litestar(
        route_handlers=[
            predictions,
            reads,
            admin,
            uploads,
            ops.health,
            ops.health_head,
            ops.ready,
            ops.MetricsController,
            *docs_assets_router(),
        ],
        dependencies=services.dependencies(),
        lifespan=[services.lifespan],
        request_class=ApiRequest,
        plugins=[StrictBodySchemaPlugin()],
        # Logging is the project's (supportlens.logs): Litestar's default config would
        # replace the root handlers when the app starts.
        logging_config=None,
        middleware=[request_id_middleware, prometheus.middleware],
        exception_handlers={**EXCEPTION_HANDLERS, **model_error_handlers()},
        stores={RESPONSE_CACHE_STORE: MemoryStore()},
        response_cache_config=ResponseCacheConfig(
            default_expiration=config.cache_ttl_seconds,
            key_builder=cache_key_builder(services.warehouse),
            store=RESPONSE_CACHE_STORE,
        ),
        request_max_body_size=config.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="SupportLens API",
            version=__version__,
            description="Intent predictions and support-conversation analytics. "
            "Every error answers with an `ErrorOut` body.",
            path="/schema",
            components=Components(security_schemes=SECURITY_SCHEMES),
            render_plugins=render_plugins(),
        ),
        state=None,
    )
    # For introspection only (tests, benchmarks): handlers get services as dependencies.
    app.state[STATE_KEY] = services
    # Process, snapshot, model and last-run gauges on /metrics (supportlens/ops/metrics.py).
    register_ops_metrics(settings, services.hub.loaded_versions)
    return app
