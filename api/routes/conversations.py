"""Conversations: one stored conversation, or analyse posted turns without storing them."""

from __future__ import annotations

from anyio import to_thread
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from supportlens.api.errors import InvalidInput, PayloadTooLarge, error_responses
from supportlens.api.routes.predict import predictor_for, ranked, score
from supportlens.api.schemas import (
    AnalyzedTurn,
    AnalyzeRequest,
    AnalyzeResponse,
    AnalyzeTurn,
    ConversationOut,
)
from supportlens.api.services import analytics
from supportlens.api.services.sentiment import label_for
from supportlens.api.services.warehouse import WarehouseReader
from supportlens.api.state import Services


@get(
    "/conversations/{conversation_id:str}",
    summary="A conversation with its turns, predicted intents, sentiment and outcome",
    cache=True,
    tags=["analytics"],
    responses=error_responses(403, 404, 429, 503),
)
async def get_conversation(
    warehouse: NamedDependency[WarehouseReader],
    conversation_id: str = Parameter(min_length=1, max_length=200),
) -> ConversationOut:
    return await to_thread.run_sync(analytics.conversation, warehouse, conversation_id)


def check_time_zones(turns: list[AnalyzeTurn]) -> None:
    """Response times subtract timestamps: all must carry a zone, or none."""
    stamped = [(i, t.sent_at) for i, t in enumerate(turns) if t.sent_at is not None]
    if not stamped:
        return
    first_aware = stamped[0][1].tzinfo is not None
    for index, sent_at in stamped:
        if (sent_at.tzinfo is not None) != first_aware:
            raise InvalidInput(
                f"turns[{index}].sent_at: {sent_at.isoformat()} "
                f"{'has' if sent_at.tzinfo is not None else 'lacks'} a time zone and "
                f"turns[{stamped[0][0]}].sent_at does not; give every sent_at a zone "
                "(e.g. 2026-01-01T10:00:00Z) or none"
            )


@post(
    "/conversations/analyze",
    status_code=200,
    summary="Analyse a conversation posted as turns (nothing is stored)",
    description="Intents are predicted for customer turns; sentiment for every turn; "
    "response times when turns carry `sent_at` (all with a time zone, or all without). "
    "At most `[api] max_turns` turns (413).",
    tags=["analytics"],
    responses=error_responses(404, 413, 415, 429),
)
async def analyze_conversation(
    services: NamedDependency[Services], data: JSONBody[AnalyzeRequest]
) -> AnalyzeResponse:
    if len(data.turns) > services.settings.api.max_turns:
        raise PayloadTooLarge(
            f"turns: {len(data.turns)} items, at most {services.settings.api.max_turns}",
            extra={"max_turns": services.settings.api.max_turns},
        )
    check_time_zones(data.turns)
    label_set, predictor = await predictor_for(services, data.label_set)
    texts = [turn.text for turn in data.turns]
    customer_at = [i for i, turn in enumerate(data.turns) if turn.speaker == "customer"]
    customer_texts = [texts[i] for i in customer_at]
    predictions = (
        await score(services, predictor, customer_texts, data.top_k) if customer_texts else []
    )
    by_turn = dict(zip(customer_at, predictions, strict=True))
    sentiments = await to_thread.run_sync(services.sentiment.score, texts)

    turns: list[AnalyzedTurn] = []
    last_customer_at = None
    first_response: float | None = None
    for index, (turn, (mood, mood_score)) in enumerate(zip(data.turns, sentiments, strict=True)):
        response_seconds = None
        if turn.speaker == "customer" and turn.sent_at is not None and last_customer_at is None:
            last_customer_at = turn.sent_at
        elif turn.speaker == "agent" and turn.sent_at is not None and last_customer_at:
            response_seconds = (turn.sent_at - last_customer_at).total_seconds()
            if first_response is None:
                first_response = response_seconds
            last_customer_at = None
        prediction = by_turn.get(index)
        turns.append(
            AnalyzedTurn(
                turn_index=index,
                speaker=turn.speaker,
                text=turn.text,
                sentiment=mood,
                sentiment_score=round(mood_score, 4),
                predicted_intent=str(prediction.label) if prediction else None,
                intent_confidence=float(prediction.confidence) if prediction else None,
                top_k=ranked(prediction) if prediction else None,
                response_seconds=response_seconds,
            )
        )
    # The conversation's intent is what the customer asked first (as the marts define it).
    opener = by_turn.get(customer_at[0]) if customer_at else None
    customer_scores = [sentiments[i][1] for i in customer_at] or [s for _, s in sentiments]
    overall = sum(customer_scores) / len(customer_scores)
    return AnalyzeResponse(
        model_version=predictor.model_version,
        label_set=label_set,
        intent=str(opener.label) if opener else None,
        intent_confidence=float(opener.confidence) if opener else None,
        sentiment=label_for(overall),
        sentiment_score=round(overall, 4),
        first_response_seconds=first_response,
        turns=turns,
    )
