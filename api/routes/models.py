"""Model registry routes: list, describe, activate (admin)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from anyio import to_thread
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import Parameter

from supportlens.api.errors import error_responses
from supportlens.api.schemas import (
    MODEL_VERSION_MAX_CHARS,
    MODEL_VERSION_PATTERN,
    ActivateResponse,
    ModelDetail,
    ModelMetric,
    ModelSummary,
)
from supportlens.api.services.models import ModelHub
from supportlens.api.services.warehouse import WarehouseReader

log = logging.getLogger(__name__)

ModelVersion = Annotated[
    str,
    Parameter(
        min_length=1,
        max_length=MODEL_VERSION_MAX_CHARS,
        pattern=MODEL_VERSION_PATTERN,
        description="A registered version, as GET /v1/models lists it.",
    ),
]

SUMMARY_FIELDS = set(ModelSummary.__struct_fields__) - {"loaded"}


def summary(record: dict[str, Any], loaded: set[str]) -> ModelSummary:
    fields = {k: v for k, v in record.items() if k in SUMMARY_FIELDS}
    if fields.get("created_at") is not None:
        fields["created_at"] = str(fields["created_at"])
    return ModelSummary(**fields, loaded=record["model_version"] in loaded)


def model_metrics(warehouse: WarehouseReader, model_version: str) -> list[ModelMetric]:
    """Evaluation metrics from the snapshot; none when it has no evaluation yet."""
    try:
        rows = warehouse.fetch(
            """
            select split, metric, cast(value as double) as value
            from ml_model_metrics
            where model_version = ?
            order by split, metric
            """,
            [model_version],
        )
    except Exception as exc:  # metrics are optional detail: the card still answers
        log.info("model metrics unavailable", extra={"reason": str(exc).splitlines()[0]})
        return []
    return [ModelMetric(split=r["split"], metric=r["metric"], value=r["value"]) for r in rows]


@get(
    "/models",
    summary="Registered model versions",
    tags=["models"],
    responses=error_responses(403, 429),
)
async def list_models(hub: NamedDependency[ModelHub]) -> list[ModelSummary]:
    records = await to_thread.run_sync(hub.provider.list_models)
    loaded = set(hub.loaded_versions().values())
    return [summary(r, loaded) for r in records]


@get(
    "/models/{model_version:str}",
    summary="One model: card and metrics",
    tags=["models"],
    responses=error_responses(403, 404, 429),
)
async def describe_model(
    hub: NamedDependency[ModelHub],
    warehouse: NamedDependency[WarehouseReader],
    model_version: ModelVersion,
) -> ModelDetail:
    record = await to_thread.run_sync(hub.provider.describe, model_version)
    metrics = await to_thread.run_sync(model_metrics, warehouse, model_version)
    loaded = set(hub.loaded_versions().values())
    card = record.get("card")
    return ModelDetail(
        model=summary(record, loaded),
        card=card if isinstance(card, dict) else None,
        metrics=metrics,
    )


@post(
    "/models/{model_version:str}/activate",
    status_code=200,
    summary="Make a version the active model of its label set (hot swap)",
    tags=["models"],
    responses=error_responses(401, 403, 404, 429),
)
async def activate_model(
    hub: NamedDependency[ModelHub], model_version: ModelVersion
) -> ActivateResponse:
    label_set, previous = await to_thread.run_sync(hub.activate, model_version)
    log.info("model activated", extra={"model_version": model_version, "label_set": label_set})
    return ActivateResponse(
        model_version=model_version, label_set=label_set, previous_version=previous
    )
