"""Copies of generated raw files with known malformed records, for quarantine tests.

`corrupt(raw_dir, out_dir, seed)` reads the generated files under `raw_dir` and writes the
same layout under `out_dir`, where chosen records are replaced by broken ones (wrong column
count, unparseable timestamp, non-numeric id, duplicate id, empty text, invalid UTF-8,
bad enum value, missing JSON key, …) plus one SGD shard truncated mid-JSON (a whole-file
error). Every injected problem is listed in `out_dir/_truth/corruptions.csv`:
`path, record, field, kind`, where `record` is the 1-based data record for CSV (the header
is not counted) and the 0-based dialogue index for JSON, `-1` for whole-file problems;
`field` is `(row)` for row-level problems and `(file)` for whole-file ones (the names the
landing quarantine uses). `supportlens land` on this folder quarantines exactly the listed
records and rejects the truncated shard.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import astuple, dataclass
from pathlib import Path

from supportlens.ingest.generate.common import write_csv
from supportlens.ingest.generate.ownership import TRUTH_FOLDER, own_folders
from supportlens.ingest.sources import SOURCES


@dataclass(frozen=True)
class Corruption:
    path: str  # relative to the raw folder
    record: int
    field: str
    kind: str


def _csv_records(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def _encode(row: list[str], lineterminator: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=lineterminator).writerow(row)
    return buffer.getvalue().encode("utf-8")


def _rewrite_csv(
    raw_dir: Path,
    out_dir: Path,
    relative: str,
    injections: dict[int, tuple[str, str, bytes | list[str]]],
    lineterminator: str = "\n",
) -> list[Corruption]:
    """Copy a CSV, replacing record N (1-based) by raw bytes or a row; return the log."""
    header, records = _csv_records(raw_dir / relative)
    target = out_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    found: list[Corruption] = []
    with open(target, "wb") as handle:
        handle.write(_encode(header, lineterminator))
        for number, row in enumerate(records, start=1):
            if number in injections:
                field, kind, replacement = injections[number]
                if isinstance(replacement, bytes):
                    handle.write(replacement)
                else:
                    handle.write(_encode(replacement, lineterminator))
                found.append(Corruption(relative, number, field, kind))
            else:
                handle.write(_encode(row, lineterminator))
    return found


def _with(row: list[str], index: int, value: str) -> list[str]:
    changed = list(row)
    changed[index] = value
    return changed


def corrupt(raw_dir: Path, out_dir: Path, seed: int = 0) -> list[Corruption]:
    """Write corrupted copies of every generated source; `seed` is kept for API symmetry.

    The broken records are at fixed positions (the first rows), so tests can name them.
    """
    del seed  # positions are fixed on purpose: tests assert them by number
    with own_folders(out_dir, [*SOURCES, TRUTH_FOLDER]):  # never over someone's files
        return _corrupt(raw_dir, out_dir)


def _corrupt(raw_dir: Path, out_dir: Path) -> list[Corruption]:
    log: list[Corruption] = []

    b77 = "banking77/train.csv"
    _, rows = _csv_records(raw_dir / b77)
    log += _rewrite_csv(raw_dir, out_dir, b77, {
        2: ("text", "empty_text", ["", rows[1][1]]),
        4: ("(row)", "wrong_column_count", [rows[3][0], rows[3][1], "extra"]),
        6: ("text", "invalid_utf8", b"caf\xe9 card \xff\xfe," + rows[5][1].encode() + b"\r\n"),
        8: ("category", "missing_column", [rows[7][0]]),
    }, lineterminator="\r\n")  # fmt: skip

    bitext = "bitext/bitext_customer_support.csv"
    _, rows = _csv_records(raw_dir / bitext)
    log += _rewrite_csv(raw_dir, out_dir, bitext, {
        3: ("(row)", "wrong_column_count", rows[2][:3]),
        5: ("instruction", "empty_text", _with(rows[4], 1, "")),
    })  # fmt: skip

    twcs = "twcs/twcs.csv"
    _, rows = _csv_records(raw_dir / twcs)
    log += _rewrite_csv(raw_dir, out_dir, twcs, {
        2: ("created_at", "bad_timestamp", _with(rows[1], 3, "31/10/2017 22:10")),
        4: ("tweet_id", "not_an_integer", _with(rows[3], 0, "abc")),
        6: ("tweet_id", "duplicate_id", _with(rows[5], 0, rows[0][0])),
        8: ("inbound", "bad_boolean", _with(rows[7], 2, "maybe")),
        10: ("(row)", "wrong_column_count", rows[9][:5]),
        12: ("in_response_to_tweet_id", "not_an_integer", _with(rows[11], 6, "x12")),
        14: ("text", "empty_text", _with(rows[13], 4, "")),
    })  # fmt: skip

    synthetic = "synthetic/conversations.csv"
    _, rows = _csv_records(raw_dir / synthetic)
    log += _rewrite_csv(raw_dir, out_dir, synthetic, {
        2: ("timestamp", "bad_timestamp", _with(rows[1], 4, "yesterday at noon")),
        4: ("speaker", "bad_enum", _with(rows[3], 2, "robot")),
        6: ("sentiment", "bad_enum", _with(rows[5], 8, "furious")),
        8: ("text", "empty_text", _with(rows[7], 3, "")),
        10: ("turn_index", "not_an_integer", _with(rows[9], 1, "two")),
        12: ("outcome", "bad_enum", _with(rows[11], 9, "maybe")),
    })  # fmt: skip

    log += _corrupt_sgd(raw_dir, out_dir)
    write_csv(out_dir / "_truth" / "corruptions.csv", ("path", "record", "field", "kind"),
              (astuple(c) for c in log))  # fmt: skip
    return log


def _corrupt_sgd(raw_dir: Path, out_dir: Path) -> list[Corruption]:
    folder = raw_dir / "sgd" / "train"
    shards = sorted(folder.glob("dialogues_*.json"))
    target = out_dir / "sgd" / "train"
    target.mkdir(parents=True, exist_ok=True)
    (target / "schema.json").write_bytes((folder / "schema.json").read_bytes())
    first = shards[0]
    dialogues = json.loads(first.read_text(encoding="utf-8"))
    del dialogues[1]["turns"][0]["speaker"]
    dialogues[3]["turns"] = "not a list"
    dialogues[5]["dialogue_id"] = dialogues[0]["dialogue_id"]
    relative = f"sgd/train/{first.name}"
    (target / first.name).write_text(
        json.dumps(dialogues, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    log = [
        Corruption(relative, 1, "turns[0].speaker", "missing_key"),
        Corruption(relative, 3, "turns", "wrong_type"),
        Corruption(relative, 5, "dialogue_id", "duplicate_id"),
    ]
    if len(shards) > 1:
        text = shards[1].read_text(encoding="utf-8")
        (target / shards[1].name).write_text(text[: len(text) // 2], encoding="utf-8")
        log.append(Corruption(f"sgd/train/{shards[1].name}", -1, "(file)", "truncated_json"))
    return log
