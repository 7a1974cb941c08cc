"""Suites for the landing zone: one per landed table, following docs/contracts.md.

Each suite holds schema (exact column set, presence, type family), volume (vs the previous
successful run), completeness (non-null rates), validity (value sets, id patterns,
timestamp ranges), consistency (SQL helper flags: turn order, replies after parents) and
distribution (value shares, text length quantiles) checks, each with a severity.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from supportlens.quality import checks as c
from supportlens.quality.spec import Check, Dimension, Helper, SuiteSpec, param
from supportlens.quality.spec import Severity as S
from supportlens.quality.spec import Stage as St

SGD_SPLITS = ["train", "dev", "test"]
SPEAKERS_SYNTHETIC = ["customer", "agent"]
SENTIMENTS = ["negative", "neutral", "positive"]
OUTCOMES = ["resolved", "failed", "abandoned", "escalated", "unanswered"]
#: Synthetic data plants one intent unknown to every catalogue; up to this share is expected.
SYNTHETIC_KNOWN_INTENT_MOSTLY = 0.9


def _suite(
    source: str,
    table: str,
    columns: dict[str, str],
    checks: list[Check],
    helpers: tuple[Helper, ...] = (),
) -> SuiteSpec:
    name = f"landing_{source}_{table}"
    lineage_names = ["_load_id", "_source_file", "_record", "_loaded_at"]
    expected = [*columns, *lineage_names, *(h.name for h in helpers)]
    lineage_checks = [c.not_null(col) for col in ("_load_id", "_source_file", "_record")]
    all_checks = c.schema(expected) + c.volume() + lineage_checks + checks
    return SuiteSpec(
        name=name,
        stage=St.LANDING,
        source=source,
        table=table,
        columns=columns,
        checks=tuple(all_checks),
        helpers=helpers,
        lineage=True,
    )


def banking77_suites() -> list[SuiteSpec]:
    utterances = _suite(
        "banking77",
        "utterances",
        {"utterance_id": "varchar", "split": "varchar", "text": "varchar", "intent": "varchar"},
        [
            c.not_null("utterance_id"),
            c.not_null("text", mostly=0.99),
            c.not_null("intent"),
            c.unique("utterance_id"),
            c.regex("utterance_id", r"^(?:train|test|validation)-\d+$"),
            c.in_set("split", ["train", "test", "validation"]),
            c.in_set("intent", param("banking77_intents")),
            *c.text_length_quantiles("dq_text_length", (10, 200), 1000),
            c.share_within("dq_intent_share", 0.0, 0.1),
        ],
        (c.length_helper("text"), c.share_helper("intent")),
    )
    categories = _suite(
        "banking77",
        "categories",
        {"label_index": "int", "intent": "varchar"},
        [
            c.not_null("label_index"),
            c.not_null("intent"),
            c.unique("label_index"),
            c.unique("intent"),
            c.between("label_index", 0, 76),
            c.in_set("intent", param("banking77_intents")),
            Check(gxe.ExpectTableRowCountToEqual, {"value": 77}, S.ERROR, Dimension.VOLUME),
        ],
    )
    return [utterances, categories]


def bitext_suites() -> list[SuiteSpec]:
    columns = {
        "utterance_id": "varchar",
        "flags": "varchar",
        "instruction": "varchar",
        "category": "varchar",
        "intent": "varchar",
        "response": "varchar",
        "placeholders": "list",
    }
    return [
        _suite(
            "bitext",
            "utterances",
            columns,
            [
                c.not_null("utterance_id"),
                c.not_null("instruction", mostly=0.99),
                c.not_null("response", mostly=0.99),
                c.not_null("intent"),
                c.not_null("category"),
                c.unique("utterance_id"),
                c.regex("utterance_id", r"^.+-\d+$"),
                c.regex("intent", r"^[a-z][a-z_]*$"),
                # A new Bitext release may add intents or categories: worth a look, not a stop.
                c.in_set("intent", param("bitext_intents"), S.WARNING),
                c.in_set("category", param("bitext_categories"), S.WARNING),
                c.regex("flags", r"^[A-Z]*$", S.WARNING),
                *c.text_length_quantiles("dq_instruction_length", (5, 200), 1000),
                c.share_within("dq_intent_share", 0.0, 0.15),
            ],
            (c.length_helper("instruction"), c.share_helper("intent")),
        )
    ]


def sgd_suites() -> list[SuiteSpec]:
    dialogues = _suite(
        "sgd",
        "dialogues",
        {"dialogue_id": "varchar", "split": "varchar", "services": "list", "turn_count": "int"},
        [
            c.not_null("dialogue_id"),
            c.not_null("split"),
            c.not_null("turn_count"),
            c.unique("dialogue_id"),
            c.regex("dialogue_id", r"^\d+_\d+$"),
            c.in_set("split", SGD_SPLITS),
            c.between("turn_count", 1, 500),
        ],
    )
    turn_helpers = (
        c.gap_free_helper("dialogue_id", "turn_index"),
        c.first_index_helper("dialogue_id", "turn_index"),
        c.length_helper("utterance"),
    )
    turns = _suite(
        "sgd",
        "turns",
        {
            "dialogue_id": "varchar",
            "turn_index": "int",
            "speaker": "varchar",
            "utterance": "varchar",
        },
        [
            c.not_null("dialogue_id"),
            c.not_null("turn_index"),
            c.not_null("speaker"),
            c.not_null("utterance", mostly=0.99),
            c.in_set("speaker", ["USER", "SYSTEM"]),
            Check(
                gxe.ExpectCompoundColumnsToBeUnique,
                {"column_list": ["dialogue_id", "turn_index"]},
                S.ERROR,
                Dimension.CONSISTENCY,
            ),
            c.flag_true("dq_turn_index_follows_previous"),
            c.flag_true("dq_turn_index_starts_at_0_or_1"),
            *c.text_length_quantiles("dq_utterance_length", (5, 200), 1000),
        ],
        turn_helpers,
    )
    key = {"dialogue_id": "varchar", "turn_index": "int", "frame_index": "int"}
    frames = _suite(
        "sgd",
        "frames",
        {
            **key,
            "service": "varchar",
            "service_call_method": "varchar",
            "service_call_parameters_json": "varchar",
            "service_results_json": "varchar",
        },
        [c.not_null(k) for k in key] + [c.not_null("service")],
    )
    actions = _suite(
        "sgd",
        "actions",
        {
            **key,
            "action_index": "int",
            "act": "varchar",
            "slot": "varchar",
            "slot_values": "list",
            "canonical_values": "list",
        },
        [c.not_null(k) for k in (*key, "action_index", "act")] + [c.regex("act", r"^[A-Z_]+$")],
    )
    slot_spans = _suite(
        "sgd",
        "slot_spans",
        {
            **key,
            "span_index": "int",
            "slot": "varchar",
            "span_start": "int",
            "span_end": "int",
        },
        [c.not_null(k) for k in (*key, "span_index", "slot", "span_start", "span_end")]
        + [c.flag_true("dq_span_is_ordered")],
        (
            Helper(
                "dq_span_is_ordered",
                "src.span_start >= 0 and src.span_end > src.span_start",
                ("span_start", "span_end"),
                consistency=True,
            ),
        ),
    )
    states = _suite(
        "sgd",
        "states",
        {
            **key,
            "active_intent": "varchar",
            "requested_slots": "list",
            "slot_values_json": "varchar",
        },
        [c.not_null(k) for k in key] + [c.not_null("active_intent", mostly=0.95)],
    )
    services = _suite(
        "sgd",
        "schema_services",
        {"service_name": "varchar", "description": "varchar"},
        [c.not_null("service_name"), c.unique("service_name")],
    )
    intents = _suite(
        "sgd",
        "schema_intents",
        {
            "service_name": "varchar",
            "intent_name": "varchar",
            "description": "varchar",
            "is_transactional": "boolean",
            "required_slots": "list",
            "optional_slots_json": "varchar",
            "result_slots": "list",
        },
        [c.not_null("service_name"), c.not_null("intent_name")],
    )
    slots = _suite(
        "sgd",
        "schema_slots",
        {
            "service_name": "varchar",
            "slot_name": "varchar",
            "description": "varchar",
            "is_categorical": "boolean",
            "possible_values": "list",
        },
        [c.not_null("service_name"), c.not_null("slot_name")],
    )
    return [dialogues, turns, frames, actions, slot_spans, states, services, intents, slots]


def twcs_suites() -> list[SuiteSpec]:
    reply_after_parent = Helper(
        "dq_reply_after_parent",
        "src.created_at >= parents.parent_created_at",
        ("created_at", "in_response_to_tweet_id", "tweet_id"),
        ctes="parents as (select tweet_id as parent_id, min(created_at) as parent_created_at "
        "from src group by tweet_id)",
        joins="left join parents on parents.parent_id = src.in_response_to_tweet_id",
        consistency=True,
    )
    parent_known = Helper(
        "dq_parent_is_known",
        "case when src.in_response_to_tweet_id is not null then known.known_id is not null end",
        ("in_response_to_tweet_id", "tweet_id"),
        ctes="known as (select distinct tweet_id as known_id from src)",
        joins="left join known on known.known_id = src.in_response_to_tweet_id",
    )
    return [
        _suite(
            "twcs",
            "tweets",
            {
                "tweet_id": "bigint",
                "author_id": "varchar",
                "inbound": "boolean",
                "created_at": "timestamptz",
                "text": "varchar",
                "response_tweet_ids": "list",
                "in_response_to_tweet_id": "bigint",
            },
            [
                c.not_null("tweet_id"),
                c.not_null("author_id"),
                c.not_null("inbound"),
                c.not_null("created_at"),
                c.not_null("text", mostly=0.999),
                c.unique("tweet_id"),
                c.timestamp_in_range("created_at", "earliest_tweet"),
                c.flag_true("dq_reply_after_parent", mostly=0.99),
                # Exports are often slices of a longer history: missing parents are expected.
                c.flag_true("dq_parent_is_known", S.WARNING, mostly=0.8),
                *c.text_length_quantiles("dq_text_length", (10, 280), 1000),
            ],
            (reply_after_parent, parent_known, c.length_helper("text")),
        )
    ]


def synthetic_suites() -> list[SuiteSpec]:
    helpers = (
        c.gap_free_helper("conversation_id", "turn_index"),
        c.first_index_helper("conversation_id", "turn_index"),
        c.not_before_previous_helper("conversation_id", "turn_index", "sent_at"),
        c.length_helper("text"),
        c.share_helper("intent"),
    )
    return [
        _suite(
            "synthetic",
            "turns",
            {
                "conversation_id": "varchar",
                "turn_index": "int",
                "speaker": "varchar",
                "text": "varchar",
                "sent_at": "timestamptz",
                "channel": "varchar",
                "company": "varchar",
                "intent": "varchar",
                "sentiment": "varchar",
                "outcome": "varchar",
            },
            [
                c.not_null("conversation_id"),
                c.not_null("turn_index"),
                c.not_null("speaker"),
                c.not_null("text", mostly=0.99),
                c.not_null("sent_at"),
                c.not_null("channel"),
                c.not_null("intent"),
                c.not_null("sentiment"),
                c.not_null("outcome"),
                c.regex("conversation_id", r"^[A-Za-z0-9_.:-]+$"),
                c.in_set("speaker", SPEAKERS_SYNTHETIC),
                c.in_set("sentiment", SENTIMENTS),
                c.in_set("outcome", OUTCOMES),
                c.in_set(
                    "intent", param("banking77_intents"), S.WARNING, SYNTHETIC_KNOWN_INTENT_MOSTLY
                ),
                Check(
                    gxe.ExpectCompoundColumnsToBeUnique,
                    {"column_list": ["conversation_id", "turn_index"]},
                    S.ERROR,
                    Dimension.CONSISTENCY,
                ),
                c.flag_true("dq_turn_index_follows_previous"),
                c.flag_true("dq_turn_index_starts_at_0_or_1"),
                c.flag_true("dq_sent_at_not_before_previous"),
                c.timestamp_in_range("sent_at", "earliest_message"),
                c.share_within("dq_intent_share", 0.0, 0.2),
                *c.text_length_quantiles("dq_text_length", (5, 300), 2000),
            ],
            helpers,
        )
    ]


def landing_suites() -> list[SuiteSpec]:
    return [
        *banking77_suites(),
        *bitext_suites(),
        *sgd_suites(),
        *twcs_suites(),
        *synthetic_suites(),
    ]
