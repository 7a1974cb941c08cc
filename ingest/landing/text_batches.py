"""Streaming readers that turn CSV and Parquet files into batches of text columns.

Both readers hand loaders the same thing: a `TextBatch` of UTF-8 string columns (empty
string for an empty field), the record number of every row, and a way to rebuild a row's
raw text for the quarantine. Rows that cannot even be split into the header's columns or
decoded as UTF-8 are quarantined here, once, for every CSV format.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from queue import Full, Queue
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from supportlens.ingest.landing.csv_lines import (
    BOM,
    open_quote_at_end,
    quote_left_open,
    record_lines,
)
from supportlens.ingest.landing.errors import WholeFileError
from supportlens.ingest.landing.sink import LoadSink

ROW_FIELD = "(row)"
#: Batches parsed ahead of the one being typed and written (each ~16 MB of CSV).
READ_AHEAD = 1
T = TypeVar("T")
#: Bytes parsed per batch: big enough to amortise per-batch work, small enough that a
#: batch of TWCS (about 90 k tweets) stays a few tens of MB.
BLOCK_SIZE = 16 << 20
#: A first line longer than this is no header (a binary file, or one without line ends).
MAX_HEADER_BYTES = 1 << 20
LINE_END = re.compile(rb"[\r\n]")
LINE_END_ALL = re.compile(r"\r\n|\r|\n")


def csv_line(values: Sequence[str]) -> str:
    """A row as one CSV line with minimal quoting (how the raw files are written)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


@dataclass(frozen=True)
class TextBatch:
    columns: dict[str, pa.StringArray]
    records: np.ndarray  # int64, one per row
    raw_format: str  # "csv" or "json"

    @property
    def num_rows(self) -> int:
        return len(self.records)

    def raw(self, index: int) -> str:
        values = {name: column[index].as_py() or "" for name, column in self.columns.items()}
        if self.raw_format == "json":
            return json.dumps(values, ensure_ascii=False)
        return csv_line(list(values.values()))

    def rows(self) -> Iterator[tuple[int, int, dict[str, str]]]:
        """(index in batch, record, {column: text}) for per-row validation of small files."""
        names = list(self.columns)
        lists = [self.columns[name].to_pylist() for name in names]
        for index, values in enumerate(zip(*lists, strict=True)):
            yield (
                index,
                int(self.records[index]),
                {name: value or "" for name, value in zip(names, values, strict=True)},
            )

    def take(self, mask: pa.BooleanArray | np.ndarray) -> TextBatch:
        keep = pa.array(mask, pa.bool_())
        return TextBatch(
            {name: col.filter(keep) for name, col in self.columns.items()},
            self.records[np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)],
            self.raw_format,
        )


def _first_line(path: Path, source_file: str) -> bytes:
    """The file's first line, ended as the parser ends lines: `\\n`, `\\r\\n` or a lone
    `\\r` (`readline` knows only `\\n`, and would read a whole `\\r`-ended file)."""
    data = b""
    with path.open("rb") as handle:
        while len(data) <= MAX_HEADER_BYTES:
            chunk = handle.read(64 << 10)
            data += chunk
            end = LINE_END.search(data)
            if end is not None:
                return data[: end.start()]
            if not chunk:
                return data
    raise WholeFileError(
        source_file, f"no line end in the first {MAX_HEADER_BYTES:,} bytes (expected a CSV header)"
    )


def read_csv_header(path: Path, source_file: str) -> list[str]:
    """The header row's column names; an empty file or unreadable header fails the file."""
    first = _first_line(path, source_file)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WholeFileError(source_file, f"header is not UTF-8 ({exc.reason})") from exc
    if not text.strip():  # after decoding: a byte-order mark alone is no header either
        raise WholeFileError(source_file, "empty file (expected a CSV header row)")
    if quote_left_open(first.removeprefix(BOM)):
        # The parser would read the next lines into that name: the names it then knows
        # differ from the first line's, and every column check would be wrong.
        raise WholeFileError(
            source_file,
            "the header opens a quote that does not close on its line "
            "(column names cannot hold line ends)",
        )
    names = [name.strip() for name in next(csv.reader([text]))]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:  # which of two `text` columns is the text? Refuse rather than guess.
        raise WholeFileError(source_file, f"header repeats column names {repeated}")
    return names


def choose_columns(
    header: Sequence[str], options: Sequence[Sequence[str]], source_file: str
) -> Sequence[str]:
    """The first accepted column set the header carries; else the error naming the first
    (preferred) set. Loaders publish their options so other checks (API uploads) agree."""
    for option in options:
        if all(name in header for name in option):
            return option
    require_columns(header, options[0], source_file)
    raise AssertionError("unreachable: require_columns raised")


def require_columns(header: Sequence[str], required: Sequence[str], source_file: str) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise WholeFileError(
            source_file,
            f"missing required columns {missing} (expected {','.join(required)}; "
            f"found {','.join(header)})",
        )


class _SkippedRows:
    """Rows the CSV parser could not split into the header's columns, in file order.

    The parser calls this from the read-ahead thread; the loader's thread moves the rows
    into the sink (`drain`), so the sink is only ever touched from one thread.
    """

    def __init__(self, sink: LoadSink, source_file: str) -> None:
        self.sink = sink
        self.source_file = source_file
        self.records: list[int] = []
        self._pending: list[tuple[int, str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, row: pacsv.InvalidRow) -> str:
        if row.number is None:  # only happens with threaded parsing, which we never use
            raise WholeFileError(self.source_file, "cannot number an invalid CSV row")
        record = row.number - 1  # the parser counts the header as row 1
        reason = f"wrong column count: expected {row.expected_columns}, found {row.actual_columns}"
        lines = len(LINE_END_ALL.findall(row.text)) + 1
        if lines > 1:  # a quote left open swallows the rows after it: say so
            reason += f"; the record runs over {lines} lines (is a quote left open?)"
        with self._lock:
            self.records.append(record)
            self._pending.append((record, reason, row.text))
        return "skip"

    def drain(self) -> None:
        """Count and quarantine the skipped rows parsed so far."""
        with self._lock:
            pending, self._pending = self._pending, []
        for record, reason, text in pending:
            self.sink.count_read()
            self.sink.quarantine.add(record, ROW_FIELD, reason, text)

    def last_record(self) -> int:
        """The last skipped record so far (0 when none)."""
        with self._lock:
            return self.records[-1] if self.records else 0

    def record_numbers(self, first_ordinal: int, count: int) -> np.ndarray:
        """Records of the `count` good rows starting at 1-based good-row `first_ordinal`.

        Good row k is record k + (skipped records before it); with skipped records
        s_0 < s_1 < …, row k is shifted past s_j exactly when k >= s_j - j.
        """
        ordinals = np.arange(first_ordinal, first_ordinal + count, dtype=np.int64)
        with self._lock:  # the read-ahead thread may be appending rows of later batches
            skipped = np.asarray(self.records, dtype=np.int64)
        if not skipped.size:
            return ordinals
        # Rows skipped after this batch have thresholds above all its ordinals: no effect.
        thresholds = skipped - np.arange(len(skipped))
        return ordinals + np.searchsorted(thresholds, ordinals, side="right")


def _decode_columns(
    raw: dict[str, pa.Array], records: np.ndarray, sink: LoadSink
) -> tuple[dict[str, pa.StringArray], np.ndarray]:
    """Cast binary columns to UTF-8 strings, quarantining rows with invalid bytes."""
    bad: dict[int, str] = {}
    decoded: dict[str, pa.StringArray] = {}
    for name, column in raw.items():
        try:
            decoded[name] = column.cast(pa.string())  # validates UTF-8
        except pa.ArrowInvalid:
            for index, value in enumerate(column.to_pylist()):
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    bad.setdefault(index, name)
    if not bad:
        return decoded, records
    for index, name in sorted(bad.items()):
        values = [col[index].as_py().decode("utf-8", "backslashreplace") for col in raw.values()]
        sink.quarantine.add(int(records[index]), name, "invalid UTF-8", csv_line(values))
    keep = np.ones(len(records), dtype=bool)
    keep[list(bad)] = False
    mask = pa.array(keep)
    return {name: col.filter(mask).cast(pa.string()) for name, col in raw.items()}, records[keep]


def read_ahead(batches: Iterable[T], depth: int = READ_AHEAD) -> Iterator[T]:
    """Iterate `batches` in a background thread, at most `depth` items ahead.

    Errors raised while producing an item are re-raised here, in order. If the consumer
    stops early, the producer stops at its next item instead of running to the end.
    """
    queue: Queue[tuple[str, object]] = Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: tuple[str, object]) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not offer(("item", batch)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            offer(("error", exc))
            return
        offer(("end", None))

    worker = threading.Thread(target=produce, name="csv-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value  # type: ignore[misc]
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def _parser_names(path: Path, source_file: str) -> list[str]:
    """The header's column names as the parser gives them: unstripped, so ` category`
    stays ` category` (`read_csv_header` strips them for every check and for users)."""
    # `read_csv_header` has already refused a header that is not UTF-8.
    text = _first_line(path, source_file).decode("utf-8-sig", "replace")
    return next(csv.reader([text]))


def _last_column(names: Sequence[str]) -> str | None:
    """The parser's name of the header's last column, or None when that name does not
    pick one column (empty, or repeated)."""
    return names[-1] if names[-1] and names.count(names[-1]) == 1 else None


def _may_swallow(batch: pa.RecordBatch, last_column: str | None) -> bool:
    """Whether the batch's last row could be a quote left open that swallowed the rest of
    the file, were it the file's last record.

    Such a record has the header's field count (the open value is its last), so the
    parser keeps it, and its last value holds a line end. With no column to look at (a
    header whose last name is empty or repeated) the answer is yes: the file is scanned.
    """
    if last_column is None:
        return True
    value = batch.column(last_column)[-1].as_py()
    return b"\n" in value or b"\r" in value


def iter_csv(
    path: Path, source_file: str, header: Sequence[str], columns: Sequence[str], sink: LoadSink
) -> Iterator[TextBatch]:
    """Stream `columns` of a CSV in bounded memory; counts every data row as read.

    Parsing is single-threaded on purpose: quoted newlines (common in tweets) make split
    points in a parallel parse ambiguous, and only a sequential parse numbers bad rows.
    It runs one batch ahead in its own thread (Arrow releases the GIL), so parsing the
    next block overlaps typing and writing this one.

    Records are numbered as the parser reads them (1-based; blank lines skipped, a
    multi-line record counted once); the quarantine also gets the line each bad one starts
    on, found after the load (`csv_lines`), so clean files pay nothing for it.

    A batch whose last row may have swallowed the rest of the file (`_may_swallow`, rare)
    is handed on only once the next one is parsed: if it was the file's last and the file
    ends inside a quote (`open_quote_at_end`), that row is quarantined instead. Other
    batches go on at once, so a clean file pays one look at one value per batch.
    """
    sink.quarantine.find_lines = partial(record_lines, path)
    skipped = _SkippedRows(sink, source_file)
    if len(_first_line(path, source_file)) == path.stat().st_size:
        # Only a header, no line end after it: no rows. Arrow would fail the file as empty.
        return
    parser_names = _parser_names(path, source_file)
    # `header` is stripped; Arrow knows a padded name (`text , category`) only as written.
    as_parsed = dict(zip(header, parser_names, strict=True))
    last_column = _last_column(parser_names)
    include = [as_parsed[name] for name in columns]
    if last_column is not None and last_column not in include:
        include.append(last_column)  # read to see whether it holds a line end (cheap)

    def text_batch(batch: pa.RecordBatch, records: np.ndarray) -> TextBatch:
        raw = {name: batch.column(as_parsed[name]) for name in columns}
        decoded, records = _decode_columns(raw, records, sink)
        return TextBatch(decoded, records, "csv")

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skipped),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(parser_names, pa.binary()),
                include_columns=include,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        good_rows = 0
        held: tuple[pa.RecordBatch, np.ndarray] | None = None
        for batch in read_ahead(reader):
            skipped.drain()
            if not batch.num_rows:
                continue
            records = skipped.record_numbers(good_rows + 1, batch.num_rows)
            good_rows += batch.num_rows
            sink.count_read(batch.num_rows)
            if held is not None:
                yield text_batch(*held)
                held = None
            if _may_swallow(batch, last_column):
                held = (batch, records)
            else:
                yield text_batch(batch, records)
        skipped.drain()
    except pa.ArrowInvalid as exc:
        message = str(exc).splitlines()[0]
        raise WholeFileError(source_file, f"unreadable CSV ({message})") from exc
    if held is None:
        return
    batch, records = held
    open_quote = None
    if skipped.last_record() < records[-1]:  # else the file's last record was skipped
        open_quote = open_quote_at_end(path)
    if open_quote is not None and open_quote.lines_after:
        row = [
            batch.column(name)[-1].as_py().decode("utf-8", "backslashreplace") for name in include
        ]
        field = last_column.strip() if last_column is not None else ROW_FIELD
        sink.quarantine.add(int(records[-1]), field, open_quote.problem, csv_line(row))
        batch, records = batch.slice(0, batch.num_rows - 1), records[:-1]
    if batch.num_rows:
        yield text_batch(batch, records)


def iter_parquet(
    path: Path, source_file: str, columns: Sequence[str], sink: LoadSink
) -> Iterator[TextBatch]:
    """Stream text columns of a Parquet file; records are 1-based row numbers, as in CSV."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise WholeFileError(source_file, f"not a readable Parquet file ({exc})") from exc
    require_columns(parquet.schema_arrow.names, columns, source_file)
    first = 1
    for batch in _parquet_batches(parquet, source_file, columns):
        records = np.arange(first, first + batch.num_rows, dtype=np.int64)
        first += batch.num_rows
        sink.count_read(batch.num_rows)
        texts: dict[str, pa.StringArray] = {}
        for name in columns:
            column = batch.column(name)
            if pa.types.is_dictionary(column.type):  # pandas categoricals are written so
                column = column.dictionary_decode()
            if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                raise WholeFileError(source_file, f"column {name} is {column.type}, expected text")
            texts[name] = pc.fill_null(column.cast(pa.string()), "")
        yield TextBatch(texts, records, "json")


def _parquet_batches(
    parquet: pq.ParquetFile, source_file: str, columns: Sequence[str]
) -> Iterator[pa.RecordBatch]:
    """Batches of a Parquet file; damage found past the footer fails the file by name."""
    try:
        yield from parquet.iter_batches(batch_size=65_536, columns=list(columns))
    except (pa.ArrowException, OSError) as exc:
        message = (str(exc).splitlines() or [""])[0]
        raise WholeFileError(source_file, f"unreadable Parquet data ({message})") from exc
