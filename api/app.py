"""The application factory: `create_app(settings, ...)` wires routes, services and guards.

Everything a test may want to replace is a keyword argument: the model provider, the
warehouse reader, the sentiment scorer and the command that runs `supportlens` jobs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.response_cache import ResponseCacheConfig
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.stores.memory import MemoryStore

from api.config import ApiConfig, RateLimit
from api.errors import EXCEPTION_HANDLERS, model_error_handlers
from api.middleware import request_id_middleware
from api.routes import conversations, datasets, jobs, metrics, ops, predict
from api.routes import models as model_routes
from api.security import SECURITY_SCHEMES, check_optional_api_key
from api.services.batching import MicroBatcher
from api.services.jobs import JobManager
from api.services.models import ModelHub, ModelProvider
from api.services.sentiment import SentimentScorer, VaderSentiment
from api.services.warehouse import SnapshotWarehouse, WarehouseReader
from api.state import STATE_KEY, Services
from supportlens import __version__
from supportlens.config import Settings
from supportlens.ops.metrics import register as register_ops_metrics

log = logging.getLogger(__name__)

RESPONSE_CACHE_STORE = "response_cache"


def snapshot_cache_key(request: Request) -> str:
    """Cache key = snapshot + path + sorted query: a new publish starts a fresh cache."""
    snapshot = request.app.state[STATE_KEY].warehouse.snapshot_id()
    query = "&".join(f"{k}={v}" for k, v in sorted(request.query_params.dict().items()))
    return f"{snapshot}:{request.url.path}?{query}"


def rate_limited(area: str, limit: RateLimit | None) -> list[Any]:
    """Litestar's limiter for one area, with its own store (budgets do not mix)."""
    if limit is None:
        return []
    return [RateLimitConfig(rate_limit=limit, store=f"rate_limit_{area}").middleware]


def default_provider(settings: Settings) -> ModelProvider:
    from api.services.registry import RegistryProvider

    return RegistryProvider(settings)


def create_app(
    settings: Settings,
    *,
    models: ModelProvider | None = None,
    warehouse: WarehouseReader | None = None,
    sentiment: SentimentScorer | None = None,
    cli_command: Sequence[str] | None = None,
    warm_up: bool = True,
) -> Litestar:
    config = ApiConfig.from_settings(settings)
    provider = models if models is not None else default_provider(settings)
    services = Services(
        settings=settings,
        config=config,
        hub=ModelHub(provider, config.default_label_set),
        batcher=MicroBatcher(),
        warehouse=warehouse if warehouse is not None else SnapshotWarehouse(settings),
        jobs=JobManager(env=settings.env_for_subprocesses(), cwd=settings.project_root),
        sentiment=sentiment if sentiment is not None else VaderSentiment(),
        cli_command=list(cli_command or [sys.executable, "-m", "supportlens.cli"]),
    )

    predictions = Router(
        path="/v1",
        route_handlers=[
            predict.predict,
            predict.predict_batch,
            conversations.analyze_conversation,
        ],
        middleware=rate_limited("predict", config.rate_limit_predict),
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
        guards=[check_optional_api_key],
        middleware=rate_limited("reads", config.rate_limit_reads),
    )
    admin = Router(
        path="/v1",
        route_handlers=[model_routes.activate_model, jobs.train],
        middleware=rate_limited("admin", config.rate_limit_admin),
    )
    uploads = Router(
        path="/v1",
        route_handlers=[datasets.upload_dataset],
        middleware=rate_limited("admin", config.rate_limit_admin),
        request_max_body_size=config.max_upload_bytes,
    )

    async def on_startup(app: Litestar) -> None:
        services.batcher.start()
        if warm_up:
            from anyio import to_thread

            await to_thread.run_sync(services.hub.warm_up)

    async def on_shutdown(app: Litestar) -> None:
        await services.batcher.stop()
        await services.jobs.shutdown()
        services.warehouse.close()

    prometheus = PrometheusConfig(
        app_name="supportlens",
        prefix="supportlens_api",
        group_path=True,
        exclude=["/metrics", "/schema"],
    )
    app = Litestar(
        route_handlers=[
            predictions,
            reads,
            admin,
            uploads,
            ops.health,
            ops.ready,
            PrometheusController,
        ],
        middleware=[request_id_middleware, prometheus.middleware],
        exception_handlers={**EXCEPTION_HANDLERS, **model_error_handlers()},
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        stores={RESPONSE_CACHE_STORE: MemoryStore()},
        response_cache_config=ResponseCacheConfig(
            default_expiration=config.cache_ttl_seconds,
            key_builder=snapshot_cache_key,
            store=RESPONSE_CACHE_STORE,
        ),
        request_max_body_size=config.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="SupportLens API",
            version=__version__,
            description="Intent predictions and support-conversation analytics.",
            path="/schema",
            components=Components(security_schemes=SECURITY_SCHEMES),
            render_plugins=[
                SwaggerRenderPlugin(path="/swagger"),
                JsonRenderPlugin(),
                YamlRenderPlugin(),
            ],
        ),
        state=None,
    )
    app.state[STATE_KEY] = services
    # Process, snapshot, model and last-run gauges on /metrics (supportlens/ops/metrics.py).
    register_ops_metrics(settings, services.hub.loaded_versions)
    return app
