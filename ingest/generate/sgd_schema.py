"""The services of the generated Schema-Guided-Dialogue data (our own, in SGD's schema form).

Three support-flavoured services with two intents each: one query (non-transactional)
and one transaction, so dialogues can end in NOTIFY_SUCCESS or NOTIFY_FAILURE.
Surface values map to canonical values where SGD distinguishes them (dates, times).
"""

from __future__ import annotations

from typing import Any

SGD_SCHEMA: list[dict[str, Any]] = [
    {
        "service_name": "Orders_1",
        "description": "Track, and cancel online shop orders",
        "slots": [
            {"name": "order_id", "description": "Identifier of the order",
             "is_categorical": False, "possible_values": []},
            {"name": "item_name", "description": "Name of the ordered item",
             "is_categorical": False, "possible_values": []},
            {"name": "order_status", "description": "Where the order is in its journey",
             "is_categorical": True, "possible_values": ["processing", "shipped", "delivered"]},
            {"name": "delivery_date", "description": "Expected delivery date",
             "is_categorical": False, "possible_values": []},
            {"name": "refund_method", "description": "How a cancelled order is refunded",
             "is_categorical": True, "possible_values": ["card", "store_credit"]},
        ],
        "intents": [
            {"name": "TrackOrder", "description": "Find where an order is",
             "is_transactional": False, "required_slots": ["order_id"], "optional_slots": {},
             "result_slots": ["order_id", "item_name", "order_status", "delivery_date"]},
            {"name": "CancelOrder", "description": "Cancel an order that has not shipped",
             "is_transactional": True, "required_slots": ["order_id"],
             "optional_slots": {"refund_method": "card"},
             "result_slots": ["order_id", "item_name", "refund_method"]},
        ],
    },
    {
        "service_name": "Cards_1",
        "description": "Check and replace bank cards",
        "slots": [
            {"name": "card_type", "description": "Kind of card",
             "is_categorical": True, "possible_values": ["debit", "credit"]},
            {"name": "reason", "description": "Why the card must be replaced",
             "is_categorical": True, "possible_values": ["lost", "stolen", "damaged"]},
            {"name": "delivery_city", "description": "City the new card is sent to",
             "is_categorical": False, "possible_values": []},
            {"name": "card_last_digits", "description": "Last four digits of the card",
             "is_categorical": False, "possible_values": []},
            {"name": "card_status", "description": "Current state of the card",
             "is_categorical": True, "possible_values": ["active", "blocked", "in_transit"]},
        ],
        "intents": [
            {"name": "CheckCardStatus", "description": "Look up the status of a card",
             "is_transactional": False, "required_slots": ["card_type"], "optional_slots": {},
             "result_slots": ["card_type", "card_last_digits", "card_status"]},
            {"name": "ReplaceCard", "description": "Block a card and order a replacement",
             "is_transactional": True, "required_slots": ["card_type", "reason"],
             "optional_slots": {"delivery_city": "dontcare"},
             "result_slots": ["card_type", "reason", "delivery_city", "card_last_digits"]},
        ],
    },
    {
        "service_name": "Callbacks_1",
        "description": "Book a call-back from a support specialist",
        "slots": [
            {"name": "topic", "description": "What the call is about",
             "is_categorical": True, "possible_values": ["billing", "technical", "account"]},
            {"name": "date", "description": "Day of the call",
             "is_categorical": False, "possible_values": []},
            {"name": "time", "description": "Time of the call",
             "is_categorical": False, "possible_values": []},
            {"name": "phone_number", "description": "Number to call back",
             "is_categorical": False, "possible_values": []},
        ],
        "intents": [
            {"name": "FindCallbackSlots", "description": "Find free call-back times",
             "is_transactional": False, "required_slots": ["topic", "date"],
             "optional_slots": {}, "result_slots": ["topic", "date", "time"]},
            {"name": "BookCallback", "description": "Book a call-back at a given time",
             "is_transactional": True, "required_slots": ["topic", "date", "time",
                                                          "phone_number"],
             "optional_slots": {}, "result_slots": ["topic", "date", "time", "phone_number"]},
        ],
    },
]  # fmt: skip

# Surface forms users and the system say, with the canonical value SGD stores alongside.
SURFACE_VALUES: dict[str, tuple[tuple[str, str], ...]] = {
    "item_name": tuple((v, v) for v in ("wireless headphones", "running shoes", "coffee maker",
                                        "phone case", "desk lamp", "backpack")),
    "delivery_date": (("March 3rd", "2019-03-03"), ("next Monday", "2019-03-04"),
                      ("tomorrow", "2019-03-02"), ("the 7th", "2019-03-07")),
    "order_status": tuple((v, v) for v in ("processing", "shipped", "delivered")),
    "refund_method": (("my card", "card"), ("store credit", "store_credit")),
    "card_type": (("debit card", "debit"), ("credit card", "credit")),
    "reason": (("lost", "lost"), ("stolen", "stolen"), ("damaged", "damaged")),
    "delivery_city": tuple((v, v) for v in ("San Jose", "Berkeley", "Seattle", "New York",
                                            "Chicago", "Austin")),
    "card_status": tuple((v, v) for v in ("active", "blocked", "in_transit")),
    "topic": (("billing", "billing"), ("a technical problem", "technical"),
              ("my account", "account")),
    "date": (("tomorrow", "2019-03-02"), ("next Monday", "2019-03-04"),
             ("the 5th", "2019-03-05"), ("Friday", "2019-03-08")),
    "time": (("10 am", "10:00"), ("2:30 pm", "14:30"), ("4 in the afternoon", "16:00"),
             ("9:15 am", "09:15")),
}  # fmt: skip


def service(name: str) -> dict[str, Any]:
    return next(s for s in SGD_SCHEMA if s["service_name"] == name)


def intent_spec(service_name: str, intent: str) -> dict[str, Any]:
    return next(i for i in service(service_name)["intents"] if i["name"] == intent)


def is_categorical(service_name: str, slot: str) -> bool:
    return bool(
        next(s for s in service(service_name)["slots"] if s["name"] == slot)["is_categorical"]
    )
