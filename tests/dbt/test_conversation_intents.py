"""fct_conversation_intents is the one definition of a conversation's intent: one row per
conversation, gold where known, and mart_intent_distribution counts exactly its rows."""

from __future__ import annotations

from collections.abc import Callable

Query = Callable[[str], list[tuple]]


def test_every_conversation_has_one_intent_row(query: Query) -> None:
    (conversations,) = query("select count(*) from fct_conversations")[0]
    (rows, distinct) = query(
        "select count(*), count(distinct conversation_id) from fct_conversation_intents"
    )[0]
    assert rows == distinct == conversations > 0
    mismatched = query(
        """
        select count(*) from fct_conversation_intents as i
        join fct_conversations as c using (conversation_id)
        where (c.gold_intent is not null) <> (i.intent_origin = 'gold')
           or (c.gold_intent is not null and i.intent <> c.gold_intent)
        """
    )
    assert mismatched == [(0,)]


def test_intent_distribution_counts_the_conversation_intents(query: Query) -> None:
    by_mart = query(
        """
        select source, intent, intent_origin, sum(conversation_count)
        from mart_intent_distribution group by all order by all
        """
    )
    by_fact = query(
        """
        select source, intent, intent_origin, count(*)
        from fct_conversation_intents group by all order by all
        """
    )
    assert by_mart == by_fact
