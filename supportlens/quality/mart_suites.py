"""Suites for the key marts in the working warehouse (columns as built by models/marts/*.sql)."""

from __future__ import annotations

from supportlens.ingest.sources import SOURCES as ALL_SOURCES
from supportlens.quality import checks as c
from supportlens.quality.landing_suites import OUTCOMES, SPEAKERS_SYNTHETIC
from supportlens.quality.spec import Check, Helper, SuiteSpec
from supportlens.quality.spec import Severity as S
from supportlens.quality.spec import Stage as St

LABEL_SETS = ["banking77", "bitext", "sgd"]
SOURCES = list(ALL_SOURCES)
SPLITS = ["train", "validation", "test"]


def _suite(
    table: str, columns: dict[str, str], checks: list[Check], helpers: tuple[Helper, ...] = ()
) -> SuiteSpec:
    expected = [*columns, *(h.name for h in helpers)]
    return SuiteSpec(
        name=f"marts_{table}",
        stage=St.MARTS,
        source="warehouse",
        table=table,
        columns=columns,
        checks=tuple(c.schema(expected) + c.volume() + checks),
        helpers=helpers,
    )


def fct_turns() -> SuiteSpec:
    columns = {
        "turn_id": "varchar",
        "conversation_id": "varchar",
        "source": "varchar",
        "turn_index": "int",
        "speaker": "varchar",
        "author_id": "varchar",
        "sent_at": "timestamptz",
        "text": "varchar",
        "text_normalized": "varchar",
        "parent_turn_id": "varchar",
        "reply_delay_seconds": "bigint",
        "gold_intent": "varchar",
        "intent_label_set": "varchar",
        "intent_id": "varchar",
        "gold_sentiment": "varchar",
        "acts": "list",
        "services": "list",
        "sentiment_score": "double",
        "sentiment_label": "varchar",
    }
    helpers = (
        c.gap_free_helper("conversation_id", "turn_index"),
        c.first_index_helper("conversation_id", "turn_index"),
        Helper(
            "dq_reply_after_parent",
            "src.reply_delay_seconds >= 0",
            ("reply_delay_seconds",),
            consistency=True,
        ),
        c.length_helper("text"),
    )
    return _suite(
        "fct_turns",
        columns,
        [
            c.not_null("turn_id"),
            c.not_null("conversation_id"),
            c.not_null("source"),
            c.not_null("turn_index"),
            c.not_null("speaker"),
            c.not_null("text", mostly=0.99),
            c.unique("turn_id"),
            c.in_set("speaker", SPEAKERS_SYNTHETIC),
            c.in_set("source", SOURCES),
            c.in_set("intent_label_set", LABEL_SETS),
            c.between("sentiment_score", -1.0, 1.0),
            c.in_set("sentiment_label", ["negative", "neutral", "positive"]),
            c.flag_true("dq_turn_index_follows_previous"),
            c.flag_true("dq_turn_index_starts_at_0_or_1"),
            c.flag_true("dq_reply_after_parent", mostly=0.99),
            c.timestamp_in_range("sent_at", "earliest_message"),
            *c.text_length_quantiles("dq_text_length", (5, 300), 2000),
        ],
        helpers,
    )


def fct_conversations() -> SuiteSpec:
    columns = {
        "conversation_id": "varchar",
        "source": "varchar",
        "source_conversation_id": "varchar",
        "channel": "varchar",
        "company": "varchar",
        "service": "varchar",
        "started_at": "timestamptz",
        "ended_at": "timestamptz",
        "turn_count": "int",
        "customer_turn_count": "int",
        "agent_turn_count": "int",
        "first_response_seconds": "bigint",
        "outcome": "varchar",
        "gold_intent": "varchar",
        "intent_label_set": "varchar",
        "intent_id": "varchar",
    }
    helpers = (
        Helper(
            "dq_ends_after_start",
            "src.ended_at >= src.started_at",
            ("started_at", "ended_at"),
            consistency=True,
        ),
        Helper(
            "dq_turn_counts_add_up",
            "src.customer_turn_count + src.agent_turn_count = src.turn_count",
            ("turn_count", "customer_turn_count", "agent_turn_count"),
            consistency=True,
        ),
    )
    return _suite(
        "fct_conversations",
        columns,
        [
            c.not_null("conversation_id"),
            c.not_null("source"),
            c.not_null("turn_count"),
            c.unique("conversation_id"),
            c.in_set("source", SOURCES),
            c.between("turn_count", 0, None),
            c.between("first_response_seconds", 0, None, S.WARNING, mostly=0.99),
            c.in_set("outcome", OUTCOMES, S.WARNING),
            c.flag_true("dq_ends_after_start"),
            c.flag_true("dq_turn_counts_add_up"),
            c.timestamp_in_range("started_at", "earliest_message"),
        ],
        helpers,
    )


def ml_training_examples() -> SuiteSpec:
    columns = {
        "example_id": "varchar",
        "source": "varchar",
        "label_set": "varchar",
        "text": "varchar",
        "label": "varchar",
        "split": "varchar",
    }
    helpers = (
        c.length_helper("text"),
        c.share_helper("split"),
        Helper(
            "dq_label_share_in_label_set",
            "count(*) over (partition by src.label_set, src.label) "
            "/ count(*) over (partition by src.label_set)",
            ("label_set", "label"),
            "double",
        ),
    )
    return _suite(
        "ml_training_examples",
        columns,
        [
            c.not_null("example_id"),
            c.not_null("source"),
            c.not_null("label_set"),
            c.not_null("text"),
            c.not_null("label"),
            c.not_null("split"),
            c.unique("example_id"),
            c.in_set("label_set", LABEL_SETS),
            c.in_set("split", SPLITS),
            c.share_within("dq_split_share", 0.05, 0.9),
            # SGD has few intents per sample, so one label may hold a large share.
            c.share_within("dq_label_share_in_label_set", 0.0, 0.5),
            *c.text_length_quantiles("dq_text_length", (5, 300), 2000),
        ],
        helpers,
    )


def mart_suites() -> list[SuiteSpec]:
    return [fct_conversations(), fct_turns(), ml_training_examples()]
