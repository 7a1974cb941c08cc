"""Request and response bodies (msgspec Structs): they are the OpenAPI contract at /schema.

Validation that can be static lives here (types, lengths, patterns, enumerations) so that
bad input is rejected with 400 before a handler runs and every message names the field.
Limits read from configuration (batch size, turns per conversation) are checked by the
handlers and answered with 413.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

#: Longest accepted text; support messages are short, this only stops abuse.
MAX_TEXT_CHARS = 10_000

LabelSet = Literal["banking77", "bitext", "sgd"]
Text = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        pattern=r"\S",
        description="Message text: at least one non-blank character.",
        examples=["I still have not received my new card"],
    ),
]
TopK = Annotated[int, Meta(ge=1, le=20, description="How many ranked labels to return.")]
#: Registry versions look like `banking77-tfidf_linear-20260101T000000-ab12` (a folder
#: name): a letter or digit first (no `.` or `..`), short enough for any file system.
MODEL_VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
MODEL_VERSION_MAX_CHARS = 128


class StrictBody(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base for request bodies: unknown fields are an error, not silently ignored."""


# ---------------------------------------------------------------- predictions


class PredictRequest(StrictBody):
    text: Text
    label_set: LabelSet | None = None
    top_k: TopK = 3


class BatchPredictRequest(StrictBody):
    texts: Annotated[list[Text], Meta(min_length=1, description="Texts to classify.")]
    label_set: LabelSet | None = None
    top_k: TopK = 3


class LabelScore(Struct):
    label: str
    score: float


class PredictionOut(Struct):
    label: str
    confidence: float
    top_k: list[LabelScore]


class PredictResponse(Struct):
    model_version: str
    label_set: str
    label: str
    confidence: float
    top_k: list[LabelScore]


class BatchPredictResponse(Struct):
    model_version: str
    label_set: str
    predictions: list[PredictionOut]


# ---------------------------------------------------------------- models and jobs


class ModelSummary(Struct):
    model_version: str
    label_set: str
    model_type: str | None = None
    base_model: str | None = None
    created_at: str | None = None
    is_active: bool = False
    train_rows: int | None = None
    val_accuracy: float | None = None
    loaded: bool = False


class ModelMetric(Struct):
    split: str
    metric: str
    value: float | None


class ModelDetail(Struct):
    model: ModelSummary
    card: dict[str, Any] | None
    metrics: list[ModelMetric]


class ActivateResponse(Struct):
    model_version: str
    label_set: str
    previous_version: str | None


class TrainRequest(StrictBody):
    label_set: LabelSet = "banking77"
    config: (
        Annotated[
            str,
            Meta(
                pattern=r"^[A-Za-z0-9_.-]+\.ya?ml$",
                max_length=100,
                description="A file name under ml/configs/ (default: the baseline).",
            ),
        ]
        | None
    ) = None


JobStatus = Literal["queued", "running", "succeeded", "failed"]


class JobOut(Struct):
    job_id: str
    kind: str
    status: JobStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    exit_code: int | None
    command: list[str]
    log_tail: list[str]


class DatasetUploadOut(Struct):
    source: str
    path: str
    bytes: int
    rows: int
    landing_job: JobOut | None


# ---------------------------------------------------------------- conversations


class TurnOut(Struct):
    turn_id: str
    turn_index: int
    speaker: str
    text: str | None
    sent_at: datetime | None
    predicted_intent: str | None
    intent_confidence: float | None
    sentiment: str | None


class ConversationOut(Struct):
    conversation_id: str
    source: str | None
    company: str | None
    channel: str | None
    started_at: datetime | None
    intent: str | None
    outcome: str | None
    turns: list[TurnOut]


Speaker = Literal["customer", "agent"]


class AnalyzeTurn(StrictBody):
    speaker: Speaker
    text: Text
    sent_at: datetime | None = None


class AnalyzeRequest(StrictBody):
    turns: Annotated[list[AnalyzeTurn], Meta(min_length=1)]
    label_set: LabelSet | None = None
    top_k: TopK = 3


class AnalyzedTurn(Struct):
    turn_index: int
    speaker: str
    text: str
    sentiment: str
    sentiment_score: float
    predicted_intent: str | None
    intent_confidence: float | None
    top_k: list[LabelScore] | None
    response_seconds: float | None


class AnalyzeResponse(Struct):
    model_version: str
    label_set: str
    intent: str | None
    intent_confidence: float | None
    sentiment: str
    sentiment_score: float
    first_response_seconds: float | None
    turns: list[AnalyzedTurn]


# ---------------------------------------------------------------- analytics


class Page(Struct):
    """One page of an analytics result; `next_offset` is null on the last page."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    next_offset: int | None
    snapshot: str


# ---------------------------------------------------------------- operations


class Health(Struct):
    status: str


class Readiness(Struct):
    status: Literal["ready", "not ready"]
    models: dict[str, str]
    warehouse: str
    problems: list[str]


class ErrorOut(Struct):
    """Every 4xx/5xx body: the status, what to do next, and (400) the fields at fault."""

    status_code: int
    detail: str
    extra: dict[str, Any] | list[Any] | None = None
