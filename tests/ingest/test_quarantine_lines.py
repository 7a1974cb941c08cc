"""Quarantined rows name the line an editor shows, whatever the file's layout.

Arrow's CSV parser skips blank lines and reads a quoted value with newlines as one
record, so a record's ordinal (`record`) drifts from the line it sits on. The quarantine's
`line` is the physical line the record starts on (header = line 1): a user who opens the
file at that line lands on the bad row. These files put blank lines (several in a row),
multi-line values and a multi-line bad row before and between the bad rows, with each of
the three line endings Arrow accepts. JSON records (list indices) get the line their
element starts on; Parquet rows have no line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from landing_helpers import land_dirs, live_rows, quarantine_rows

from supportlens.ingest.land import land
from supportlens.ingest.landing import text_batches
from supportlens.ingest.landing.csv_lines import OpenQuote, open_quote_at_end, record_lines
from supportlens.ingest.landing.json_files import element_lines

__all__ = ["land_dirs"]

TWEET_TIME = "Tue Oct 31 22:10:47 +0000 2017"
ISO_TIME = "2024-03-01T09:15:00+00:00"
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Shape:
    """One CSV source: its file, header, and rows built from a number and a text."""

    source: str
    file: str
    header: str
    good: str  # format with {n} (unique number) and {text}
    bad: str  # one value-level problem; format with {n} and {text}
    bad_field: str  # the field the value-level problem is reported on
    bad_ml: str  # another value-level problem, for the row that spans lines
    bad_ml_field: str


SHAPES = [
    Shape("banking77", "banking77/train.csv", "text,category",
          "{text},card_arrival", ",card_arrival", "text", "{text},", "category"),
    Shape("bitext", "bitext/bitext_sample.csv", "flags,instruction,category,intent,response",
          "B,{text},ORDER,cancel_order,fine", "B,,ORDER,cancel_order,fine", "instruction",
          "B,{text},ORDER,cancel_order,", "response"),
    Shape("twcs", "twcs/twcs.csv",
          "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id",
          f"{{n}},a,True,{TWEET_TIME},{{text}},,", f"{{n}},a,maybe,{TWEET_TIME},{{text}},,",
          "inbound", f"{{n}},a,True,{TWEET_TIME},{{text}},,x12", "in_response_to_tweet_id"),
    Shape("synthetic", "synthetic/conversations.csv",
          "conversation_id,turn_index,speaker,text,timestamp,channel,company,intent,sentiment,outcome",
          f"c-{{n}},0,customer,{{text}},{ISO_TIME},chat,NorthBank,card_arrival,neutral,resolved",
          f"c-{{n}},0,robot,{{text}},{ISO_TIME},chat,NorthBank,card_arrival,neutral,resolved",
          "speaker",
          f"c-{{n}},0,customer,{{text}},{ISO_TIME},chat,NorthBank,card_arrival,neutral,maybe",
          "outcome"),
]  # fmt: skip


def _layout(shape: Shape, eol: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    """The file's text and, per bad row, (record, line, field, first physical line)."""
    quoted = f'"two{eol}lines, quoted"'
    three = f'"spans{eol}three{eol}lines"'
    # (row text or None for a blank line, expected field or None for a good row)
    rows: list[tuple[str | None, str | None]] = [
        (shape.good.format(n=101, text="first"), None),
        (shape.good.format(n=102, text="second"), None),
        (None, None),
        (None, None),
        (None, None),
        (shape.good.format(n=103, text=quoted), None),
        (shape.bad.format(n=104, text="bad value"), shape.bad_field),
        (None, None),
        ("just one field", "(row)"),
        (shape.good.format(n=105, text="third"), None),
        (None, None),
        (shape.bad_ml.format(n=106, text=three), shape.bad_ml_field),
        (None, None),
        (None, None),
        (shape.good.format(n=107, text="last"), None),
    ]
    text = shape.header + eol
    expected = []
    record = 0
    for row, field in rows:
        if row is None:
            text += eol
            continue
        record += 1
        line = len(LINE_BREAK.findall(text)) + 1
        if field is not None:
            expected.append((record, line, field, LINE_BREAK.split(row)[0]))
        text += row + eol
    return text, expected


@pytest.mark.parametrize("eol", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
@pytest.mark.parametrize("shape", SHAPES, ids=[s.source for s in SHAPES])
def test_quarantined_rows_point_at_the_line_an_editor_shows(
    land_dirs: tuple[Path, Path], shape: Shape, eol: str
) -> None:
    raw, landing = land_dirs
    text, expected = _layout(shape, eol)
    path = raw / shape.file
    path.write_bytes(text.encode())
    [outcome] = [o for o in land(raw, landing, [shape.source]) if o.source_file == shape.file]
    assert (outcome.rows_read, outcome.rows_quarantined) == (8, 3)
    quarantined = sorted(
        (q for q in quarantine_rows(landing, shape.source) if q["source_file"] == shape.file),
        key=lambda q: int(q["record"]),  # type: ignore[call-overload]
    )
    got = [(q["record"], q["line"], q["field"]) for q in quarantined]
    assert got == [(record, line, field) for record, line, field, _ in expected]
    # Opening the file at the reported line shows the start of the bad row.
    physical = LINE_BREAK.split(path.read_bytes().decode())
    for q, (_, _, _, first_line) in zip(quarantined, expected, strict=True):
        assert physical[int(q["line"]) - 1] == first_line  # type: ignore[call-overload]


def test_invalid_utf8_row_after_blank_lines_names_its_line(
    land_dirs: tuple[Path, Path],
) -> None:
    raw, landing = land_dirs
    data = (
        b'text,category\r\n"a\r\nb",card_arrival\r\n\r\n\r\n'
        b"caf\xe9,card_arrival\r\nok,card_arrival\r\n"
    )
    (raw / "banking77" / "train.csv").write_bytes(data)
    land(raw, landing, ["banking77"])
    [bad] = [
        q for q in quarantine_rows(landing, "banking77") if q["source_file"].endswith("train.csv")
    ]
    assert (bad["record"], bad["line"], bad["field"]) == (2, 6, "text")


def test_a_quote_left_open_is_reported_at_its_line_with_the_lines_it_swallowed(
    land_dirs: tuple[Path, Path],
) -> None:
    raw, landing = land_dirs
    header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
    rows = [f"{n},a,True,{TWEET_TIME},{text},," for n, text in enumerate(["ok", '"open', "x"], 1)]
    (raw / "twcs" / "twcs.csv").write_text(header + "\n\n" + "\n".join(rows) + "\n")
    [outcome] = land(raw, landing, ["twcs"])
    assert (outcome.rows_read, outcome.rows_accepted) == (2, 1)
    [bad] = quarantine_rows(landing, "twcs")
    assert (bad["record"], bad["line"], bad["field"]) == (2, 4, "(row)")
    assert "runs over 2 lines (is a quote left open?)" in str(bad["reason"])


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_json_rows_name_the_line_their_element_starts_on(
    land_dirs: tuple[Path, Path], eol: str
) -> None:
    """A quarantined dialogue's `line` is where its `{` stands; its record is its index."""
    raw, landing = land_dirs
    path = raw / "sgd" / "train" / "dialogues_001.json"
    first, second = json.loads(path.read_text())
    broken = {**first, "dialogue_id": "x_1", "turns": [{**first["turns"][0], "speaker": "ROBOT"}]}
    dialogues = [first, first, second, broken]
    text = json.dumps(dialogues, indent=2)
    path.write_bytes(text.replace("\n", eol).encode())
    element_starts = [n for n, line in enumerate(text.split("\n"), 1) if line == "  {"]
    land(raw, landing, ["sgd"])
    got = [(q["record"], q["line"], q["field"]) for q in quarantine_rows(landing, "sgd")]
    # record 1 repeats record 0's id; record 3 has a bad speaker
    assert got == [
        (1, element_starts[1], "dialogue_id"),
        (3, element_starts[3], "turns[0].speaker"),
    ]


def test_categories_json_row_names_its_line_and_parquet_rows_have_none(
    land_dirs: tuple[Path, Path],
) -> None:
    raw, landing = land_dirs
    categories = raw / "banking77" / "categories.json"
    categories.write_text(categories.read_text().replace('"card_linking"', '""', 1))
    values = {name: ["x", "y"] for name in ("flags", "category", "intent", "response")}
    pq.write_table(pa.table({**values, "instruction": ["fine", ""]}), raw / "bitext" / "b.parquet")
    land(raw, landing, ["banking77", "bitext"])
    [bad] = [q for q in quarantine_rows(landing, "banking77") if q["source_file"].endswith(".json")]
    assert (bad["record"], bad["line"]) == (1, 3)  # `[` is line 1, "card_arrival" line 2
    [bad] = [q for q in quarantine_rows(landing, "bitext") if q["source_file"].endswith(".parquet")]
    assert (bad["record"], bad["field"], bad["line"]) == (2, "instruction", None)


# --- the scanner against Arrow and an independent byte-by-byte reading ----------------


@dataclass(frozen=True)
class Reading:
    """What an independent byte-by-byte reading by Arrow's rules finds in a CSV."""

    starts: list[int]  # the start line of every record, header first
    open_quote: int | None  # the line of a quote the file ends inside, if any


def _reference_reading(data: bytes) -> Reading:
    """Read `data` one byte at a time by Arrow's rules (the oracle for both scans)."""
    starts: list[int] = []
    line, index, n = 1, 0, len(data)
    quoted, opened = False, 0
    while index < n:
        if data[index] in b"\r\n":  # an empty line: skipped
            index += 2 if data[index : index + 2] == b"\r\n" else 1
            line += 1
            continue
        starts.append(line)
        field_start = True
        while index < n:
            byte = data[index]
            if quoted:
                if byte == ord('"'):
                    if data[index + 1 : index + 2] == b'"':
                        index += 1
                    else:
                        quoted = False
                elif byte == ord("\n") or (
                    byte == ord("\r") and data[index + 1 : index + 2] != b"\n"
                ):
                    line += 1
                index += 1
                continue
            if byte == ord('"') and field_start:
                quoted, field_start, opened = True, False, line
            elif byte == ord(","):
                field_start = True
            elif byte in b"\r\n":
                index += 2 if data[index : index + 2] == b"\r\n" else 1
                line += 1
                break
            else:
                field_start = False
            index += 1
    return Reading(starts, opened if quoted else None)


def _arrow_records(data: bytes) -> int:
    """Data records Arrow reads (good + invalid), the way the loaders parse."""
    invalid = 0

    def count(row: pacsv.InvalidRow) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=count),
        convert_options=pacsv.ConvertOptions(column_types={"a": pa.binary(), "b": pa.binary()}),
    )
    return table.num_rows + invalid


csv_bytes = st.lists(
    st.sampled_from([b"a", b"b", b",", b'"', b'""', b"\n", b"\r\n", b"\r", b" "]), max_size=60
).map(lambda parts: b"a,b\n" + b"".join(parts))


@settings(max_examples=300, deadline=None)
@given(data=csv_bytes, block=st.integers(min_value=1, max_value=9))
def test_scanner_matches_arrow_and_a_byte_by_byte_reading(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, block: int
) -> None:
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(data)
    starts = _reference_reading(data).starts
    records = list(range(1, len(starts)))
    assert len(records) == _arrow_records(data)  # the reference reads what Arrow reads
    expected = dict(zip(records, starts[1:], strict=True))
    assert record_lines(path, records, block_size=block) == expected
    assert record_lines(path, records) == expected


def test_stray_quote_mid_field_is_literal(tmp_path: Path) -> None:
    """`x"y` is not a quoted value: the next line is a record of its own (Arrow's rule)."""
    path = tmp_path / "f.csv"
    path.write_bytes(b'h,h\n1,x"y\n2,"z\n\nq"\n\n3,4\n')
    assert record_lines(path, [1, 2, 3]) == {1: 2, 2: 3, 3: 7}


def test_byte_order_mark_and_trailing_record_without_line_end(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\r\n\r\n1,2\r\n\r\n\r\n3,4")
    assert record_lines(path, [1, 2, 3]) == {1: 3, 2: 6}  # record 3 does not exist


def test_json_element_lines_with_mixed_line_ends_and_indices_past_the_end(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b'[\n1,\r\n"a,\\n[",\r{"b": [1,\n 2]}, 4\n]')
    assert element_lines(path, [0, 1, 2, 3, 4]) == {0: 2, 1: 3, 2: 4, 3: 5}
    path.write_bytes(b"[]")
    assert element_lines(path, [0]) == {}


# --- a quote opened in the last column that never closes (issue 19) -------------------


def _open_quote_layout(shape: Shape, eol: str) -> tuple[str, int, int]:
    """A file whose last record opens a quote in its last column and never closes it.

    Arrow reads the rest of the file into that value, so the record has the right field
    count. Returns (text, the open row's line, the lines after it).
    """
    good = [shape.good.format(n=n, text=text) for n, text in ((101, "first"), (102, "third"))]
    quoted = shape.good.format(n=103, text=f'"two{eol}lines, quoted"')
    open_row = shape.good.format(n=104, text="opens")
    open_row = open_row[: open_row.rfind(",") + 1] + '"oops'
    swallowed = [shape.good.format(n=105, text="next"), "", shape.good.format(n=106, text="last")]
    head = eol.join([shape.header, good[0], "", quoted, good[1]]) + eol
    text = head + eol.join([open_row, *swallowed]) + eol
    open_line = len(LINE_BREAK.findall(head)) + 1
    return text, open_line, len(swallowed)


@pytest.mark.parametrize("eol", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
@pytest.mark.parametrize("shape", SHAPES, ids=[s.source for s in SHAPES])
def test_a_quote_left_open_in_the_last_column_quarantines_the_rest_of_the_file(
    land_dirs: tuple[Path, Path], shape: Shape, eol: str
) -> None:
    """The swallowing record has the header's field count, so no column check sees it:
    before, its rows landed inside one value (or were blamed on that value's content)."""
    raw, landing = land_dirs
    text, open_line, lines_after = _open_quote_layout(shape, eol)
    (raw / shape.file).write_bytes(text.encode())
    [outcome] = [o for o in land(raw, landing, [shape.source]) if o.source_file == shape.file]
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (4, 3, 1)
    [bad] = [q for q in quarantine_rows(landing, shape.source) if q["source_file"] == shape.file]
    last_column = shape.header.split(",")[-1]
    assert (bad["record"], bad["line"], bad["field"]) == (4, open_line, last_column)
    assert bad["reason"] == (
        f"a quote opened on line {open_line} never closes: "
        f"the rest of the file ({lines_after} lines) is read as one value"
    )
    assert "next" in str(bad["raw"]) and "last" in str(bad["raw"])


@pytest.mark.parametrize("block_size", [None, 96], ids=["one-batch", "many-batches"])
@pytest.mark.parametrize("closed", [True, False], ids=["closed", "open"])
def test_multi_line_last_values_across_batches(
    land_dirs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    block_size: int | None,
    closed: bool,
) -> None:
    """Rows whose last value spans lines (so their batch may be held back for the check)
    land in order, once each, whatever the batches; only a quote open at the end is
    quarantined, and a closed one costs nothing but the scan."""
    if block_size is not None:
        monkeypatch.setattr(text_batches, "BLOCK_SIZE", block_size)
    raw, landing = land_dirs
    rows = [f'B,q{n},ORDER,cancel_order,"answer {n}\n\nwith ""quotes"""' for n in range(12)]
    rows.append("B,end,ORDER,cancel_order," + ('"two\nlines"' if closed else '"oops\nB,x,y,z,w'))
    text = "flags,instruction,category,intent,response\n" + "\n".join(rows) + "\n"
    (raw / "bitext" / "bitext_sample.csv").write_text(text)
    [outcome] = land(raw, landing, ["bitext"])
    assert (outcome.rows_read, outcome.rows_quarantined) == (13, 0 if closed else 1)
    landed = sorted(live_rows(landing, "bitext", "utterances"), key=lambda r: int(r["_record"]))
    assert [r["instruction"] for r in landed] == [f"q{n}" for n in range(12)] + ["end"] * closed
    assert landed[3]["response"] == 'answer 3\n\nwith "quotes"'
    if not closed:
        [bad] = quarantine_rows(landing, "bitext")
        assert (bad["record"], bad["line"], bad["field"]) == (13, 38, "response")
        assert str(bad["reason"]).startswith("a quote opened on line 38 never closes")


def test_a_clean_file_is_not_scanned_for_an_open_quote(
    land_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a last value holding a newline costs a scan; here the last value has none."""

    def refuse(path: Path, *args: object) -> None:
        raise AssertionError(f"{path} scanned")

    monkeypatch.setattr(text_batches, "open_quote_at_end", refuse)
    raw, landing = land_dirs
    outcomes = land(raw, landing, ["banking77", "twcs", "synthetic"])
    assert outcomes and all(o.rows_quarantined == 0 for o in outcomes)


def _editor_lines(data: bytes) -> int:
    return len(LINE_BREAK.findall(data.decode())) + (not LINE_BREAK.match(data[-1:].decode()))


@settings(max_examples=300, deadline=None)
@given(data=csv_bytes, block=st.integers(min_value=1, max_value=9))
def test_open_quote_scan_matches_a_byte_by_byte_reading(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, block: int
) -> None:
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(data)
    line = _reference_reading(data).open_quote
    expected = None if line is None else OpenQuote(line, _editor_lines(data) - line)
    assert open_quote_at_end(path, block_size=block) == expected
    assert open_quote_at_end(path) == expected


@pytest.mark.parametrize("extra", ["note", " note ", ""], ids=["named", "padded", "unnamed"])
def test_an_open_quote_in_an_extra_last_column_the_loader_does_not_read(
    land_dirs: tuple[Path, Path], extra: str
) -> None:
    """The check reads the header's last column even when the loader does not need it."""
    raw, landing = land_dirs
    text = f'text,category,{extra}\nok,card_arrival,x\nfine,card_arrival,"y\nnext,card_arrival,z\n'
    (raw / "banking77" / "train.csv").write_text(text)
    outcomes = land(raw, landing, ["banking77"])
    [outcome] = [o for o in outcomes if o.source_file == "banking77/train.csv"]
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (2, 1, 1)
    [bad] = [q for q in quarantine_rows(landing, "banking77") if q["source_file"].endswith(".csv")]
    # the field is named as the header check names it: stripped
    assert (bad["record"], bad["line"], bad["field"]) == (2, 3, extra.strip() or "(row)")
    assert bad["reason"] == (
        "a quote opened on line 3 never closes: the rest of the file (1 line) is read as one value"
    )


@pytest.mark.parametrize("shape", SHAPES, ids=[s.source for s in SHAPES])
def test_header_names_padded_with_spaces_land_like_plain_ones(
    land_dirs: tuple[Path, Path], shape: Shape
) -> None:
    """`text , category` passes the header check (names are compared stripped, as the
    upload check does), so landing must read those columns too, not fail the file on the
    parser's unstripped names."""
    raw, landing = land_dirs
    padded = ",".join(f" {name}  " for name in shape.header.split(","))
    rows = [shape.good.format(n=201, text="first"), shape.bad.format(n=202, text="second")]
    target = raw / shape.file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join([padded, *rows]) + "\n")
    outcomes = land(raw, landing, [shape.source])
    [outcome] = [o for o in outcomes if o.source_file == shape.file]
    assert outcome.status != "failed", outcome
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (2, 1, 1)
    [bad] = [q for q in quarantine_rows(landing, shape.source) if q["source_file"] == shape.file]
    assert (bad["record"], bad["line"], bad["field"]) == (2, 3, shape.bad_field)


TRAIN = "banking77/train.csv"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
@pytest.mark.parametrize("end", [b"", b"\n", b"\r\n", b"\r", b"\n\n"], ids=repr)
def test_a_file_holding_only_its_header_lands_no_rows(
    land_dirs: tuple[Path, Path], bom: bytes, end: bytes
) -> None:
    """Without a line end after the header Arrow finds no block to count columns in and
    failed the file as "Empty CSV file"; with one it landed no rows. Both are no rows."""
    raw, landing = land_dirs
    (raw / "banking77" / "train.csv").write_bytes(bom + b'"text", category' + end)
    [outcome] = [o for o in land(raw, landing, ["banking77"]) if o.source_file == TRAIN]
    assert (outcome.status, outcome.rows_read, outcome.message) == ("landed", 0, "")


@pytest.mark.parametrize(
    "header",
    [
        b'text,category,"no\nte"',
        b'"no\nte",text,category',
        b'text,category,"note',
        b'\xef\xbb\xbf"note,text,category',
    ],
    ids=["last-name-spans-lines", "first-name-spans-lines", "never-closes", "after-bom"],
)
def test_a_header_name_spanning_lines_fails_the_file_saying_so(
    land_dirs: tuple[Path, Path], header: bytes
) -> None:
    """The header is read as one line; a quoted name running past it used to fail as an
    unexpected ArrowKeyError (a traceback logged as a loader bug), as missing columns
    found `no`, or as an "Empty CSV file"."""
    raw, landing = land_dirs
    (raw / "banking77" / "train.csv").write_bytes(header + b"\nhello,card_arrival,x\n")
    [outcome] = [o for o in land(raw, landing, ["banking77"]) if o.source_file == TRAIN]
    assert outcome.status == "failed"
    assert outcome.message == (
        "banking77/train.csv: the header opens a quote that does not close on its line "
        "(column names cannot hold line ends)"
    )


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b" \n"], ids=repr)
def test_a_file_of_only_a_byte_order_mark_is_an_empty_file(
    land_dirs: tuple[Path, Path], data: bytes
) -> None:
    raw, landing = land_dirs
    (raw / "banking77" / "train.csv").write_bytes(data)
    [outcome] = [o for o in land(raw, landing, ["banking77"]) if o.source_file == TRAIN]
    assert outcome.message == "banking77/train.csv: empty file (expected a CSV header row)"
