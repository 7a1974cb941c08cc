# ruff: noqa: E501 - the CASES table reads best one case per line
"""A corpus of malformed inputs across the five formats.

Each case breaks one thing in a copy of the well-formed fixtures and states what must
happen: the bad record is quarantined with a named field and reason while the rest of
the file lands, or the whole file is refused with a one-line message. Every case also
checks the reconciliation invariant rows read = accepted + quarantined against the
files actually written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from landing_helpers import land_dirs, manifest_rows

from supportlens.ingest.land import FAILED, LANDED, land

__all__ = ["land_dirs"]

TWCS = "twcs/twcs.csv"
B77 = "banking77/train.csv"
CATS = "banking77/categories.json"
BITEXT = "bitext/bitext_sample.csv"
SGD = "sgd/train/dialogues_001.json"
SCHEMA = "sgd/train/schema.json"
SYN = "synthetic/conversations.csv"
TWEET_OK = "Tue Oct 31 22:10:47 +0000 2017"
MAIN_TABLE = {"banking77": "utterances", "bitext": "utterances", "sgd": "dialogues",
              "twcs": "tweets", "synthetic": "turns"}  # fmt: skip


def append(rel: str, line: bytes) -> Callable[[Path], None]:
    def mutate(raw: Path) -> None:
        path = raw / rel
        data = path.read_bytes()
        ending = b"\r\n" if b"\r\n" in data else b"\n"
        path.write_bytes(data.rstrip(b"\r\n") + ending + line + ending)

    return mutate


def write(rel: str, data: bytes) -> Callable[[Path], None]:
    def mutate(raw: Path) -> None:
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_bytes(data)

    return mutate


def edit_json(rel: str, change: Callable[[list], None]) -> Callable[[Path], None]:  # type: ignore[type-arg]
    def mutate(raw: Path) -> None:
        data = json.loads((raw / rel).read_text())
        change(data)
        (raw / rel).write_text(json.dumps(data, indent=2))

    return mutate


def replace_text(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(raw: Path) -> None:
        text = (raw / rel).read_text()
        assert old in text
        (raw / rel).write_text(text.replace(old, new, 1))

    return mutate


def _bitext_table(raw: Path) -> pa.Table:
    import pyarrow.csv as pacsv

    source = raw / BITEXT
    table = pacsv.read_csv(source, parse_options=pacsv.ParseOptions(newlines_in_values=True))
    source.unlink()
    return table


def to_parquet(
    rel: str,
    drop: str | None = None,
    blank: str | None = None,
    intent_as_int: bool = False,
    categorical: bool = False,
) -> Callable[[Path], None]:
    def mutate(raw: Path) -> None:
        table = _bitext_table(raw)
        if drop:
            table = table.drop_columns([drop])
        if blank:
            values = table.column(blank).to_pylist()
            values[2] = ""
            table = table.set_column(table.schema.get_field_index(blank), blank, pa.array(values))
        if intent_as_int:
            index = table.schema.get_field_index("intent")
            table = table.set_column(index, "intent", pa.array(range(table.num_rows)))
        if categorical:  # as pandas writes a `category` dtype
            table = pa.table(
                {
                    n: c.dictionary_encode()
                    for n, c in zip(table.column_names, table.columns, strict=True)
                }
            )
        pq.write_table(table, raw / rel)

    return mutate


def damaged_parquet(rel: str) -> Callable[[Path], None]:
    """A Parquet file whose footer reads fine but whose compressed pages are garbage."""

    def mutate(raw: Path) -> None:
        table = _bitext_table(raw)
        pq.write_table(pa.concat_tables([table] * 2000), raw / rel, compression="snappy")
        data = bytearray((raw / rel).read_bytes())
        for index in range(len(data) // 4, len(data) // 2):
            data[index] ^= 0x5A
        (raw / rel).write_bytes(bytes(data))

    return mutate


def nest_value(rel: str, depth: int) -> Callable[[Path], None]:
    """Replace the first string value of a JSON file by a list nested `depth` deep."""

    def mutate(raw: Path) -> None:
        text = (raw / rel).read_text()
        colon = text.index('": "') + 3
        end = text.index('"', colon + 1) + 1
        (raw / rel).write_text(text[:colon] + "[" * depth + "]" * depth + text[end:])

    return mutate


def on_disk(shown: str) -> bytes:
    """The bytes of a file name that lineage shows with `\\xNN` escapes (not UTF-8)."""
    return shown.encode("ascii").decode("unicode_escape").encode("latin-1")


def rename_to(rel: str, shown: str) -> Callable[[Path], None]:
    def mutate(raw: Path) -> None:
        os.rename(os.fsencode(raw / rel), os.fsencode(raw) + b"/" + on_disk(shown))

    return mutate


def set_in(path: list[object], value: object) -> Callable[[list], None]:  # type: ignore[type-arg]
    def change(data: list) -> None:  # type: ignore[type-arg]
        target = data
        for key in path[:-1]:
            target = target[key]  # type: ignore[index]
        if value is DELETE:
            del target[path[-1]]  # type: ignore[arg-type]
        else:
            target[path[-1]] = value  # type: ignore[index]

    return change


DELETE = object()


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    file: str
    mutate: Callable[[Path], None]
    record: int | None = None  # quarantined record (None: whole-file error)
    field: str = ""
    reason: str = ""  # substring of the quarantine reason or of the error message


CASES = [
    # --- BANKING77 ---
    Case("b77-empty-text", "banking77", B77, append(B77, b'"   ",card_arrival'), 7, "text", "empty text"),
    Case("b77-column-count", "banking77", B77, append(B77, b"lost card,card_arrival,extra"), 7, "(row)", "expected 2, found 3"),
    Case("b77-invalid-utf8", "banking77", B77, append(B77, b"caf\xe9 card,card_arrival"), 7, "text", "invalid UTF-8"),
    Case("b77-unknown-intent", "banking77", B77, append(B77, b"hello,not_an_intent"), 7, "category", "unknown intent"),
    Case("b77-hub-label-out-of-range", "banking77", B77, write(B77, b"text,label\nwhere is my card,0\nhi,77\n"), 2, "label", "out of range 0..3"),
    Case("b77-hub-label-not-int", "banking77", B77, write(B77, b"text,label\nwhere is my card,0\nhi,zero\n"), 2, "label", "not an integer"),
    Case("b77-missing-column", "banking77", B77, write(B77, b"text,intent\nhi,card_arrival\n"), reason="missing required columns ['category']"),
    Case("b77-empty-file", "banking77", B77, write(B77, b""), reason="empty file"),
    Case("b77-categories-truncated", "banking77", CATS, write(CATS, b'["card_arrival", "card_li'), reason="truncated or invalid JSON"),
    Case("b77-categories-duplicate", "banking77", CATS, write(CATS, b'["a", "b", "a"]'), 2, "intent", "duplicate intent"),
    Case("b77-categories-not-list", "banking77", CATS, write(CATS, b'{"a": 1}'), reason="expected a JSON list"),
    Case("b77-unknown-format", "banking77", "banking77/notes.txt", write("banking77/notes.txt", b"hello"), reason="unknown format"),
    # --- Bitext ---
    Case("bitext-empty-instruction", "bitext", BITEXT, append(BITEXT, b'B,"",ORDER,cancel_order,ok'), 5, "instruction", "empty instruction"),
    Case("bitext-empty-response", "bitext", BITEXT, append(BITEXT, b"B,cancel it,ORDER,cancel_order,"), 5, "response", "empty response"),
    Case("bitext-column-count", "bitext", BITEXT, append(BITEXT, b"B,cancel it,ORDER"), 5, "(row)", "expected 5, found 3"),
    Case("bitext-invalid-utf8", "bitext", BITEXT, append(BITEXT, b"B,caf\xff,ORDER,cancel_order,ok"), 5, "instruction", "invalid UTF-8"),
    Case("bitext-missing-column", "bitext", BITEXT, write(BITEXT, b"flags,instruction,category,intent\nB,a,b,c\n"), reason="missing required columns ['response']"),
    Case("bitext-parquet-missing-column", "bitext", "bitext/b.parquet", to_parquet("bitext/b.parquet", drop="intent"), reason="missing required columns ['intent']"),
    Case("bitext-parquet-empty-intent", "bitext", "bitext/b.parquet", to_parquet("bitext/b.parquet", blank="intent"), 3, "intent", "empty intent"),
    Case("bitext-not-parquet", "bitext", "bitext/b.parquet", write("bitext/b.parquet", b"PAR1 garbage"), reason="not a readable Parquet file"),
    # --- SGD ---
    Case("sgd-truncated", "sgd", SGD, lambda raw: (raw / SGD).write_bytes((raw / SGD).read_bytes()[:-300]), reason="truncated or invalid JSON"),
    Case("sgd-empty-file", "sgd", SGD, write(SGD, b"  \n"), reason="empty file"),
    Case("sgd-not-a-list", "sgd", SGD, write(SGD, b'{"dialogue_id": "1"}'), reason="expected a JSON list of dialogues"),
    Case("sgd-missing-speaker", "sgd", SGD, edit_json(SGD, set_in([1, "turns", 0, "speaker"], DELETE)), 1, "turns[0].speaker", "missing key"),
    Case("sgd-turns-wrong-type", "sgd", SGD, edit_json(SGD, set_in([0, "turns"], "none")), 0, "turns", "expected list"),
    Case("sgd-duplicate-id", "sgd", SGD, edit_json(SGD, set_in([1, "dialogue_id"], "1_00000")), 1, "dialogue_id", "duplicate dialogue_id"),
    Case("sgd-bad-speaker", "sgd", SGD, edit_json(SGD, set_in([0, "turns", 1, "speaker"], "BOT")), 0, "turns[1].speaker", "not USER/SYSTEM"),
    Case("sgd-action-values", "sgd", SGD, edit_json(SGD, set_in([0, "turns", 0, "frames", 0, "actions", 1, "values"], "San Jose")), 0, "turns[0].frames[0].actions[1].values", "expected list"),
    Case("sgd-bad-span", "sgd", SGD, edit_json(SGD, set_in([0, "turns", 0, "frames", 0, "slots", 0, "start"], 50)), 0, "turns[0].frames[0].slots[0]", "bad span 50..41"),
    Case("sgd-record-not-object", "sgd", SGD, edit_json(SGD, lambda d: d.append(42)), 2, "$", "expected object"),
    Case("sgd-schema-missing-name", "sgd", SCHEMA, edit_json(SCHEMA, set_in([1, "service_name"], DELETE)), 1, "service_name", "missing key"),
    Case("sgd-schema-bool-type", "sgd", SCHEMA, edit_json(SCHEMA, set_in([0, "slots", 0, "is_categorical"], "yes")), 0, "slots[0].is_categorical", "expected bool"),
    Case("sgd-unknown-format", "sgd", "sgd/train/readme.md", write("sgd/train/readme.md", b"# hi"), reason="unknown format"),
    # --- TWCS ---
    Case("twcs-bad-timestamp", "twcs", TWCS, append(TWCS, b"20,a,True,2017-10-31 22:10:47,hi,,"), 9, "created_at", "unparseable timestamp"),
    Case("twcs-bad-inbound", "twcs", TWCS, append(TWCS, f"20,a,maybe,{TWEET_OK},hi,,".encode()), 9, "inbound", "True/False"),
    Case("twcs-non-numeric-id", "twcs", TWCS, append(TWCS, f"x20,a,True,{TWEET_OK},hi,,".encode()), 9, "tweet_id", "not a positive integer"),
    Case("twcs-duplicate-id", "twcs", TWCS, append(TWCS, f"3,a,True,{TWEET_OK},hi again,,".encode()), 9, "tweet_id", "duplicate tweet_id 3"),
    Case("twcs-empty-text", "twcs", TWCS, append(TWCS, f'20,a,True,{TWEET_OK}," ",,'.encode()), 9, "text", "empty text"),
    Case("twcs-bad-reply-list", "twcs", TWCS, append(TWCS, f'20,a,True,{TWEET_OK},hi,"21,abc",'.encode()), 9, "response_tweet_id", "comma-separated"),
    Case("twcs-fractional-reply-to", "twcs", TWCS, append(TWCS, f"20,a,True,{TWEET_OK},hi,,3.5".encode()), 9, "in_response_to_tweet_id", "not an id"),
    Case("twcs-column-count", "twcs", TWCS, append(TWCS, f"20,a,True,{TWEET_OK},hi".encode()), 9, "(row)", "expected 7, found 5"),
    Case("twcs-invalid-utf8", "twcs", TWCS, append(TWCS, f"20,a,True,{TWEET_OK},bad \xff byte,,".encode("latin-1")), 9, "text", "invalid UTF-8"),
    Case("twcs-impossible-date", "twcs", TWCS, append(TWCS, b"20,a,True,Tue Feb 30 22:10:47 +0000 2017,hi,,"), 9, "created_at", "unparseable timestamp"),
    Case("twcs-missing-column", "twcs", TWCS, write(TWCS, b"tweet_id,author_id,inbound,created_at,text\n1,a,True,x,y\n"), reason="missing required columns ['response_tweet_id', 'in_response_to_tweet_id']"),
    Case("twcs-header-only-not-utf8", "twcs", TWCS, write(TWCS, b"tweet_\xffid\n"), reason="header is not UTF-8"),
    Case("twcs-unterminated-quote", "twcs", TWCS, append(TWCS, f'20,a,True,{TWEET_OK},"never closed,,'.encode()), 9, "(row)", "expected 7, found 5"),
    # --- Synthetic ---
    Case("syn-bad-timestamp", "synthetic", SYN, append(SYN, b"c-9,0,customer,hi,yesterday,chat,Finly,card_arrival,neutral,resolved"), 7, "timestamp", "unparseable timestamp"),
    Case("syn-naive-timestamp", "synthetic", SYN, append(SYN, b"c-9,0,customer,hi,2024-03-01T09:00:00,chat,Finly,card_arrival,neutral,resolved"), 7, "timestamp", "with offset"),
    Case("syn-bad-speaker", "synthetic", SYN, append(SYN, b"c-9,0,bot,hi,2024-03-01T09:00:00Z,chat,Finly,card_arrival,neutral,resolved"), 7, "speaker", "speaker 'bot'"),
    Case("syn-bad-turn-index", "synthetic", SYN, append(SYN, b"c-9,one,customer,hi,2024-03-01T09:00:00Z,chat,Finly,card_arrival,neutral,resolved"), 7, "turn_index", "not a non-negative integer"),
    Case("syn-duplicate-turn", "synthetic", SYN, append(SYN, b"c-000001,1,agent,again,2024-03-01T09:00:00Z,chat,NorthBank,card_arrival,neutral,resolved"), 7, "turn_index", "duplicate turn c-000001/1"),
    Case("syn-bad-outcome", "synthetic", SYN, append(SYN, b"c-9,0,customer,hi,2024-03-01T09:00:00Z,chat,Finly,card_arrival,neutral,happy"), 7, "outcome", "outcome 'happy'"),
    Case("syn-empty-text", "synthetic", SYN, append(SYN, b"c-9,0,customer,,2024-03-01T09:00:00Z,chat,Finly,card_arrival,neutral,resolved"), 7, "text", "empty text"),
    Case("syn-missing-column", "synthetic", SYN, write(SYN, b"conversation_id,turn_index,speaker,text\nc,0,agent,x\n"), reason="missing required columns"),
    # --- issue 20 item 4: inputs that used to raise past the loaders and stop `land` ---
    Case("sgd-span-beyond-int32", "sgd", SGD, edit_json(SGD, set_in([0, "turns", 0, "frames", 0, "slots", 0, "exclusive_end"], 2**40)), 0, "turns[0].frames[0].slots[0]", "beyond the int range"),
    Case("sgd-value-nested-100000-deep", "sgd", SGD, nest_value(SGD, 100_000), reason="nested too deeply"),
    Case("twcs-full-width-id", "twcs", TWCS, append(TWCS, f"１２３,a,True,{TWEET_OK},hi,,".encode()), 9, "tweet_id", "not a positive integer"),
    Case("syn-superscript-turn-index", "synthetic", SYN, append(SYN, "c-9,²,customer,hi,2024-03-01T09:00:00Z,chat,Finly,card_arrival,neutral,resolved".encode()), 7, "turn_index", "not a non-negative integer"),
    # --- the same families, found while building the corpus ---
    Case("twcs-full-width-reply", "twcs", TWCS, append(TWCS, f"20,a,True,{TWEET_OK},hi,１２,".encode()), 9, "response_tweet_id", "comma-separated"),
    Case("twcs-full-width-reply-to", "twcs", TWCS, append(TWCS, f"20,a,True,{TWEET_OK},hi,,３.0".encode()), 9, "in_response_to_tweet_id", "not an id"),
    Case("twcs-id-19-digits", "twcs", TWCS, append(TWCS, f"{'9' * 19},a,True,{TWEET_OK},hi,,".encode()), 9, "tweet_id", "not a positive integer"),
    Case("twcs-repeated-header-column", "twcs", TWCS, write(TWCS, f"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id,text\n1,a,True,{TWEET_OK},hi,,,x\n".encode()), reason="header repeats column names ['text']"),
    Case("b77-hub-label-superscript", "banking77", B77, write(B77, "text,label\nwhere is my card,0\nhi,²\n".encode()), 2, "label", "not an integer"),
    Case("b77-hub-label-double-minus", "banking77", B77, write(B77, b"text,label\nwhere is my card,0\nhi,--1\n"), 2, "label", "not an integer"),
    Case("b77-hub-label-5000-digits", "banking77", B77, write(B77, b"text,label\nwhere is my card,0\nhi," + b"9" * 5000 + b"\n"), 2, "label", "not an integer"),
    Case("b77-categories-not-utf8", "banking77", CATS, write(CATS, b'["caf\xe9"]'), reason="not UTF-8"),
    Case("b77-categories-lone-surrogate", "banking77", CATS, write(CATS, b'["a", "\\ud800x", "b"]'), 1, "intent", "lone surrogate"),
    Case("syn-turn-index-5000-digits", "synthetic", SYN, append(SYN, b"c-9," + b"9" * 5000 + b",customer,hi,2024-03-01T09:00:00Z,chat,Finly,card_arrival,neutral,resolved"), 7, "turn_index", "not a non-negative integer"),
    Case("syn-timestamp-out-of-range", "synthetic", SYN, append(SYN, b"c-9,0,customer,hi,0001-01-01T00:00:00+14:00,chat,Finly,card_arrival,neutral,resolved"), 7, "timestamp", "unparseable timestamp"),
    Case("syn-encoded-surrogate", "synthetic", SYN, append(SYN, b"c-9,0,customer,hi \xed\xa0\x80,2024-03-01T09:00:00Z,chat,Finly,card_arrival,neutral,resolved"), 7, "text", "invalid UTF-8"),
    Case("sgd-lone-surrogate", "sgd", SGD, edit_json(SGD, set_in([1, "turns", 0, "utterance"], "hi \ud800")), 1, "$", "lone surrogate"),
    Case("sgd-span-bool", "sgd", SGD, edit_json(SGD, set_in([0, "turns", 0, "frames", 0, "slots", 0, "start"], True)), 0, "turns[0].frames[0].slots[0].start", "expected int"),
    Case("sgd-schema-nested-deep", "sgd", SCHEMA, nest_value(SCHEMA, 5_000), reason="nested too deeply"),
    Case("bitext-parquet-int-column", "bitext", "bitext/b.parquet", to_parquet("bitext/b.parquet", intent_as_int=True), reason="column intent is int64, expected text"),
    Case("bitext-parquet-damaged-pages", "bitext", "bitext/b.parquet", damaged_parquet("bitext/b.parquet"), reason="unreadable Parquet data"),
    Case("bitext-parquet-categorical-empty-intent", "bitext", "bitext/b.parquet", to_parquet("bitext/b.parquet", blank="intent", categorical=True), 3, "intent", "empty intent"),
    Case("bitext-file-name-not-utf8", "bitext", "bitext/caf\\xe9.csv", rename_to(BITEXT, "bitext/caf\\xe9.csv"), reason="file name is not valid UTF-8"),
]  # fmt: skip


def _rows_in(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input(case: Case, land_dirs: tuple[Path, Path]) -> None:
    raw, landing = land_dirs
    case.mutate(raw)
    outcomes = {o.source_file: o for o in land(raw, landing, [case.source])}
    outcome = outcomes[case.file]
    manifest = {r["source_file"]: r for r in manifest_rows(landing)}
    if case.record is None:
        assert outcome.status == FAILED
        assert outcome.message.startswith(f"{case.file}: ") and "\n" not in outcome.message
        assert case.reason in outcome.message
        # Recorded against the file, and nothing from it is live.
        assert manifest[case.file]["status"] == "failed"
        assert case.reason in manifest[case.file]["reason"]
        assert not manifest[case.file]["tables"]
        assert not any(
            case.file in pq.read_table(path, columns=["_source_file"]).column(0).to_pylist()
            for path in landing.glob(f"{case.source}/*/*/data.parquet")
        )
        return
    assert outcome.status == LANDED
    load_id = outcome.load_id
    quarantine = pq.read_table(
        landing / "_quarantine" / case.source / f"load_id={load_id}" / "data.parquet"
    ).to_pylist()
    bad = [q for q in quarantine if q["record"] == case.record]
    assert len(bad) == 1, quarantine
    assert bad[0]["field"] == case.field
    assert case.reason in bad[0]["reason"]
    assert bad[0]["raw"] and bad[0]["source_file"] == case.file
    # Reconciliation, against the manifest and the files on disk.
    entry = manifest[case.file]
    assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]
    assert entry["rows_quarantined"] == len(quarantine) >= 1
    table = MAIN_TABLE[case.source] if case.file != SCHEMA else "schema_services"
    if case.file == CATS:
        table = "categories"
    landed = landing / case.source / table / f"load_id={load_id}" / "data.parquet"
    assert _rows_in(landed) == entry["rows_accepted"] > 0
    records = set(pq.read_table(landed, columns=["_record"]).column(0).to_pylist())
    assert case.record not in records


def test_corpus_covers_every_format_with_forty_cases() -> None:
    assert len(CASES) >= 40
    assert {c.source for c in CASES} == set(MAIN_TABLE)


def test_record_numbers_survive_skipped_multiline_rows(land_dirs: tuple[Path, Path]) -> None:
    """Good rows after quarantined and multi-line ones keep their true record numbers."""
    raw, landing = land_dirs
    rows = [
        f'30,a,True,{TWEET_OK},"two\nlines",,',
        "31,a,True,only,four",
        f"32,a,True,{TWEET_OK},after short row,,",
        f'33,a,True,{TWEET_OK},"x",,,extra',
        f"34,a,True,{TWEET_OK},after long row,,",
    ]
    for row in rows:
        append(TWCS, row.encode())(raw)
    [outcome] = land(raw, landing, ["twcs"])
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (13, 11, 2)
    landed = pq.read_table(next((landing / "twcs" / "tweets").glob("*/data.parquet")))
    record_of = dict(
        zip(
            landed.column("tweet_id").to_pylist(), landed.column("_record").to_pylist(), strict=True
        )
    )
    assert (record_of[30], record_of[32], record_of[34]) == (9, 11, 13)


def test_a_broken_categories_file_names_itself_in_its_neighbours_failure(
    land_dirs: tuple[Path, Path],
) -> None:
    raw, landing = land_dirs
    write(CATS, b'["card_arrival", "card_li')(raw)
    outcomes = {o.source_file: o for o in land(raw, landing, ["banking77"])}
    assert outcomes[B77].status == FAILED
    assert outcomes[B77].message.startswith(
        f"{B77}: needs {CATS}, which is unusable: truncated or invalid JSON"
    )
