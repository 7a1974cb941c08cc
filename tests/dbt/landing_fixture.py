"""Hand-made landed Parquet that follows docs/contracts.md exactly, with known answers.

Used by the dbt tests until (and beside) the generator: every table of the landing
contract, small enough to reason about, covering the hard cases of the warehouse logic
(thread branches, orphans, a reply cycle, a reply only listed by its parent, SGD retries
after NOTIFY_FAILURE, official test splits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

LOAD_ID = "fixture-0001"
LOADED_AT = datetime(2026, 1, 1, tzinfo=UTC)
T0 = datetime(2017, 10, 31, 10, 0, 0, tzinfo=UTC)

LINEAGE = [
    ("_load_id", pa.string()),
    ("_source_file", pa.string()),
    ("_record", pa.int64()),
    ("_loaded_at", pa.timestamp("us", tz="UTC")),
]
STR_LIST = pa.list_(pa.string())


@dataclass
class LandedTable:
    source: str
    table: str
    columns: list[tuple[str, pa.DataType]]
    source_file: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def write(self, landing_dir: Path) -> Path:
        schema = pa.schema(self.columns + LINEAGE)
        records = [
            {
                **row,
                "_load_id": LOAD_ID,
                "_source_file": self.source_file,
                "_record": i + 1,
                "_loaded_at": LOADED_AT,
            }
            for i, row in enumerate(self.rows)
        ]
        folder = landing_dir / self.source / self.table / f"load_id={LOAD_ID}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "data.parquet"
        pq.write_table(pa.Table.from_pylist(records, schema=schema), path)
        return path


def _tweet(tweet_id, author, inbound, minutes, text, replies=(), parent=None):
    return {
        "tweet_id": tweet_id,
        "author_id": author,
        "inbound": inbound,
        "created_at": T0 + timedelta(minutes=minutes),
        "text": text,
        "response_tweet_ids": list(replies),
        "in_response_to_tweet_id": parent,
    }


def twcs_tweets() -> LandedTable:
    rows = [
        # thread 1: customer, brand (5 min), customer, brand
        _tweet(1, "115712", True, 0, "@AcmeSupport my order 12345 is late http://t.co/abc", [2]),
        _tweet(2, "AcmeSupport", False, 5, "@115712 Sorry! DM us your email", [3], 1),
        _tweet(3, "115712", True, 7, "@AcmeSupport sent to me@example.com", [4], 2),
        _tweet(4, "AcmeSupport", False, 20, "@115712 Thanks, fixed.", [], 3),
        # thread 10: nobody answers
        _tweet(10, "223344", True, 30, "@BrandX   where is my   refund??", []),
        # thread 20: branch; the customer adds a second tweet before the brand replies
        _tweet(20, "556677", True, 40, "@BrandX app crashes", [21, 22]),
        _tweet(22, "556677", True, 41, "@BrandX still crashing", [], 20),
        _tweet(21, "BrandX", False, 50, "@556677 Which version?", [], 20),
        # thread 30: brand reply to a tweet that is not in the data (orphan)
        _tweet(30, "AcmeSupport", False, 60, "@998877 Happy to help!", [], 999),
        # thread 40: the reply's own link is missing; only the parent lists it
        _tweet(40, "778899", True, 70, "@AcmeSupport hello", [41]),
        _tweet(41, "AcmeSupport", False, 72, "@778899 Hi there", [], None),
        # a reply cycle: reachable from no root, so in no thread
        _tweet(50, "111111", True, 80, "@BrandX loop a", [51], 51),
        _tweet(51, "BrandX", False, 81, "@111111 loop b", [50], 50),
    ]
    return LandedTable(
        "twcs",
        "tweets",
        [
            ("tweet_id", pa.int64()),
            ("author_id", pa.string()),
            ("inbound", pa.bool_()),
            ("created_at", pa.timestamp("us", tz="UTC")),
            ("text", pa.string()),
            ("response_tweet_ids", pa.list_(pa.int64())),
            ("in_response_to_tweet_id", pa.int64()),
        ],
        "twcs/twcs.csv",
        rows,
    )


#: Known answers for the TWCS fixture: thread root -> (tweet ids in turn order,
#: first response seconds, company, outcome).
TWCS_TRUTH: dict[int, tuple[list[int], int | None, str | None, str | None]] = {
    1: ([1, 2, 3, 4], 300, "AcmeSupport", None),
    10: ([10], None, "BrandX", "unanswered"),
    20: ([20, 22, 21], 600, "BrandX", None),
    30: ([30], None, "AcmeSupport", None),
    40: ([40, 41], 120, "AcmeSupport", None),
}


def sgd_tables() -> list[LandedTable]:
    dialogues = [
        {
            "dialogue_id": "1_00001",
            "split": "train",
            "services": ["Restaurants_1"],
            "turn_count": 6,
        },
        {"dialogue_id": "1_00002", "split": "train", "services": ["Events_1"], "turn_count": 2},
        {"dialogue_id": "1_00003", "split": "train", "services": ["Events_1"], "turn_count": 2},
    ]
    turns = [
        ("1_00001", 0, "USER", "Find me a restaurant in San Jose."),
        ("1_00001", 1, "SYSTEM", "How about Sakura at 12 Main St?"),
        ("1_00001", 2, "USER", "Book it for 7 pm."),
        ("1_00001", 3, "SYSTEM", "Sorry, the booking failed. Try 7:30 pm?"),
        ("1_00001", 4, "USER", "Yes, 7:30 pm works."),
        ("1_00001", 5, "SYSTEM", "Your table is booked."),
        ("1_00002", 0, "USER", "Any concerts this weekend?"),
        ("1_00002", 1, "SYSTEM", "I could not find any."),
        ("1_00003", 0, "USER", "Thanks, bye."),
        ("1_00003", 1, "SYSTEM", "Goodbye."),
    ]
    frames, actions, states, spans = [], [], [], []
    service = {"1_00001": "Restaurants_1", "1_00002": "Events_1", "1_00003": "Events_1"}
    acts = {
        ("1_00001", 0): [
            ("INFORM_INTENT", "intent", ["FindRestaurants"]),
            ("INFORM", "city", ["San Jose"]),
        ],
        ("1_00001", 1): [("OFFER", "restaurant_name", ["Sakura"])],
        ("1_00001", 2): [
            ("INFORM_INTENT", "intent", ["ReserveRestaurant"]),
            ("INFORM", "time", ["7 pm"]),
        ],
        ("1_00001", 3): [("NOTIFY_FAILURE", "", []), ("OFFER", "time", ["7:30 pm"])],
        ("1_00001", 4): [("AFFIRM", "", [])],
        ("1_00001", 5): [("NOTIFY_SUCCESS", "", [])],
        ("1_00002", 0): [("INFORM_INTENT", "intent", ["FindEvents"])],
        ("1_00002", 1): [("NOTIFY_FAILURE", "", [])],
        ("1_00003", 0): [("GOODBYE", "", [])],
        ("1_00003", 1): [("GOODBYE", "", [])],
    }
    state = {
        ("1_00001", 0): ("FindRestaurants", [], '{"city": ["San Jose"]}'),
        ("1_00001", 2): ("ReserveRestaurant", [], '{"city": ["San Jose"], "time": ["7 pm"]}'),
        ("1_00001", 4): ("ReserveRestaurant", [], '{"city": ["San Jose"], "time": ["7:30 pm"]}'),
        ("1_00002", 0): ("FindEvents", ["date"], "{}"),
        ("1_00003", 0): ("NONE", [], "{}"),
    }
    for dialogue_id, turn_index, speaker, _ in turns:
        frames.append(
            {
                "dialogue_id": dialogue_id,
                "turn_index": turn_index,
                "frame_index": 0,
                "service": service[dialogue_id],
                "service_call_method": None,
                "service_call_parameters_json": None,
                "service_results_json": None,
            }
        )
        for i, (act, slot, values) in enumerate(acts[(dialogue_id, turn_index)]):
            actions.append(
                {
                    "dialogue_id": dialogue_id,
                    "turn_index": turn_index,
                    "frame_index": 0,
                    "action_index": i,
                    "act": act,
                    "slot": slot,
                    "slot_values": values,
                    "canonical_values": values,
                }
            )
        if speaker == "USER":
            intent, requested, values_json = state[(dialogue_id, turn_index)]
            states.append(
                {
                    "dialogue_id": dialogue_id,
                    "turn_index": turn_index,
                    "frame_index": 0,
                    "active_intent": intent,
                    "requested_slots": requested,
                    "slot_values_json": values_json,
                }
            )
    spans.append(
        {
            "dialogue_id": "1_00001",
            "turn_index": 0,
            "frame_index": 0,
            "span_index": 0,
            "slot": "city",
            "span_start": 24,
            "span_end": 32,
        }
    )
    key = [("dialogue_id", pa.string()), ("turn_index", pa.int32()), ("frame_index", pa.int32())]
    src = "sgd/train/dialogues_001.json"
    return [
        LandedTable(
            "sgd",
            "dialogues",
            [
                ("dialogue_id", pa.string()),
                ("split", pa.string()),
                ("services", STR_LIST),
                ("turn_count", pa.int32()),
            ],
            src,
            dialogues,
        ),
        LandedTable(
            "sgd",
            "turns",
            [
                ("dialogue_id", pa.string()),
                ("turn_index", pa.int32()),
                ("speaker", pa.string()),
                ("utterance", pa.string()),
            ],
            src,
            [
                dict(zip(("dialogue_id", "turn_index", "speaker", "utterance"), t, strict=True))
                for t in turns
            ],
        ),
        LandedTable(
            "sgd",
            "frames",
            [
                *key,
                ("service", pa.string()),
                ("service_call_method", pa.string()),
                ("service_call_parameters_json", pa.string()),
                ("service_results_json", pa.string()),
            ],
            src,
            frames,
        ),
        LandedTable(
            "sgd",
            "actions",
            [
                *key,
                ("action_index", pa.int32()),
                ("act", pa.string()),
                ("slot", pa.string()),
                ("slot_values", STR_LIST),
                ("canonical_values", STR_LIST),
            ],
            src,
            actions,
        ),
        LandedTable(
            "sgd",
            "slot_spans",
            [
                *key,
                ("span_index", pa.int32()),
                ("slot", pa.string()),
                ("span_start", pa.int32()),
                ("span_end", pa.int32()),
            ],
            src,
            spans,
        ),
        LandedTable(
            "sgd",
            "states",
            [
                *key,
                ("active_intent", pa.string()),
                ("requested_slots", STR_LIST),
                ("slot_values_json", pa.string()),
            ],
            src,
            states,
        ),
        LandedTable(
            "sgd",
            "schema_services",
            [("service_name", pa.string()), ("description", pa.string())],
            "sgd/train/schema.json",
            [
                {"service_name": "Restaurants_1", "description": "Find and book restaurants"},
                {"service_name": "Events_1", "description": "Find concerts and games"},
            ],
        ),
        LandedTable(
            "sgd",
            "schema_intents",
            [
                ("service_name", pa.string()),
                ("intent_name", pa.string()),
                ("description", pa.string()),
                ("is_transactional", pa.bool_()),
                ("required_slots", STR_LIST),
                ("optional_slots_json", pa.string()),
                ("result_slots", STR_LIST),
            ],
            "sgd/train/schema.json",
            [
                {
                    "service_name": "Restaurants_1",
                    "intent_name": "FindRestaurants",
                    "description": "Find a restaurant",
                    "is_transactional": False,
                    "required_slots": ["city"],
                    "optional_slots_json": "{}",
                    "result_slots": ["restaurant_name"],
                },
                {
                    "service_name": "Restaurants_1",
                    "intent_name": "ReserveRestaurant",
                    "description": "Reserve a table",
                    "is_transactional": True,
                    "required_slots": ["restaurant_name", "time"],
                    "optional_slots_json": "{}",
                    "result_slots": [],
                },
                {
                    "service_name": "Events_1",
                    "intent_name": "FindEvents",
                    "description": "Find events",
                    "is_transactional": False,
                    "required_slots": ["date"],
                    "optional_slots_json": "{}",
                    "result_slots": [],
                },
            ],
        ),
        LandedTable(
            "sgd",
            "schema_slots",
            [
                ("service_name", pa.string()),
                ("slot_name", pa.string()),
                ("description", pa.string()),
                ("is_categorical", pa.bool_()),
                ("possible_values", STR_LIST),
            ],
            "sgd/train/schema.json",
            [
                {
                    "service_name": "Restaurants_1",
                    "slot_name": "city",
                    "description": "City",
                    "is_categorical": False,
                    "possible_values": [],
                },
                {
                    "service_name": "Restaurants_1",
                    "slot_name": "time",
                    "description": "Time",
                    "is_categorical": False,
                    "possible_values": [],
                },
            ],
        ),
    ]


#: SGD dialogue -> outcome.
SGD_TRUTH = {"1_00001": "resolved", "1_00002": "failed", "1_00003": None}

BANKING77_INTENTS = ("card_arrival", "Refund_not_showing_up", "top_up_failed")


def banking77_tables() -> list[LandedTable]:
    utterances = []
    for split, per_intent in (("train", 10), ("test", 2)):
        for intent in BANKING77_INTENTS:
            for n in range(per_intent):
                record = len([u for u in utterances if u["split"] == split]) + 1
                utterances.append(
                    {
                        "utterance_id": f"{split}-{record}",
                        "split": split,
                        "text": f"Question {n} about {intent.replace('_', ' ')}?",
                        "intent": intent,
                    }
                )
    categories = [{"label_index": i, "intent": name} for i, name in enumerate(BANKING77_INTENTS)]
    return [
        LandedTable(
            "banking77",
            "utterances",
            [
                ("utterance_id", pa.string()),
                ("split", pa.string()),
                ("text", pa.string()),
                ("intent", pa.string()),
            ],
            "banking77/train.csv",
            utterances,
        ),
        LandedTable(
            "banking77",
            "categories",
            [("label_index", pa.int32()), ("intent", pa.string())],
            "banking77/categories.json",
            categories,
        ),
    ]


def bitext_utterances() -> LandedTable:
    rows = []
    for intent, category in (("track_order", "ORDER"), ("get_refund", "REFUND")):
        for n in range(10):
            rows.append(
                {
                    "utterance_id": f"bitext-{len(rows) + 1}",
                    "flags": "BL",
                    "instruction": f"I want to {intent.replace('_', ' ')} for "
                    f"{{{{Order Number}}}} #{n}",
                    "category": category,
                    "intent": intent,
                    "response": "Happy to help with {{Order Number}}.",
                    "placeholders": ["Order Number"],
                }
            )
    return LandedTable(
        "bitext",
        "utterances",
        [
            ("utterance_id", pa.string()),
            ("flags", pa.string()),
            ("instruction", pa.string()),
            ("category", pa.string()),
            ("intent", pa.string()),
            ("response", pa.string()),
            ("placeholders", STR_LIST),
        ],
        "bitext/bitext.csv",
        rows,
    )


def synthetic_turns() -> LandedTable:
    def turn(cid, index, speaker, seconds, text, sentiment, intent, outcome):
        return {
            "conversation_id": cid,
            "turn_index": index,
            "speaker": speaker,
            "text": text,
            "sent_at": T0 + timedelta(seconds=seconds),
            "channel": "chat",
            "company": "NeoBank",
            "intent": intent,
            "sentiment": sentiment,
            "outcome": outcome,
        }

    rows = [
        turn(
            "c1",
            0,
            "customer",
            0,
            "My card has not arrived",
            "negative",
            "card_arrival",
            "resolved",
        ),
        turn("c1", 1, "agent", 95, "It ships tomorrow.", "neutral", "card_arrival", "resolved"),
        turn("c1", 2, "customer", 130, "Great, thanks!", "positive", "card_arrival", "resolved"),
        turn(
            "c2",
            0,
            "customer",
            3600,
            "Top up failed twice",
            "negative",
            "top_up_failed",
            "unanswered",
        ),
        turn(
            "c3",
            0,
            "customer",
            7200,
            "Can I pay in crypto?",
            "neutral",
            "crypto_payments",
            "escalated",
        ),
        turn(
            "c3",
            1,
            "agent",
            7260,
            "Let me get a specialist.",
            "neutral",
            "crypto_payments",
            "escalated",
        ),
    ]
    return LandedTable(
        "synthetic",
        "turns",
        [
            ("conversation_id", pa.string()),
            ("turn_index", pa.int32()),
            ("speaker", pa.string()),
            ("text", pa.string()),
            ("sent_at", pa.timestamp("us", tz="UTC")),
            ("channel", pa.string()),
            ("company", pa.string()),
            ("intent", pa.string()),
            ("sentiment", pa.string()),
            ("outcome", pa.string()),
        ],
        "synthetic/conversations.csv",
        rows,
    )


#: synthetic conversation -> (first response seconds, outcome)
SYNTHETIC_TRUTH = {"c1": (95, "resolved"), "c2": (None, "unanswered"), "c3": (60, "escalated")}


def all_tables(sources: tuple[str, ...] | None = None) -> list[LandedTable]:
    tables = [
        twcs_tweets(),
        *sgd_tables(),
        *banking77_tables(),
        bitext_utterances(),
        synthetic_turns(),
    ]
    return [t for t in tables if sources is None or t.source in sources]


def write_landing(landing_dir: Path, sources: tuple[str, ...] | None = None) -> list[Path]:
    """Write the fixture's landed tables (optionally only some sources) under landing_dir."""
    return [table.write(landing_dir) for table in all_tables(sources)]


if __name__ == "__main__":
    import sys

    for written in write_landing(Path(sys.argv[1])):
        print(written)
