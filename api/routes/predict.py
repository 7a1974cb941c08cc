"""POST /v1/predict and /v1/predict/batch: intent labels from the shared loaded model."""

from __future__ import annotations

from collections.abc import Sequence

from anyio import to_thread
from litestar import Request, post
from litestar.params import JSONBody

from api.errors import PayloadTooLarge
from api.schemas import (
    BatchPredictRequest,
    BatchPredictResponse,
    LabelScore,
    PredictionOut,
    PredictRequest,
    PredictResponse,
)
from api.services.models import Prediction, Predictor
from api.state import Services, services_of

#: Batches up to this size of a model the hub measured as cheap (ModelHub.scores_inline)
#: are scored on the event loop; others go to a worker thread so they do not stall
#: other requests.
INLINE_BATCH = 16


async def predictor_for(services: Services, label_set: str | None) -> tuple[str, Predictor]:
    name = label_set or services.config.default_label_set
    predictor = services.hub.peek(name)
    if predictor is None:
        predictor = await to_thread.run_sync(services.hub.get, name)
    return name, predictor


async def score(
    services: Services, predictor: Predictor, texts: list[str], top_k: int
) -> Sequence[Prediction]:
    if len(texts) <= INLINE_BATCH and services.hub.scores_inline(predictor):
        return predictor.predict(texts, top_k=top_k)
    return await to_thread.run_sync(lambda: predictor.predict(texts, top_k=top_k))


def ranked(prediction: Prediction, top_k: int | None = None) -> list[LabelScore]:
    """The ranked labels, cut to `top_k` (a shared batch may have computed more)."""
    pairs = list(zip(prediction.top_labels, prediction.top_scores, strict=False))[:top_k]
    return [LabelScore(label=str(label), score=float(value)) for label, value in pairs]


@post("/predict", status_code=200, summary="Classify one message", tags=["predictions"])
async def predict(request: Request, data: JSONBody[PredictRequest]) -> PredictResponse:
    services = services_of(request)
    label_set, predictor = await predictor_for(services, data.label_set)
    if services.hub.scores_inline(predictor):
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
)
async def predict_batch(
    request: Request, data: JSONBody[BatchPredictRequest]
) -> BatchPredictResponse:
    services = services_of(request)
    limit = services.config.max_batch
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
