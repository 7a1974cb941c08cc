"""Bitext customer support: CSV or Parquet `flags,instruction,category,intent,response`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

import pyarrow as pa

from supportlens.ingest.landing.discovery import RawFile
from supportlens.ingest.landing.sink import LoadSink
from supportlens.ingest.landing.text_batches import (
    TextBatch,
    iter_csv,
    iter_parquet,
    read_csv_header,
    require_columns,
)

LOADER_VERSION = "bitext/1"
COLUMNS = ("flags", "instruction", "category", "intent", "response")
#: Accepted CSV (and Parquet) headers: the one documented shape.
HEADER_OPTIONS = (COLUMNS,)
REQUIRED_TEXT = ("instruction", "category", "intent", "response")
PLACEHOLDER = re.compile(r"\{\{(.+?)\}\}")

UTTERANCES = pa.schema(
    [
        ("utterance_id", pa.string()),
        *((name, pa.string()) for name in COLUMNS),
        ("placeholders", pa.list_(pa.string())),
    ]
)


def classify(relative: str) -> str | None:
    path = PurePosixPath(relative)
    if len(path.parts) == 1 and path.suffix in {".csv", ".parquet"}:
        return path.suffix[1:]
    return None


def placeholders(*texts: str) -> list[str]:
    """`{{Order Number}}`-style names in order of first appearance, verbatim."""
    found: dict[str, None] = {}
    for text in texts:
        found.update(dict.fromkeys(PLACEHOLDER.findall(text)))
    return list(found)


def _batches(raw: RawFile, sink: LoadSink) -> Iterator[TextBatch]:
    if raw.kind == "parquet":
        return iter_parquet(raw.path, raw.source_file, COLUMNS, sink)
    header = read_csv_header(raw.path, raw.source_file)
    require_columns(header, COLUMNS, raw.source_file)
    return iter_csv(raw.path, raw.source_file, header, COLUMNS, sink)


def load(raw: RawFile, sink: LoadSink) -> None:
    stem = PurePosixPath(raw.source_file).stem
    table = sink.table("utterances", UTTERANCES)
    for batch in _batches(raw, sink):
        rows, records = [], []
        for index, record, values in batch.rows():
            empty = next((name for name in REQUIRED_TEXT if not values[name].strip()), None)
            if empty:
                sink.quarantine.add(record, empty, f"empty {empty}", batch.raw(index))
                continue
            rows.append(
                {
                    "utterance_id": f"{stem}-{record}",
                    **values,
                    "placeholders": placeholders(values["instruction"], values["response"]),
                }
            )
            records.append(record)
        table.write_rows(rows, records)
        sink.count_accepted(len(rows))
