"""Analytics reads over the published marts: one parameterised query per endpoint.

Table and column names live here only, so a mart change touches one module. User input
never reaches SQL text: filters become `?` parameters, and the only pieces of SQL chosen
at run time are fixed fragments picked by the code.

Rules about the data live in the marts, not here: a conversation's intent (gold, else the
active model's prediction for the first customer turn) is fct_conversation_intents, a
turn's counted prediction is mart_turn_predictions. This module filters, counts and pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from supportlens.api.errors import ConversationNotFound
from supportlens.api.schemas import ConversationOut, Page, TurnOut
from supportlens.api.services.warehouse import Row, WarehouseReader

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


def intents(warehouse: WarehouseReader, filters: Filters, paging: Paging) -> Page:
    """Conversations per intent (fct_conversation_intents: gold, else predicted)."""
    where, params = _conversation_filters(filters)
    sql = f"""
        with by_intent as (
            select c.label_set, c.intent, c.intent_origin, count(*) as conversations
            from fct_conversation_intents as c
            {where}
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
        select c.conversation_id, c.source, c.company, c.channel, c.started_at, c.outcome,
               i.intent
        from fct_conversations as c
        left join fct_conversation_intents as i using (conversation_id)
        where c.conversation_id = ?
        """,
        [conversation_id],
    )
    if not heads:
        raise ConversationNotFound(f"no conversation with id {conversation_id!r}")
    turns = warehouse.fetch(
        f"""
        select
            t.turn_id,
            t.turn_index,
            t.speaker,
            t.text,
            t.sent_at,
            p.label as predicted_intent,
            p.confidence as intent_confidence,
            {TURN_SENTIMENT} as sentiment
        from fct_turns as t
        left join mart_turn_sentiment as scored using (turn_id)
        left join mart_turn_predictions as p using (turn_id)
        where t.conversation_id = ?
        order by t.turn_index
        """,
        [conversation_id],
    )
    head = heads[0]
    intent = head["intent"] if head["intent"] != "unknown" else None
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
