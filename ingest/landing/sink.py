"""Where a loader puts what it reads: staged table files, lineage, quarantine and counts.

A loader never chooses paths or lineage values. It asks the sink for one writer per
table (with the table's schema), hands it rows plus their record numbers, and reports
bad records to the quarantine. The runner publishes the staged files afterwards.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from supportlens.ingest.landing.layout import QUARANTINE_TABLE

log = logging.getLogger(__name__)

LINEAGE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("_load_id", pa.string()),
    pa.field("_source_file", pa.string()),
    pa.field("_record", pa.int64()),
    pa.field("_loaded_at", pa.timestamp("us", tz="UTC")),
)

#: Long free-text columns: never dictionary-encoded.
FREE_TEXT = frozenset({"text", "utterance", "instruction", "response", "raw"})

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("load_id", pa.string()),
        pa.field("source", pa.string()),
        pa.field("source_file", pa.string()),
        pa.field("record", pa.int64()),
        pa.field("line", pa.int64()),
        pa.field("field", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("raw", pa.string()),
    ]
)


@dataclass(frozen=True)
class LoadIdentity:
    """Values every landed row of one load carries."""

    load_id: str
    source: str
    source_file: str  # relative to raw_dir, with forward slashes
    loaded_at: datetime


class TableWriter:
    """Streams one table of one load into a staged Parquet file, adding lineage columns.

    Encoding and compressing Parquet runs on a background thread (Arrow releases the GIL)
    while the loader parses the next block; at most one block waits, so memory stays
    bounded.
    """

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        identity: LoadIdentity,
        dictionary: list[str] | None = None,
    ) -> None:
        self.path = path
        self.identity = identity
        self.data_schema = schema
        self.schema = pa.schema([*schema, *LINEAGE_FIELDS])
        self.rows = 0
        # Dictionary encoding only pays for repetitive columns; trying it on free text
        # (tweets, utterances) costs time for nothing, so callers name the columns.
        self._writer = pq.ParquetWriter(
            path,
            self.schema,
            compression="lz4",
            use_dictionary=[*(dictionary or []), "_load_id", "_source_file"],
        )
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet")
        self._pending: Future[None] | None = None

    def write(self, table: pa.Table | pa.RecordBatch, records: pa.Array) -> None:
        n = table.num_rows
        if n == 0:
            return
        if len(records) != n:
            raise ValueError(f"{self.path.name}: {n} rows but {len(records)} record numbers")
        ident = self.identity
        columns = [table.column(f.name).cast(f.type) for f in self.data_schema]
        columns += [
            pa.repeat(pa.scalar(ident.load_id, pa.string()), n),
            pa.repeat(pa.scalar(ident.source_file, pa.string()), n),
            records.cast(pa.int64()),
            pa.repeat(pa.scalar(ident.loaded_at, pa.timestamp("us", tz="UTC")), n),
        ]
        self._wait()
        table = pa.Table.from_arrays(columns, schema=self.schema)
        self._pending = self._executor.submit(self._writer.write_table, table)
        self.rows += n

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # re-raises a failed write here, in the loader's thread

    def write_rows(self, rows: list[dict[str, object]], records: list[int]) -> None:
        if rows:
            table = pa.Table.from_pylist(rows, schema=self.data_schema)
            self.write(table, pa.array(records, pa.int64()))

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self._executor.shutdown(wait=True)
            self._writer.close()


#: Record numbers → the line each starts on in the raw file (records without one left out).
LineFinder = Callable[[Sequence[int]], dict[int, int]]


@dataclass
class Quarantine:
    """Bad records of one load: one row per record, naming the first problem found.

    `record` is the loader's record number; `line` is where an editor shows the record
    (CSV, JSON): the loader of such a file sets `find_lines`, which is asked once, when
    the quarantine is written, so a file with no bad rows is never scanned for lines.
    """

    identity: LoadIdentity
    rows: list[dict[str, object]] = field(default_factory=list)
    find_lines: LineFinder | None = None

    def add(self, record: int, field_name: str, reason: str, raw: str) -> None:
        self.rows.append({"record": int(record), "field": field_name, "reason": reason, "raw": raw})

    def __len__(self) -> int:
        return len(self.rows)

    def _lines(self) -> dict[int, int]:
        records = [int(row["record"]) for row in self.rows]  # type: ignore[call-overload]
        if self.find_lines is None or not records:
            return {}
        try:
            return self.find_lines(records)
        except (OSError, ValueError) as exc:  # e.g. the file changed under us: lines stay null
            log.warning(
                "no line numbers for quarantined rows: %s",
                exc,
                extra={"file": self.identity.source_file},
            )
            return {}

    def to_table(self) -> pa.Table:
        ident = self.identity
        lines = self._lines()
        full = [
            {
                "load_id": ident.load_id,
                "source": ident.source,
                "source_file": ident.source_file,
                **row,
                "line": lines.get(int(row["record"])),  # type: ignore[call-overload]
            }
            for row in sorted(self.rows, key=lambda r: int(r["record"]))  # type: ignore[call-overload]
        ]
        return pa.Table.from_pylist(full, schema=QUARANTINE_SCHEMA)


class LoadSink:
    """Everything one load writes, staged under `staging` until the runner publishes it."""

    def __init__(self, staging: Path, identity: LoadIdentity) -> None:
        self.staging = staging
        self.identity = identity
        self.quarantine = Quarantine(identity)
        self.rows_read = 0
        self.rows_accepted = 0
        self._writers: dict[str, TableWriter] = {}

    def table(
        self, name: str, schema: pa.Schema, dictionary: list[str] | None = None
    ) -> TableWriter:
        """The writer for `name`, created on first use (so every table gets a file).

        `dictionary`: columns worth dictionary-encoding (few distinct values); by default
        every string column except long free text is.
        """
        if name not in self._writers:
            self.staging.mkdir(parents=True, exist_ok=True)
            if dictionary is None:
                dictionary = [f.name for f in schema if f.name not in FREE_TEXT]
            self._writers[name] = TableWriter(
                self.staging / f"{name}.parquet", schema, self.identity, dictionary
            )
        return self._writers[name]

    def count_read(self, n: int = 1) -> None:
        self.rows_read += n

    def count_accepted(self, n: int = 1) -> None:
        self.rows_accepted += n

    @property
    def rows_quarantined(self) -> int:
        return len(self.quarantine)

    def tables(self) -> list[str]:
        return sorted(self._writers)

    def staged_files(self) -> dict[str, Path]:
        """Table name → staged file, including the quarantine pseudo-table."""
        files = {name: writer.path for name, writer in self._writers.items()}
        files[QUARANTINE_TABLE] = self.staging / f"{QUARANTINE_TABLE}.parquet"
        return files

    def finish(self) -> None:
        """Close writers, write the quarantine file and check rows read = accepted + quarantined."""
        for writer in self._writers.values():
            writer.close()
        pq.write_table(self.quarantine.to_table(), self.staging / f"{QUARANTINE_TABLE}.parquet")
        if self.rows_read != self.rows_accepted + self.rows_quarantined:
            raise RuntimeError(
                f"{self.identity.source_file}: rows read {self.rows_read} != accepted "
                f"{self.rows_accepted} + quarantined {self.rows_quarantined} (loader bug)"
            )

    def abort(self) -> None:
        for writer in self._writers.values():
            # Closing after a failure must not mask the failure itself.
            with contextlib.suppress(Exception):
                writer.close()

    def __enter__(self) -> LoadSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.finish()
        else:
            self.abort()
