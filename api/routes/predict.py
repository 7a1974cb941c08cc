"""POST /v1/predict and /v1/predict/batch: intent labels from the shared loaded model."""

from __future__ import annotations

from collections.abc import Sequence

from anyio import to_thread
from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from supportlens.api.errors import PayloadTooLarge, error_responses
from supportlens.api.schemas import (
    BatchPredictRequest,
    BatchPredictResponse,
    LabelScore,
    PredictionOut,
    PredictRequest,
    PredictResponse,
)
from supportlens.api.services.models import Prediction, Predictor
from supportlens.api.state import Services


async def predictor_for(services: Services, label_set: str | None) -> tuple[str, Predictor]:
    name = label_set or services.settings.ml.label_set
    predictor = services.hub.peek(name)
    if predictor is None:
        predictor = await to_thread.run_sync(services.hub.get, name)
    return name, predictor


async def score(
    services: Services, predictor: Predictor, texts: list[str], top_k: int
) -> Sequence[Prediction]:
    # Small requests to a cheap model run on the event loop; the rest in a worker thread
    # so they do not stall other requests (ModelHub.scores_inline holds the rule).
    if services.hub.scores_inline(predictor, texts):
        return predictor.predict(texts, top_k=top_k)
    return await to_thread.run_sync(lambda: predictor.predict(texts, top_k=top_k))


def ranked(prediction: Prediction, top_k: int | None = None) -> list[LabelScore]:
    """The ranked labels, cut to `top_k` (a shared batch may have computed more)."""
    pairs = list(zip(prediction.top_labels, prediction.top_scores, strict=False))[:top_k]
    return [LabelScore(label=str(label), score=float(value)) for label, value in pairs]


@post(
    "/predict",
    status_code=200,
    summary="Classify one message",
    tags=["predictions"],
    responses=error_responses(404, 413, 415, 429),
)
async def predict(
    services: NamedDependency[Services], data: JSONBody[PredictRequest]
) -> PredictResponse:
    label_set, predictor = await predictor_for(services, data.label_set)
    if services.hub.scores_inline(predictor, [data.text]):
        prediction = predictor.predict([data.text], top_k=data.top_k)[0]
    else:  # slow models share one call across concurrent requests
        prediction = await services.batcher.predict(predictor, data.text, data.top_k)
    return PredictResponse(
        model_version=predictor.model_version,
        label_set=label_set,
        label=str(prediction.label),
        confidence=float(prediction.confidence),
        top_k=ranked(prediction, data.top_k),
    )


@post(
    "/predict/batch",
    status_code=200,
    summary="Classify many messages in one call",
    description="At most `[api] max_batch` texts (413 above it).",
    tags=["predictions"],
    responses=error_responses(404, 413, 415, 429),
)
async def predict_batch(
    services: NamedDependency[Services], data: JSONBody[BatchPredictRequest]
) -> BatchPredictResponse:
    limit = services.settings.api.max_batch
    if len(data.texts) > limit:
        raise PayloadTooLarge(
            f"texts: {len(data.texts)} items, at most {limit} per batch",
            extra={"max_batch": limit},
        )
    label_set, predictor = await predictor_for(services, data.label_set)
    predictions = await score(services, predictor, data.texts, data.top_k)
    return BatchPredictResponse(
        model_version=predictor.model_version,
        label_set=label_set,
        predictions=[
            PredictionOut(label=str(p.label), confidence=float(p.confidence), top_k=ranked(p))
            for p in predictions
        ],
    )
