"""Liveness, readiness and Prometheus metrics for orchestrators (no auth, no rate limit)."""

from __future__ import annotations

from anyio import to_thread
from litestar import Response, get, head
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.prometheus import PrometheusController
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from supportlens.api.schemas import Health, Readiness
from supportlens.api.services.models import ModelHub
from supportlens.api.services.warehouse import WarehouseReader, check_readable
from supportlens.config import Settings
from supportlens.ops.metrics import scrape_registry


@get("/health", summary="Liveness: the process answers", tags=["operations"])
async def health() -> Health:
    return Health(status="ok")


@head(
    "/health", summary="Liveness without a body (load balancers' HEAD probes)", tags=["operations"]
)
async def health_head() -> None:
    return None


@get(
    "/ready",
    summary="Readiness: default model loaded and warehouse snapshot readable",
    tags=["operations"],
    responses={503: ResponseSpec(data_container=Readiness, description="not ready, with reasons")},
)
async def ready(
    settings: NamedDependency[Settings],
    hub: NamedDependency[ModelHub],
    warehouse: NamedDependency[WarehouseReader],
) -> Response[Readiness]:
    problems: list[str] = []
    models = hub.loaded_versions()
    label_set = settings.ml.label_set
    if label_set not in models:
        problems.append(
            f"no model loaded for label set {label_set!r}; "
            "run `supportlens train` (then restart or activate a version)"
        )
    status = await to_thread.run_sync(check_readable, warehouse)
    if status != "ok":
        problems.append(f"warehouse: {status}")
    body = Readiness(
        status="not ready" if problems else "ready",
        models=models,
        warehouse=status,
        problems=problems,
    )
    return Response(body, status_code=503 if problems else 200)


def _exposition() -> bytes:
    return generate_latest(scrape_registry())


class MetricsController(PrometheusController):
    """Litestar's Prometheus endpoint, documented with the media type it really sends.

    Rendered from supportlens.ops.metrics' registry: with several workers, Litestar's own
    would hold only the folder's aggregate, without the snapshot and run gauges. Off the
    event loop: a scrape reads files and the ops database.
    """

    @get(
        media_type="text/plain",
        summary="Prometheus metrics (text exposition format)",
        tags=["operations"],
    )
    async def get(self) -> Response:  # type: ignore[override]
        body = await to_thread.run_sync(_exposition)
        return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})
