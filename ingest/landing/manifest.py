"""The load manifest: one row per load, rewritten atomically as `_manifest/loads.parquet`.

Statuses: `current` (its partitions are live), `superseded` (archived), `failed` (the
latest attempt at a file that could not land, with `reason`; one per file at most).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from supportlens.ingest.landing.atomic import write_parquet_atomic
from supportlens.ingest.landing.layout import manifest_path

CURRENT = "current"
SUPERSEDED = "superseded"
#: The latest attempt at a file that could not land; its earlier current load (if any)
#: stays current, so a broken new version never takes good rows away.
FAILED = "failed"

MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("load_id", pa.string()),
        pa.field("source", pa.string()),
        pa.field("source_file", pa.string()),
        pa.field("file_bytes", pa.int64()),
        pa.field("sha256", pa.string()),
        pa.field("tables", pa.list_(pa.string())),
        pa.field("rows_read", pa.int64()),
        pa.field("rows_accepted", pa.int64()),
        pa.field("rows_quarantined", pa.int64()),
        pa.field("loader_version", pa.string()),
        pa.field("started_at", pa.timestamp("us", tz="UTC")),
        pa.field("finished_at", pa.timestamp("us", tz="UTC")),
        pa.field("status", pa.string()),
        pa.field("reason", pa.string()),  # why a failed load failed; null otherwise
    ]
)


@dataclass(frozen=True)
class LoadRecord:
    load_id: str
    source: str
    source_file: str
    file_bytes: int
    sha256: str
    tables: tuple[str, ...]
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    loader_version: str
    started_at: datetime
    finished_at: datetime
    status: str
    reason: str | None = None

    def superseded(self) -> LoadRecord:
        return replace(self, status=SUPERSEDED)


def read_manifest(landing_dir: Path) -> list[LoadRecord]:
    path = manifest_path(landing_dir)
    if not path.exists():
        return []
    rows = pq.read_table(path).to_pylist()
    # Manifests written before `reason` existed simply lack the column.
    return [
        LoadRecord(**{"reason": None, **row, "tables": tuple(row["tables"] or ())}) for row in rows
    ]


def write_manifest(landing_dir: Path, records: list[LoadRecord]) -> None:
    rows = [{**asdict(r), "tables": list(r.tables)} for r in records]
    table = pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)
    write_parquet_atomic(table, manifest_path(landing_dir))


def current_loads(records: list[LoadRecord]) -> dict[str, LoadRecord]:
    """Source file → its current load."""
    return {r.source_file: r for r in records if r.status == CURRENT}
