"""Training as a background job, and job status."""

from __future__ import annotations

from pathlib import Path

from anyio import to_thread
from litestar import Request, get, post
from litestar.params import FromPath, JSONBody

from api.errors import ApiError
from api.schemas import JobOut, TrainRequest
from api.security import REQUIRES_KEY, require_api_key
from api.state import Services, services_of

#: Training writes the working warehouse: one such job at a time.
WAREHOUSE_WRITER = "warehouse-writer"


class UnknownTrainConfig(ApiError):
    status_code = 422


def train_config_path(services: Services, name: str | None) -> Path:
    """Only files in the project's ml/configs/ folder (never a caller-chosen path)."""
    root = services.settings.project_root
    default = root / services.config.train_config
    path = default if name is None else default.parent / name
    if not path.is_file():
        raise UnknownTrainConfig(f"config: no training config {path.name!r} in {path.parent}")
    return path


@post(
    "/train",
    status_code=202,
    summary="Train a model in the background; returns the job to poll",
    guards=[require_api_key],
    security=REQUIRES_KEY,
    tags=["jobs"],
)
async def train(request: Request, data: JSONBody[TrainRequest]) -> JobOut:
    services = services_of(request)
    config = train_config_path(services, data.config)
    command = [
        *services.cli_command,
        "train",
        "--config",
        str(config),
        "--label-set",
        data.label_set,
    ]

    async def pick_up_new_model() -> None:
        await to_thread.run_sync(services.hub.refresh, data.label_set)

    job = services.jobs.submit(
        "train", command, exclusive=WAREHOUSE_WRITER, on_success=pick_up_new_model
    )
    return job.to_out()


@get("/jobs/{job_id:str}", summary="Status and log tail of a background job", tags=["jobs"])
async def job_status(request: Request, job_id: FromPath[str]) -> JobOut:
    return services_of(request).jobs.get(job_id).to_out()
