"""Analytics reads over the published marts: one parameterised query per endpoint.

Table and column names live here only, so a mart change touches one module. User input
never reaches SQL text: filters become `?` parameters, and the only pieces of SQL chosen
at run time are fixed fragments picked by the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from api.errors import ConversationNotFound
from api.schemas import ConversationOut, Page, TurnOut
from api.services.warehouse import Row, WarehouseReader

#: Sentiment per turn: the VADER score the marts computed (mart_turn_sentiment, customer
#: turns), else the generator's ground truth (synthetic data, or a build without the UDFs).
TURN_SENTIMENT = "coalesce(scored.sentiment_label, t.gold_sentiment)"


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None
    company: str | None = None


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def _conversation_filters(filters: Filters, alias: str = "c") -> tuple[str, list[Any]]:
    """`where` clause on fct_conversations (date range inclusive, on the start time)."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.date_from is not None:
        clauses.append(f"{alias}.started_at >= ?")
        params.append(filters.date_from)
    if filters.date_to is not None and filters.date_to < date.max:
        # Inclusive: before the next day. The last representable day has no next day
        # (date.max + 1 overflows); it bounds nothing, so it adds no clause.
        clauses.append(f"{alias}.started_at < ?")
        params.append(filters.date_to + timedelta(days=1))
    if filters.source is not None:
        clauses.append(f"{alias}.source = ?")
        params.append(filters.source)
    if filters.company is not None:
        # SGD dialogues have a service, not a company (the marts use the same rule).
        clauses.append(f"coalesce({alias}.company, {alias}.service) = ?")
        params.append(filters.company)
    return ("where " + " and ".join(clauses)) if clauses else "", params


def _page(rows: list[Row], paging: Paging, snapshot: str) -> Page:
    total = int(rows[0].pop("_total")) if rows else 0
    for row in rows[1:]:
        row.pop("_total", None)
    next_offset = paging.offset + paging.limit
    return Page(
        items=rows,
        total=total,
        limit=paging.limit,
        offset=paging.offset,
        next_offset=next_offset if next_offset < total else None,
        snapshot=snapshot,
    )


def _paged(
    warehouse: WarehouseReader, sql: str, params: list[Any], paging: Paging, snapshot: str
) -> Page:
    """Wrap an aggregate query with a total count and limit/offset."""
    wrapped = f"""
        with result as ({sql})
        select *, count(*) over () as _total
        from result
        limit ? offset ?
    """
    rows = warehouse.fetch(wrapped, [*params, paging.limit, paging.offset])
    if not rows and paging.offset > 0:
        # Past the last page: still report the total.
        count = warehouse.fetch(f"with result as ({sql}) select count(*) as n from result", params)
        return Page(
            items=[],
            total=int(count[0]["n"]),
            limit=paging.limit,
            offset=paging.offset,
            next_offset=None,
            snapshot=snapshot,
        )
    return _page(rows, paging, snapshot)


#: The active model's latest prediction per turn (what the marts count as "predicted").
ACTIVE_PREDICTIONS = """
    active_predictions as (
        select turn_id, label_set, label, confidence
        from (
            select
                p.turn_id, p.label_set, p.label, cast(p.confidence as double) as confidence,
                row_number() over (
                    partition by p.turn_id, p.label_set
                    order by p.predicted_at desc, p.model_version desc
                ) as recency
            from ml_predictions as p
            join ml_models as m
                on m.model_version = p.model_version
                and m.label_set = p.label_set
                and m.is_active
        ) as ranked
        where recency = 1
    )
"""


def intents(warehouse: WarehouseReader, filters: Filters, paging: Paging) -> Page:
    """Conversations per intent: the gold intent, else the active model's prediction for
    the first customer turn (as mart_intent_distribution counts them)."""
    where, params = _conversation_filters(filters)
    sql = f"""
        with scoped_conversations as (
            select c.conversation_id, c.gold_intent, c.intent_label_set
            from fct_conversations as c
            {where}
        ),
        first_customer_turns as (
            select conversation_id, turn_id
            from fct_turns
            where speaker = 'customer'
            qualify row_number() over (partition by conversation_id order by turn_index) = 1
        ),
        scoring_label_sets as (
            select turn_id, label_set from ml_scoring_inputs
        ),
        {ACTIVE_PREDICTIONS},
        conversation_intents as (
            select
                coalesce(c.intent_label_set, p.label_set) as label_set,
                coalesce(c.gold_intent, p.label, 'unknown') as intent,
                case
                    when c.gold_intent is not null then 'gold'
                    when p.label is not null then 'predicted'
                    else 'none'
                end as intent_origin
            from scoped_conversations as c
            left join first_customer_turns as f using (conversation_id)
            left join scoring_label_sets as s on s.turn_id = f.turn_id
            left join active_predictions as p
                on p.turn_id = f.turn_id
                and p.label_set = s.label_set
                and c.gold_intent is null
        ),
        by_intent as (
            select label_set, intent, intent_origin, count(*) as conversations
            from conversation_intents
            group by all
        )
        select
            label_set,
            intent,
            intent_origin,
            conversations,
            round(conversations / sum(conversations) over (), 4) as share
        from by_intent
        order by conversations desc, intent, label_set nulls last, intent_origin
    """
    return _paged(warehouse, sql, params, paging, warehouse.snapshot_id())


def outcomes(warehouse: WarehouseReader, filters: Filters, paging: Paging) -> Page:
    where, params = _conversation_filters(filters)
    sql = f"""
        with scoped_conversations as (
            select c.outcome
            from fct_conversations as c
            {where}
        ),
        by_outcome as (
            select coalesce(outcome, 'unknown') as outcome, count(*) as conversations
            from scoped_conversations
            group by 1
        )
        select
            outcome,
            conversations,
            round(conversations / sum(conversations) over (), 4) as share
        from by_outcome
        order by conversations desc, outcome
    """
    return _paged(warehouse, sql, params, paging, warehouse.snapshot_id())


def response_times(warehouse: WarehouseReader, filters: Filters, paging: Paging) -> Page:
    """First-response time per day; conversations without timestamps have day null."""
    where, params = _conversation_filters(filters)
    sql = f"""
        with scoped_conversations as (
            select cast(c.started_at as date) as day, c.first_response_seconds
            from fct_conversations as c
            {where}
        ),
        by_day as (
            select
                day,
                count(*) as conversations,
                count(first_response_seconds) as answered,
                round(median(first_response_seconds), 1) as p50_first_response_s,
                round(quantile_cont(first_response_seconds, 0.9), 1) as p90_first_response_s,
                round(avg(first_response_seconds), 1) as mean_first_response_s
            from scoped_conversations
            group by day
        )
        select * from by_day
        order by day nulls last
    """
    return _paged(warehouse, sql, params, paging, warehouse.snapshot_id())


def sentiment(warehouse: WarehouseReader, filters: Filters, paging: Paging) -> Page:
    """Customer turns per sentiment label."""
    where, params = _conversation_filters(filters)
    sql = f"""
        with scoped_conversations as (
            select c.conversation_id
            from fct_conversations as c
            {where}
        ),
        customer_turns as (
            select {TURN_SENTIMENT} as sentiment
            from fct_turns as t
            join scoped_conversations using (conversation_id)
            left join mart_turn_sentiment as scored using (turn_id)
            where t.speaker = 'customer'
        ),
        by_sentiment as (
            select coalesce(sentiment, 'unknown') as sentiment, count(*) as turns
            from customer_turns
            group by 1
        )
        select sentiment, turns, round(turns / sum(turns) over (), 4) as share
        from by_sentiment
        order by turns desc, sentiment
    """
    return _paged(warehouse, sql, params, paging, warehouse.snapshot_id())


def conversation(warehouse: WarehouseReader, conversation_id: str) -> ConversationOut:
    heads = warehouse.fetch(
        """
        select conversation_id, source, company, channel, started_at, gold_intent, outcome
        from fct_conversations
        where conversation_id = ?
        """,
        [conversation_id],
    )
    if not heads:
        raise ConversationNotFound(f"no conversation with id {conversation_id!r}")
    turns = warehouse.fetch(
        f"""
        with conversation_turns as (
            select t.turn_id, t.turn_index, t.speaker, t.text, t.sent_at,
                   {TURN_SENTIMENT} as sentiment
            from fct_turns as t
            left join mart_turn_sentiment as scored using (turn_id)
            where t.conversation_id = ?
        ),
        {ACTIVE_PREDICTIONS}
        select
            t.turn_id,
            t.turn_index,
            t.speaker,
            t.text,
            t.sent_at,
            p.label as predicted_intent,
            p.confidence as intent_confidence,
            t.sentiment
        from conversation_turns as t
        left join active_predictions as p using (turn_id)
        qualify row_number() over (partition by t.turn_id order by p.confidence desc) = 1
        order by t.turn_index
        """,
        [conversation_id],
    )
    head = heads[0]
    # The conversation's intent: gold where the source has one, else the first
    # customer turn's prediction (the marts' rule).
    first_customer = next((t for t in turns if t["speaker"] == "customer"), None)
    intent = head["gold_intent"] or (first_customer or {}).get("predicted_intent")
    return ConversationOut(
        conversation_id=str(head["conversation_id"]),
        source=head["source"],
        company=head["company"],
        channel=head["channel"],
        started_at=head["started_at"],
        intent=intent,
        outcome=head["outcome"],
        turns=[TurnOut(**turn) for turn in turns],
    )
