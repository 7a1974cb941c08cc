"""POST /v1/datasets: upload a raw file, validated, then landed in the background."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Annotated, Literal

from anyio import to_thread
from litestar import post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body

from supportlens.api.errors import error_responses
from supportlens.api.schemas import DatasetUploadOut
from supportlens.api.services import datasets
from supportlens.api.services.job_locks import LANDING
from supportlens.api.services.jobs import JobManager
from supportlens.config import Settings
from supportlens.ingest.sources import SOURCES

LANDING_COMMAND_MODULE = "supportlens.ingest.commands.land"


@dataclass
class DatasetUpload:
    source: Literal[SOURCES]  # type: ignore[valid-type]  # Literal of the tuple's values
    file: UploadFile
    #: SGD files live under raw/sgd/<split>/.
    split: Literal["train", "dev", "test"] | None = None
    #: Land the raw files now (a background `supportlens land` job).
    land: bool = True


def landing_available() -> bool:
    return importlib.util.find_spec(LANDING_COMMAND_MODULE) is not None


@post(
    "/datasets",
    status_code=201,
    summary="Upload a raw dataset file (validated), then land it",
    description="Multipart form: `source`, `file`, optional `split` (sgd) and `land`. "
    "Size limit: `[api] max_upload_bytes` (413 above it).",
    tags=["datasets"],
    responses=error_responses(401, 403, 409, 413, 422, 429),
)
async def upload_dataset(
    settings: NamedDependency[Settings],
    jobs: NamedDependency[JobManager],
    data: Annotated[DatasetUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> DatasetUploadOut:
    content = await data.file.read()
    filename = data.file.filename or ""
    pending = await to_thread.run_sync(
        datasets.prepare,
        settings.paths.raw_dir,
        data.source,
        filename,
        data.split,
        content,
    )
    # The file moves into place only while this request holds the landing lock (an OS
    # lock, so no landing job in any worker is reading raw files), and the landing job
    # submitted below takes the lock over: no other upload or landing gets in between.
    try:
        reservation = jobs.reserve(LANDING)  # 409, and the old file stays as it was
    except BaseException:
        pending.discard()
        raise
    with reservation:
        stored = pending.commit()
        job = None
        if data.land and landing_available():
            # Two landings at once would race on the manifest: one at a time.
            job = jobs.submit("land", ["land"], reserved=reservation).to_out()
    return DatasetUploadOut(
        source=data.source,
        path=stored.relative,
        bytes=stored.bytes,
        rows=stored.rows,
        landing_job=job,
    )
