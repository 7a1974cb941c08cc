"""Schema-Guided Dialogue: `<split>/dialogues_*.json` and `<split>/schema.json`.

Every annotation is kept, as related tables keyed by (dialogue_id, turn_index,
frame_index, item index): dialogues, turns, frames (with the service call and its
results as JSON), actions, slot_spans and states. A dialogue that breaks the schema is
quarantined whole, with the JSON path of the first problem; records are 0-based
indexes into the file's top-level list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa

from supportlens.ingest.landing.discovery import RawFile
from supportlens.ingest.landing.json_files import (
    element_lines,
    is_valid_unicode,
    raw_json,
    read_json_list,
)
from supportlens.ingest.landing.sink import LoadSink

LOADER_VERSION = "sgd/1"
SPEAKERS = frozenset({"USER", "SYSTEM"})
FLUSH_EVERY = 256  # dialogues buffered before a write
INT32_MAX = 2**31 - 1  # span offsets land as int

_S, _I, _SL = pa.string(), pa.int32(), pa.list_(pa.string())
SCHEMAS: dict[str, pa.Schema] = {
    "dialogues": pa.schema(
        [("dialogue_id", _S), ("split", _S), ("services", _SL), ("turn_count", _I)]
    ),
    "turns": pa.schema(
        [("dialogue_id", _S), ("turn_index", _I), ("speaker", _S), ("utterance", _S)]
    ),
    "frames": pa.schema(
        [
            ("dialogue_id", _S),
            ("turn_index", _I),
            ("frame_index", _I),
            ("service", _S),
            ("service_call_method", _S),
            ("service_call_parameters_json", _S),
            ("service_results_json", _S),
        ]
    ),
    "actions": pa.schema(
        [
            ("dialogue_id", _S),
            ("turn_index", _I),
            ("frame_index", _I),
            ("action_index", _I),
            ("act", _S),
            ("slot", _S),
            ("slot_values", _SL),
            ("canonical_values", _SL),
        ]
    ),
    "slot_spans": pa.schema(
        [
            ("dialogue_id", _S),
            ("turn_index", _I),
            ("frame_index", _I),
            ("span_index", _I),
            ("slot", _S),
            ("span_start", _I),
            ("span_end", _I),
        ]
    ),
    "states": pa.schema(
        [
            ("dialogue_id", _S),
            ("turn_index", _I),
            ("frame_index", _I),
            ("active_intent", _S),
            ("requested_slots", _SL),
            ("slot_values_json", _S),
        ]
    ),
    "schema_services": pa.schema([("service_name", _S), ("description", _S)]),
    "schema_intents": pa.schema(
        [
            ("service_name", _S),
            ("intent_name", _S),
            ("description", _S),
            ("is_transactional", pa.bool_()),
            ("required_slots", _SL),
            ("optional_slots_json", _S),
            ("result_slots", _SL),
        ]
    ),
    "schema_slots": pa.schema(
        [
            ("service_name", _S),
            ("slot_name", _S),
            ("description", _S),
            ("is_categorical", pa.bool_()),
            ("possible_values", _SL),
        ]
    ),
}
DIALOGUE_TABLES = ("dialogues", "turns", "frames", "actions", "slot_spans", "states")
SCHEMA_TABLES = ("schema_services", "schema_intents", "schema_slots")

Rows = dict[str, list[dict[str, Any]]]


class RecordError(ValueError):
    """One record breaks the expected structure; `path` is where (e.g. turns[3].speaker)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def classify(relative: str) -> str | None:
    path = PurePosixPath(relative)
    if len(path.parts) != 2:
        return None
    if path.name == "schema.json":
        return "schema"
    if path.name.startswith("dialogues_") and path.suffix == ".json":
        return "dialogues"
    return None


# -- structure checks: each returns the value or raises RecordError naming the path --


def _get(obj: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...]) -> Any:
    if key not in obj:
        raise RecordError(f"{path}.{key}".lstrip("."), "missing key")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise RecordError(
            f"{path}.{key}".lstrip("."), f"expected {names}, got {type(value).__name__}"
        )
    return value


def _text(obj: dict[str, Any], key: str, path: str, required: bool = True) -> str:
    value = _get(obj, key, path, str)
    if required and not value.strip():
        raise RecordError(f"{path}.{key}".lstrip("."), "empty text")
    return value


def _texts(obj: dict[str, Any], key: str, path: str) -> list[str]:
    values = _get(obj, key, path, list)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise RecordError(f"{path}.{key}[{index}]", f"expected str, got {type(value).__name__}")
    return values


def _dicts(obj: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    values = _get(obj, key, path, list)
    for index, value in enumerate(values):
        if not isinstance(value, dict):
            raise RecordError(
                f"{path}.{key}[{index}]", f"expected object, got {type(value).__name__}"
            )
    return values


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _frame_rows(frame: dict[str, Any], key: dict[str, Any], path: str, rows: Rows) -> None:
    service = _text(frame, "service", path)
    call = _get(frame, "service_call", path, dict) if "service_call" in frame else None
    results = _dicts(frame, "service_results", path) if "service_results" in frame else None
    if call is not None:
        _text(call, "method", f"{path}.service_call")
        _get(call, "parameters", f"{path}.service_call", dict)
    rows["frames"].append(
        {
            **key,
            "service": service,
            "service_call_method": call["method"] if call else None,
            "service_call_parameters_json": _json(call["parameters"]) if call else None,
            "service_results_json": _json(results) if results is not None else None,
        }
    )
    for index, action in enumerate(_dicts(frame, "actions", path)):
        where = f"{path}.actions[{index}]"
        rows["actions"].append(
            {
                **key,
                "action_index": index,
                "act": _text(action, "act", where),
                "slot": _text(action, "slot", where, required=False),
                "slot_values": _texts(action, "values", where),
                "canonical_values": _texts(action, "canonical_values", where),
            }
        )
    for index, span in enumerate(_dicts(frame, "slots", path)):
        where = f"{path}.slots[{index}]"
        start, end = _get(span, "start", where, int), _get(span, "exclusive_end", where, int)
        if not 0 <= start <= end:
            raise RecordError(where, f"bad span {start}..{end}")
        if end > INT32_MAX:
            raise RecordError(where, f"span {start}..{end} beyond the int range (max {INT32_MAX})")
        rows["slot_spans"].append(
            {
                **key,
                "span_index": index,
                "slot": _text(span, "slot", where),
                "span_start": start,
                "span_end": end,
            }
        )
    if "state" in frame:
        state = _get(frame, "state", path, dict)
        where = f"{path}.state"
        slot_values = _get(state, "slot_values", where, dict)
        rows["states"].append(
            {
                **key,
                "active_intent": _text(state, "active_intent", where, required=False),
                "requested_slots": _texts(state, "requested_slots", where),
                "slot_values_json": _json(slot_values),
            }
        )


def dialogue_rows(dialogue: Any, split: str) -> Rows:
    """All table rows of one dialogue, or RecordError at the first structural problem."""
    if not isinstance(dialogue, dict):
        raise RecordError("$", f"expected object, got {type(dialogue).__name__}")
    rows: Rows = {name: [] for name in DIALOGUE_TABLES}
    dialogue_id = _text(dialogue, "dialogue_id", "")
    turns = _dicts(dialogue, "turns", "")
    if not turns:
        raise RecordError("turns", "no turns")
    rows["dialogues"].append(
        {
            "dialogue_id": dialogue_id,
            "split": split,
            "services": _texts(dialogue, "services", ""),
            "turn_count": len(turns),
        }
    )
    for turn_index, turn in enumerate(turns):
        path = f"turns[{turn_index}]"
        speaker = _text(turn, "speaker", path)
        if speaker not in SPEAKERS:
            raise RecordError(f"{path}.speaker", f"speaker {speaker!r} not USER/SYSTEM")
        rows["turns"].append(
            {
                "dialogue_id": dialogue_id,
                "turn_index": turn_index,
                "speaker": speaker,
                "utterance": _text(turn, "utterance", path),
            }
        )
        for frame_index, frame in enumerate(_dicts(turn, "frames", path)):
            key = {"dialogue_id": dialogue_id, "turn_index": turn_index, "frame_index": frame_index}
            _frame_rows(frame, key, f"{path}.frames[{frame_index}]", rows)
    return rows


def service_rows(service: Any) -> Rows:
    if not isinstance(service, dict):
        raise RecordError("$", f"expected object, got {type(service).__name__}")
    rows: Rows = {name: [] for name in SCHEMA_TABLES}
    name = _text(service, "service_name", "")
    rows["schema_services"].append(
        {"service_name": name, "description": _text(service, "description", "", required=False)}
    )
    for index, slot in enumerate(_dicts(service, "slots", "")):
        where = f"slots[{index}]"
        rows["schema_slots"].append(
            {
                "service_name": name,
                "slot_name": _text(slot, "name", where),
                "description": _text(slot, "description", where, required=False),
                "is_categorical": _get(slot, "is_categorical", where, bool),
                "possible_values": _texts(slot, "possible_values", where),
            }
        )
    for index, intent in enumerate(_dicts(service, "intents", "")):
        where = f"intents[{index}]"
        rows["schema_intents"].append(
            {
                "service_name": name,
                "intent_name": _text(intent, "name", where),
                "description": _text(intent, "description", where, required=False),
                "is_transactional": _get(intent, "is_transactional", where, bool),
                "required_slots": _texts(intent, "required_slots", where),
                "optional_slots_json": _json(_get(intent, "optional_slots", where, dict)),
                "result_slots": _texts(intent, "result_slots", where),
            }
        )
    return rows


def _land_records(
    records: list[Any],
    tables: tuple[str, ...],
    to_rows: Callable[[Any], Rows],
    id_key: tuple[str, str],
    sink: LoadSink,
    check_unicode: bool,
) -> None:
    writers = {name: sink.table(name, SCHEMAS[name]) for name in tables}
    buffered: dict[str, tuple[list[dict[str, Any]], list[int]]] = {n: ([], []) for n in tables}
    seen: set[str] = set()
    id_table, id_field = id_key

    def flush() -> None:
        for name, (rows, numbers) in buffered.items():
            writers[name].write_rows(rows, numbers)
            rows.clear()
            numbers.clear()

    for record, item in enumerate(records):
        sink.count_read()
        try:
            if check_unicode and not is_valid_unicode(item):
                raise RecordError("$", "text with a lone surrogate escape (not valid Unicode)")
            rows = to_rows(item)
            identifier = rows[id_table][0][id_field]
            if identifier in seen:
                raise RecordError(id_field, f"duplicate {id_field} {identifier!r}")
        except RecordError as exc:
            sink.quarantine.add(record, exc.path, exc.reason, raw_json(item))
            continue
        seen.add(identifier)
        for name, table_rows in rows.items():
            buffered[name][0].extend(table_rows)
            buffered[name][1].extend([record] * len(table_rows))
        sink.count_accepted()
        if record % FLUSH_EVERY == FLUSH_EVERY - 1:
            flush()
    flush()


def load(raw: RawFile, sink: LoadSink) -> None:
    split = PurePosixPath(raw.source_file).parent.name
    sink.quarantine.find_lines = partial(element_lines, raw.path)
    if raw.kind == "schema":
        services, check = read_json_list(raw.path, raw.source_file, "services")
        key = ("schema_services", "service_name")
        _land_records(services, SCHEMA_TABLES, service_rows, key, sink, check)
    else:
        dialogues, check = read_json_list(raw.path, raw.source_file, "dialogues")
        _land_records(
            dialogues,
            DIALOGUE_TABLES,
            lambda d: dialogue_rows(d, split),
            ("dialogues", "dialogue_id"),
            sink,
            check,
        )
