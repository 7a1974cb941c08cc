"""Liveness and readiness for orchestrators (no auth, no rate limit)."""

from __future__ import annotations

from anyio import to_thread
from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec

from api.schemas import Health, Readiness
from api.services.warehouse import check_readable
from api.state import services_of


@get("/health", summary="Liveness: the process answers", tags=["operations"])
async def health() -> Health:
    return Health(status="ok")


@get(
    "/ready",
    summary="Readiness: default model loaded and warehouse snapshot readable",
    tags=["operations"],
    responses={503: ResponseSpec(data_container=Readiness, description="not ready, with reasons")},
)
async def ready(request: Request) -> Response[Readiness]:
    services = services_of(request)
    problems: list[str] = []
    models = services.hub.loaded_versions()
    if services.config.default_label_set not in models:
        problems.append(
            f"no model loaded for label set {services.config.default_label_set!r}; "
            "run `supportlens train` (then restart or activate a version)"
        )
    warehouse = await to_thread.run_sync(check_readable, services.warehouse)
    if warehouse != "ok":
        problems.append(f"warehouse: {warehouse}")
    body = Readiness(
        status="not ready" if problems else "ready",
        models=models,
        warehouse=warehouse,
        problems=problems,
    )
    return Response(body, status_code=503 if problems else 200)
