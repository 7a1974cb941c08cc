"""BANKING77: `{split}.csv` as `text,category` (or the hub's `text,label`) + `categories.json`."""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path, PurePosixPath

import pyarrow as pa

from supportlens.ingest.landing.discovery import RawFile
from supportlens.ingest.landing.errors import WholeFileError
from supportlens.ingest.landing.json_files import element_lines, raw_json, read_json_list
from supportlens.ingest.landing.sink import LoadSink
from supportlens.ingest.landing.text_batches import choose_columns, iter_csv, read_csv_header

LOADER_VERSION = "banking77/1"
CATEGORIES_FILE = "categories.json"
#: Accepted CSV headers, preferred first: `text,category`, or the hub's `text,label`.
HEADER_OPTIONS = (("text", "category"), ("text", "label"))
LABEL = re.compile(r"-?[0-9]{1,9}")

UTTERANCES = pa.schema(
    [
        ("utterance_id", pa.string()),
        ("split", pa.string()),
        ("text", pa.string()),
        ("intent", pa.string()),
    ]
)
CATEGORIES = pa.schema([("label_index", pa.int32()), ("intent", pa.string())])


def classify(relative: str) -> str | None:
    path = PurePosixPath(relative)
    if path.name == CATEGORIES_FILE:
        return "categories"
    if len(path.parts) == 1 and path.suffix == ".csv":
        return "utterances"
    return None


def read_categories(path: Path, source_file: str) -> list[object]:
    """The label names in order; a file that is not a JSON list fails whole."""
    names, _ = read_json_list(path, source_file, "intent names")
    return names


def _is_label(text: str) -> bool:
    """An ASCII integer short enough to be an index (`"²"`.isdigit() is true in Python)."""
    return LABEL.fullmatch(text) is not None


def _load_categories(raw: RawFile, sink: LoadSink) -> None:
    names = read_categories(raw.path, raw.source_file)
    sink.quarantine.find_lines = partial(element_lines, raw.path)
    table = sink.table("categories", CATEGORIES)
    seen: set[str] = set()
    rows, records = [], []
    for index, name in enumerate(names):
        sink.count_read()
        raw_text = raw_json(name)
        if not isinstance(name, str) or not name.strip():
            sink.quarantine.add(index, "intent", "intent name must be non-empty text", raw_text)
        elif raw_text != json.dumps(name, ensure_ascii=False):
            reason = "lone surrogate escape (not valid Unicode)"
            sink.quarantine.add(index, "intent", reason, raw_text)
        elif name in seen:
            sink.quarantine.add(index, "intent", f"duplicate intent {name!r}", raw_text)
        else:
            seen.add(name)
            rows.append({"label_index": index, "intent": name})
            records.append(index)
            sink.count_accepted()
    table.write_rows(rows, records)


def _sibling_categories(raw: RawFile) -> list[str] | None:
    path = raw.path.parent / CATEGORIES_FILE
    if not path.exists():
        return None
    source_file = str(PurePosixPath(raw.source_file).parent / CATEGORIES_FILE)
    names = read_categories(path, source_file)
    return [name for name in names if isinstance(name, str)]


def _load_utterances(raw: RawFile, sink: LoadSink) -> None:
    header = read_csv_header(raw.path, raw.source_file)
    columns = choose_columns(header, HEADER_OPTIONS, raw.source_file)
    label_column = columns[1]
    hub_shape = label_column == "label"
    categories = _sibling_categories(raw)
    if hub_shape and categories is None:
        raise WholeFileError(
            raw.source_file, f"integer labels need {CATEGORIES_FILE} beside the file"
        )
    known = set(categories or ())
    split = PurePosixPath(raw.source_file).stem
    table = sink.table("utterances", UTTERANCES)
    for batch in iter_csv(raw.path, raw.source_file, header, columns, sink):
        rows, records = [], []
        for index, record, values in batch.rows():
            text, label = values["text"], values[label_column].strip()
            intent: str | None = label
            problem: tuple[str, str] | None = None
            if not text.strip():
                problem = ("text", "empty text")
            elif hub_shape:
                if not _is_label(label):
                    problem = ("label", f"label {label!r} is not an integer")
                elif not 0 <= int(label) < len(categories or ()):
                    problem = ("label", f"label {label} out of range 0..{len(known) - 1}")
                else:
                    intent = (categories or [])[int(label)]
            elif not label:
                problem = ("category", "empty category")
            elif known and label not in known:
                problem = ("category", f"unknown intent {label!r} (not in {CATEGORIES_FILE})")
            if problem:
                sink.quarantine.add(record, problem[0], problem[1], batch.raw(index))
                continue
            rows.append(
                {
                    "utterance_id": f"{split}-{record}",
                    "split": split,
                    "text": text,
                    "intent": intent,
                }
            )
            records.append(record)
        table.write_rows(rows, records)
        sink.count_accepted(len(rows))


def load(raw: RawFile, sink: LoadSink) -> None:
    if raw.kind == "categories":
        _load_categories(raw, sink)
    else:
        _load_utterances(raw, sink)
