"""SGD-shaped data: `sgd/train/dialogues_NNN.json` (128 dialogues each) and `schema.json`.

The JSON has exactly the public release's structure and formatting (2-space indent,
sorted keys in dialogues, schema keys in SGD's order, trailing newline). Each dialogue is
a sequence of intent segments: the user states an intent, the system requests missing
required slots, then either answers a query (service call + INFORM/OFFER) or confirms a
transaction that ends in NOTIFY_SUCCESS or NOTIFY_FAILURE. About a quarter of dialogues
switch intent (sometimes via OFFER_INTENT); some users leave before the end.

Ground truth per dialogue goes to `_truth/sgd_dialogues.csv`: outcome of the final
segment (`resolved` = query answered or NOTIFY_SUCCESS, `failed` = NOTIFY_FAILURE,
`abandoned` = user left before completion), intents in order, switch count and the turn
index of the first NOTIFY_FAILURE.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from supportlens.ingest.generate.common import atomic_text_writer, chance, pick, rng_for, write_csv
from supportlens.ingest.generate.scales import Scale
from supportlens.ingest.generate.sgd_schema import (
    SGD_SCHEMA,
    SURFACE_VALUES,
    intent_spec,
    is_categorical,
)

DIALOGUES_PER_SHARD = 128
SPLIT = "train"
_MARKER = re.compile(r"\{(\w+)\}")

INTENTS: tuple[tuple[str, str], ...] = tuple(
    (s["service_name"], i["name"]) for s in SGD_SCHEMA for i in s["intents"]
)

USER_INTENT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "TrackOrder": ("Where is my order?", "Can you track my order {order_id}?",
                   "I want to know the status of order {order_id}."),
    "CancelOrder": ("I need to cancel an order.", "Please cancel order {order_id}.",
                    "I'd like to cancel order {order_id} and get a refund to {refund_method}."),
    "CheckCardStatus": ("What's the status of my {card_type}?", "Can you check on my card?"),
    "ReplaceCard": ("My {card_type} was {reason}, I need a new one.",
                    "I need to replace my card.", "Please replace my {card_type}."),
    "FindCallbackSlots": ("When can someone call me about {topic}?", "I'd like a call back.",
                          "Are there call-back times on {date}?"),
    "BookCallback": ("Book me a call about {topic} on {date} at {time}.",
                     "I want to book a call-back."),
}  # fmt: skip
SYSTEM_REQUEST: dict[str, str] = {
    "order_id": "What is the order number?",
    "card_type": "Is it your debit or credit card?",
    "reason": "Was the card lost, stolen or damaged?",
    "topic": "What is the call about?",
    "date": "Which day suits you?",
    "time": "What time works for you?",
    "phone_number": "Which number should we call?",
}
USER_INFORM: dict[str, tuple[str, ...]] = {
    "order_id": ("It's {order_id}.", "The order number is {order_id}."),
    "card_type": ("My {card_type}.", "It's the {card_type}."),
    "reason": ("It was {reason}.", "I think it got {reason}."),
    "topic": ("It's about {topic}.", "About {topic}, please."),
    "date": ("How about {date}?", "I'm free {date}."),
    "time": ("At {time}, please.", "{time} would be best."),
    "phone_number": ("Call me on {phone_number}.", "My number is {phone_number}."),
}
QUERY_ANSWER: dict[str, str] = {
    "TrackOrder": "Your order of {item_name} is {order_status} and should arrive {delivery_date}.",
    "CheckCardStatus": "Your {card_type} ending in {card_last_digits} is {card_status}.",
    "FindCallbackSlots": "There is a free slot {date} at {time}.",
}
CONFIRM_TEMPLATES: dict[str, str] = {
    "CancelOrder": "Please confirm: cancel order {order_id}.",
    "ReplaceCard": "Please confirm: replace your {reason} {card_type}.",
    "BookCallback": "Please confirm: a call about {topic} {date} at {time} on {phone_number}.",
}
SUCCESS_TEXT: dict[str, str] = {
    "CancelOrder": "Your order has been cancelled and the refund is on its way.",
    "ReplaceCard": "Your old card is blocked and a new one is on its way.",
    "BookCallback": "Your call-back is booked.",
}
FAILURE_TEXT: dict[str, str] = {
    "CancelOrder": "Sorry, I couldn't cancel that order because it has already shipped.",
    "ReplaceCard": "Sorry, I was unable to order a replacement card right now.",
    "BookCallback": "Sorry, that time is no longer available and the booking failed.",
}


@dataclass
class _Dialogue:
    """Mutable state of one dialogue while it is being simulated."""

    rng: np.random.Generator
    turns: list[dict[str, Any]] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    slot_values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    values: dict[str, tuple[str, str]] = field(default_factory=dict)  # slot -> (surface, canon)
    intents: list[str] = field(default_factory=list)
    first_failure_turn: int | None = None


def _value(d: _Dialogue, slot: str) -> tuple[str, str]:
    """The (surface, canonical) value of a slot for this dialogue, drawn once."""
    if slot not in d.values:
        if slot == "order_id":
            v = f"ORD-{int(d.rng.integers(10_000, 99_999))}"
            d.values[slot] = (v, v)
        elif slot == "card_last_digits":
            v = f"{int(d.rng.integers(0, 10_000)):04d}"
            d.values[slot] = (v, v)
        elif slot == "phone_number":
            v = f"415-555-{int(d.rng.integers(0, 10_000)):04d}"
            d.values[slot] = (v, v)
        else:
            d.values[slot] = pick(d.rng, SURFACE_VALUES[slot])
    return d.values[slot]


def _render(
    d: _Dialogue, service_name: str, template: str
) -> tuple[str, list[dict[str, Any]], list[str]]:
    """Fill a template; return text, SGD slot spans (non-categorical only) and slots used."""
    text = ""
    spans: list[dict[str, Any]] = []
    used: list[str] = []
    position = 0
    for match in _MARKER.finditer(template):
        text += template[position : match.start()]
        slot = match.group(1)
        surface = _value(d, slot)[0]
        if not is_categorical(service_name, slot):
            spans.append({"exclusive_end": len(text) + len(surface), "slot": slot,
                          "start": len(text)})  # fmt: skip
        text += surface
        used.append(slot)
        position = match.end()
    text += template[position:]
    return text[:1].upper() + text[1:], spans, used


def _action(act: str, slot: str = "", values: tuple[str, str] | None = None) -> dict[str, Any]:
    return {
        "act": act,
        "canonical_values": [values[1]] if values else [],
        "slot": slot,
        "values": [values[0]] if values else [],
    }


def _user_turn(
    d: _Dialogue,
    service_name: str,
    intent: str,
    template: str,
    acts: list[dict[str, Any]],
    inform: bool = True,
    requested: list[str] | None = None,
) -> None:
    text, spans, used = _render(d, service_name, template)
    state = d.slot_values.setdefault(service_name, {})
    if inform:
        for slot in used:
            acts.append(_action("INFORM", slot, _value(d, slot)))
            state[slot] = [_value(d, slot)[0]]
    frame = {
        "actions": acts,
        "service": service_name,
        "slots": spans,
        "state": {
            "active_intent": intent,
            "requested_slots": list(requested or []),
            "slot_values": {k: list(v) for k, v in sorted(state.items())},
        },
    }
    d.turns.append({"frames": [frame], "speaker": "USER", "utterance": text})


def _system_turn(
    d: _Dialogue,
    service_name: str,
    template: str,
    acts: list[dict[str, Any]],
    act_for_slots: str | None = None,
    call: tuple[str, dict[str, str], list[dict[str, str]]] | None = None,
) -> None:
    text, spans, used = _render(d, service_name, template)
    if act_for_slots:
        acts = [_action(act_for_slots, slot, _value(d, slot)) for slot in used] + acts
    frame: dict[str, Any] = {"actions": acts, "service": service_name, "slots": spans}
    if call is not None:
        method, parameters, results = call
        frame["service_call"] = {"method": method, "parameters": parameters}
        frame["service_results"] = results
    d.turns.append({"frames": [frame], "speaker": "SYSTEM", "utterance": text})


def _call_parameters(d: _Dialogue, service_name: str, intent: str) -> dict[str, str]:
    spec = intent_spec(service_name, intent)
    filled = d.slot_values.get(service_name, {})
    slots = [*spec["required_slots"], *spec["optional_slots"]]
    return {slot: _value(d, slot)[1] for slot in sorted(slots) if slot in filled}


def _result(d: _Dialogue, service_name: str, intent: str) -> dict[str, str]:
    spec = intent_spec(service_name, intent)
    return {slot: _value(d, slot)[1] for slot in sorted(spec["result_slots"])}


def _segment(
    d: _Dialogue, service_name: str, intent: str, opened: bool, offer_booking: bool
) -> str:
    """Simulate one intent from request to completion; return its outcome.

    `offer_booking` makes the query answer end with SGD's OFFER_INTENT for BookCallback.
    """
    rng = d.rng
    spec = intent_spec(service_name, intent)
    if service_name not in d.services:
        d.services.append(service_name)
    d.intents.append(intent)
    if not opened:
        _user_turn(d, service_name, intent, pick(rng, USER_INTENT_TEMPLATES[intent]),
                   [_action("INFORM_INTENT", "intent", (intent, intent))])  # fmt: skip
    for slot in spec["required_slots"]:
        if slot in d.slot_values.get(service_name, {}):
            continue
        _system_turn(d, service_name, SYSTEM_REQUEST[slot], [_action("REQUEST", slot)])
        if chance(rng, 0.04):
            _user_turn(d, service_name, intent, "Never mind, I'll sort it out later. Bye.",
                       [_action("NEGATE"), _action("GOODBYE")], inform=False)  # fmt: skip
            return "abandoned"
        _user_turn(d, service_name, intent, pick(rng, USER_INFORM[slot]), [])
    if not spec["is_transactional"]:
        template = QUERY_ANSWER[intent]
        results = [_result(d, service_name, intent)]
        acts = [_action("INFORM_COUNT", "count", (str(len(results)), str(len(results))))]
        if offer_booking:
            template += " Would you like to book it?"
            acts.append(_action("OFFER_INTENT", "intent", ("BookCallback", "BookCallback")))
        call = (intent, _call_parameters(d, service_name, intent), results)
        _system_turn(d, service_name, template, acts, act_for_slots="INFORM", call=call)
        return "resolved"
    for slot in (s for s in spec["optional_slots"] if s in SURFACE_VALUES and chance(rng, 0.5)):
        d.slot_values.setdefault(service_name, {})[slot] = [_value(d, slot)[0]]
    _system_turn(d, service_name, CONFIRM_TEMPLATES[intent], [], act_for_slots="CONFIRM")
    if chance(rng, 0.07):
        _user_turn(d, service_name, intent, "No, forget it. Goodbye.",
                   [_action("NEGATE"), _action("GOODBYE")], inform=False)  # fmt: skip
        return "abandoned"
    _user_turn(d, service_name, intent, pick(rng, ("Yes, that's right.", "Correct.", "Yes.")),
               [_action("AFFIRM")], inform=False)  # fmt: skip
    parameters = _call_parameters(d, service_name, intent)
    if chance(rng, 0.15):
        if d.first_failure_turn is None:
            d.first_failure_turn = len(d.turns)
        _system_turn(d, service_name, FAILURE_TEXT[intent] + " Anything else?",
                     [_action("NOTIFY_FAILURE"), _action("REQ_MORE")],
                     call=(intent, parameters, []))  # fmt: skip
        return "failed"
    _system_turn(d, service_name, SUCCESS_TEXT[intent], [_action("NOTIFY_SUCCESS")],
                 call=(intent, parameters, [_result(d, service_name, intent)]))  # fmt: skip
    return "resolved"


def _dialogue(rng: np.random.Generator, dialogue_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    d = _Dialogue(rng=rng)
    segments = 1 + int(rng.random() < 0.25) + int(rng.random() < 0.05)
    service_name, intent = pick(rng, INTENTS)
    outcome = "resolved"
    opened = False
    for index in range(segments):
        last = index == segments - 1
        offer = not last and intent == "FindCallbackSlots" and chance(rng, 0.6)
        outcome = _segment(d, service_name, intent, opened, offer)
        opened = False
        if outcome == "abandoned":
            break
        if offer:
            intent = "BookCallback"
            _user_turn(d, service_name, intent, "Yes, please book it.",
                       [_action("AFFIRM_INTENT")], inform=False)  # fmt: skip
            opened = True
            continue
        if last:
            break
        if outcome == "resolved":
            _user_turn(d, service_name, intent, "Thanks.", [_action("THANK_YOU")], inform=False)
            _system_turn(d, service_name, "Can I help with anything else?",
                         [_action("REQ_MORE")])  # fmt: skip
        service_name, intent = pick(rng, [x for x in INTENTS if x[1] != intent])
    if outcome == "resolved" and chance(rng, 0.5):
        _user_turn(d, service_name, intent, "Thank you, that's all. Bye!",
                   [_action("THANK_YOU"), _action("GOODBYE")], inform=False)  # fmt: skip
    elif outcome == "resolved":
        _user_turn(d, service_name, intent, "Thanks.", [_action("THANK_YOU")], inform=False)
        _system_turn(d, service_name, "Is there anything else I can do?", [_action("REQ_MORE")])
        _user_turn(d, service_name, intent, "No, that's all. Thanks.",
                   [_action("NEGATE"), _action("THANK_YOU")], inform=False)  # fmt: skip
    elif outcome == "failed":
        _user_turn(d, service_name, intent, pick(rng, ("No, that's all.", "No. Bye.")),
                   [_action("NEGATE"), _action("GOODBYE")], inform=False)  # fmt: skip
    _system_turn(d, service_name, pick(rng, ("Have a great day!", "Goodbye!")),
                 [_action("GOODBYE")])  # fmt: skip
    dialogue = {"dialogue_id": dialogue_id, "services": list(d.services), "turns": d.turns}
    truth = {
        "dialogue_id": dialogue_id,
        "services": "|".join(d.services),
        "intents": "|".join(d.intents),
        "intent_switches": len(d.intents) - 1,
        "turn_count": len(d.turns),
        "outcome": outcome,
        "first_notify_failure_turn": "" if d.first_failure_turn is None else d.first_failure_turn,
    }
    return dialogue, truth


def write_sgd(out_dir: Path, seed: int, scale: Scale, progress: bool = False) -> dict[str, int]:
    folder = out_dir / "sgd" / SPLIT
    counts: dict[str, int] = {}
    truths: list[dict[str, Any]] = []
    shards = -(-scale.sgd_dialogues // DIALOGUES_PER_SHARD)
    bar = tqdm(total=scale.sgd_dialogues, unit="dialogue", desc="sgd", disable=not progress)
    for shard in range(1, shards + 1):
        rng = rng_for(seed, "sgd", shard)
        size = min(DIALOGUES_PER_SHARD, scale.sgd_dialogues - (shard - 1) * DIALOGUES_PER_SHARD)
        dialogues = []
        for index in range(size):
            dialogue, truth = _dialogue(rng, f"{shard}_{index:05d}")
            dialogues.append(dialogue)
            truths.append({"file": f"sgd/{SPLIT}/dialogues_{shard:03d}.json", **truth})
        name = f"dialogues_{shard:03d}.json"
        with atomic_text_writer(folder / name) as handle:
            handle.write(json.dumps(dialogues, indent=2, sort_keys=True) + "\n")
        counts[f"sgd/{SPLIT}/{name}"] = len(dialogues)
        bar.update(len(dialogues))
    bar.close()
    with atomic_text_writer(folder / "schema.json") as handle:
        handle.write(json.dumps(SGD_SCHEMA, indent=2) + "\n")
    counts[f"sgd/{SPLIT}/schema.json"] = len(SGD_SCHEMA)
    header = list(truths[0]) if truths else ["dialogue_id"]
    write_csv(out_dir / "_truth" / "sgd_dialogues.csv", header,
              ([t[k] for k in header] for t in truths))  # fmt: skip
    return counts
