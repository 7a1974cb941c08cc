"""Training as a background job, and job status."""

from __future__ import annotations

from pathlib import Path

from anyio import to_thread
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from supportlens.api.errors import ApiError, error_responses
from supportlens.api.schemas import JobOut, TrainRequest
from supportlens.api.services.job_locks import WAREHOUSE_WRITER
from supportlens.api.services.jobs import JobManager
from supportlens.api.services.models import ModelHub
from supportlens.config import Settings


class UnknownTrainConfig(ApiError):
    status_code = 422


def train_config_path(settings: Settings, name: str | None) -> Path:
    """Only files in the project's ml/configs/ folder (never a caller-chosen path)."""
    default = settings.project_root / settings.api.train_config
    path = default if name is None else default.parent / name
    if not path.is_file():
        raise UnknownTrainConfig(
            f"config: no training config {path.name!r} in the server's training configs"
        )
    return path


@post(
    "/train",
    status_code=202,
    summary="Train a model in the background; returns the job to poll",
    tags=["jobs"],
    responses=error_responses(401, 403, 409, 413, 415, 422, 429),
)
async def train(
    data: JSONBody[TrainRequest],
    settings: NamedDependency[Settings],
    hub: NamedDependency[ModelHub],
    jobs: NamedDependency[JobManager],
) -> JobOut:
    path = train_config_path(settings, data.config)
    args = ["train", "--config", str(path), "--label-set", data.label_set]

    async def pick_up_new_model() -> None:
        await to_thread.run_sync(hub.refresh, data.label_set)

    # Training writes the working warehouse: one such job at a time, in any process.
    job = jobs.submit("train", args, exclusive=WAREHOUSE_WRITER, on_success=pick_up_new_model)
    return job.to_out()


@get(
    "/jobs/{job_id:str}",
    summary="Status and log tail of a background job",
    tags=["jobs"],
    responses=error_responses(403, 404, 429),
)
async def job_status(
    jobs: NamedDependency[JobManager], job_id: str = Parameter(min_length=1, max_length=64)
) -> JobOut:
    return jobs.status(job_id)
