"""Synthetic conversations: `synthetic/conversations.csv`, one row per turn.

Raw columns `conversation_id, turn_index, speaker, text, timestamp, channel, company,
intent, sentiment, outcome` (the timestamp column may also be called `sent_at`); the
timestamp is ISO 8601 with a UTC offset and lands as `sent_at timestamptz`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

import pyarrow as pa

from supportlens.ingest.landing.discovery import RawFile
from supportlens.ingest.landing.sink import LoadSink
from supportlens.ingest.landing.text_batches import choose_columns, iter_csv, read_csv_header

LOADER_VERSION = "synthetic/1"
SPEAKERS = frozenset({"customer", "agent"})
SENTIMENTS = frozenset({"negative", "neutral", "positive"})
OUTCOMES = frozenset({"resolved", "failed", "abandoned", "escalated", "unanswered"})
OPTIONAL_TEXT = ("channel", "company", "intent")


def _header(time_column: str) -> tuple[str, ...]:
    return (
        "conversation_id",
        "turn_index",
        "speaker",
        "text",
        time_column,
        *OPTIONAL_TEXT,
        "sentiment",
        "outcome",
    )


#: Accepted CSV headers, preferred first: the generator writes `timestamp`; `sent_at`
#: (the landed name) is accepted too.
HEADER_OPTIONS = (_header("timestamp"), _header("sent_at"))

TURNS = pa.schema(
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
    ]
)


def classify(relative: str) -> str | None:
    path = PurePosixPath(relative)
    return "conversations" if len(path.parts) == 1 and path.suffix == ".csv" else None


def parse_timestamp(value: str) -> datetime | None:
    """ISO 8601 with an offset (or `Z`); a timestamp without one is ambiguous: rejected."""
    try:
        moment = datetime.fromisoformat(value.strip())
        # Year 1 at +14:00 or year 9999 at -14:00 falls outside datetime in UTC.
        return moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def _check(values: dict[str, str], time_column: str) -> tuple[str, str] | None:
    """(field, reason) of the first problem in a row, or None."""
    if not values["conversation_id"].strip():
        return "conversation_id", "empty conversation_id"
    index = values["turn_index"].strip()
    # ASCII digits only: "²".isdigit() is true in Python but int("²") fails.
    if not (index.isascii() and index.isdigit() and len(index) <= 10) or int(index) >= 2**31:
        return "turn_index", f"turn_index {index!r} is not a non-negative integer"
    if values["speaker"] not in SPEAKERS:
        return "speaker", f"speaker {values['speaker']!r} not in {sorted(SPEAKERS)}"
    if not values["text"].strip():
        return "text", "empty text"
    if parse_timestamp(values[time_column]) is None:
        return time_column, f"unparseable timestamp {values[time_column]!r} (ISO 8601 with offset)"
    if values["sentiment"] and values["sentiment"] not in SENTIMENTS:
        return "sentiment", f"sentiment {values['sentiment']!r} not in {sorted(SENTIMENTS)}"
    if values["outcome"] not in OUTCOMES:
        return "outcome", f"outcome {values['outcome']!r} not in {sorted(OUTCOMES)}"
    return None


def load(raw: RawFile, sink: LoadSink) -> None:
    header = read_csv_header(raw.path, raw.source_file)
    columns = choose_columns(header, HEADER_OPTIONS, raw.source_file)
    time_column = columns[4]
    table = sink.table("turns", TURNS)
    seen: set[tuple[str, int]] = set()
    for batch in iter_csv(raw.path, raw.source_file, header, columns, sink):
        rows, records = [], []
        for index, record, values in batch.rows():
            problem = _check(values, time_column)
            key = (values["conversation_id"], int(values["turn_index"])) if not problem else None
            if key is not None and key in seen:
                problem = ("turn_index", f"duplicate turn {key[0]}/{key[1]}")
            if problem:
                sink.quarantine.add(record, problem[0], problem[1], batch.raw(index))
                continue
            assert key is not None
            seen.add(key)
            rows.append(
                {
                    "conversation_id": key[0],
                    "turn_index": key[1],
                    "speaker": values["speaker"],
                    "text": values["text"],
                    "sent_at": parse_timestamp(values[time_column]),
                    **{name: values[name] or None for name in OPTIONAL_TEXT},
                    "sentiment": values["sentiment"] or None,
                    "outcome": values["outcome"],
                }
            )
            records.append(record)
        table.write_rows(rows, records)
        sink.count_accepted(len(rows))
