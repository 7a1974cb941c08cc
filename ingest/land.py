"""Land raw files: the orchestrator behind `supportlens land` and the API's landing job.

It sits above the landing library (`supportlens.ingest.landing`) and the loaders: it finds the raw
files, runs each file's loader into a staging folder, publishes the result and keeps
the manifest. Order of writes for one file (each step atomic on its own):
1. the loader writes every table and the quarantine into `_staging/{load_id}/`;
2. each staged file is renamed into its live partition `load_id={load_id}/data.parquet`;
3. the manifest is rewritten with the new load current and the old one superseded;
4. the old load's partitions are moved to `_archive/`.
A crash between 2 and 4 leaves partitions whose load is not current in the manifest;
`sweep_orphans` (run at the start of every landing) archives them, so the live glob
always returns exactly the current rows.

One file never stops the others: whatever goes wrong with a file (a whole-file error,
or an unexpected error in its loader) is recorded against that file as a `failed`
manifest row with its reason, and landing goes on with the next file.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from tqdm import tqdm

from supportlens.hashing import file_digest
from supportlens.ingest.landing import layout
from supportlens.ingest.landing.atomic import move_atomic, prune_empty_dirs, remove_tree
from supportlens.ingest.landing.discovery import RawFile, discover
from supportlens.ingest.landing.errors import WholeFileError
from supportlens.ingest.landing.manifest import (
    CURRENT,
    FAILED,
    LoadRecord,
    current_loads,
    read_manifest,
    write_manifest,
)
from supportlens.ingest.landing.sink import LoadIdentity, LoadSink
from supportlens.ingest.loaders import loader_for
from supportlens.ingest.sources import SOURCES

log = logging.getLogger(__name__)

LANDED = "landed"
UNCHANGED = "unchanged"
__all__ = ["FAILED", "LANDED", "UNCHANGED", "FileOutcome", "check_file", "land"]


@dataclass(frozen=True)
class FileOutcome:
    source: str
    source_file: str
    status: str  # landed | unchanged | failed
    load_id: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    message: str = ""  # failed: one line starting with the file, e.g. `twcs/twcs.csv: …`


def new_load_id(started: datetime, source_file: str) -> str:
    """Sortable by time; unique per file (microseconds apart within one run)."""
    path_hash = hashlib.sha256(source_file.encode()).hexdigest()[:12]
    return f"{started:%Y%m%dT%H%M%S%fZ}-{path_hash}"


def _live_partitions(landing_dir: Path) -> list[tuple[str, str, str, Path]]:
    """(source, table, load_id, folder) of every live partition, quarantine included."""
    found = []
    for source in SOURCES:
        for folder in sorted((landing_dir / source).glob("*/load_id=*")):
            found.append((source, folder.parent.name, folder.name.split("=", 1)[1], folder))
        for folder in sorted((landing_dir / layout.QUARANTINE_DIR / source).glob("load_id=*")):
            found.append((source, layout.QUARANTINE_TABLE, folder.name.split("=", 1)[1], folder))
    return found


def _archive_partition(landing_dir: Path, source: str, table: str, load_id: str) -> None:
    live = layout.partition_dir(landing_dir, source, table, load_id)
    data = live / layout.DATA_FILE
    if data.exists():
        move_atomic(
            data, layout.archive_dir(landing_dir, source, table, load_id) / layout.DATA_FILE
        )
    prune_empty_dirs(live, landing_dir)


def sweep_orphans(landing_dir: Path, records: list[LoadRecord]) -> int:
    """Archive live partitions of loads that are not current (left by an interrupted run)."""
    current = {r.load_id for r in records if r.status == CURRENT}
    swept = 0
    for source, table, load_id, _ in _live_partitions(landing_dir):
        if load_id not in current:
            log.warning("archiving orphan partition", extra={"table": table, "load_id": load_id})
            _archive_partition(landing_dir, source, table, load_id)
            swept += 1
    remove_tree(landing_dir / layout.STAGING_DIR)
    return swept


def _land_one(raw: RawFile, landing_dir: Path, records: list[LoadRecord]) -> FileOutcome:
    loader = loader_for(raw.source)
    if raw.problem is not None:
        raise WholeFileError(raw.source_file, raw.problem)
    if raw.kind is None:
        raise WholeFileError(raw.source_file, f"unknown format (not a {raw.source} raw file)")
    size = raw.path.stat().st_size
    previous = current_loads(records).get(raw.source_file)
    same_loader = previous is not None and previous.loader_version == loader.LOADER_VERSION
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as hasher:
        digest = hasher.submit(file_digest, raw.path)
        # Same size: possibly unchanged, so hash first. Otherwise the file changed for
        # sure, and hashing runs beside the load (hashlib releases the GIL).
        if (
            previous is not None
            and same_loader
            and previous.file_bytes == size
            and digest.result()[1] == previous.sha256
        ):
            return FileOutcome(
                raw.source,
                raw.source_file,
                UNCHANGED,
                previous.load_id,
                previous.rows_read,
                previous.rows_accepted,
                previous.rows_quarantined,
            )
        return _load_new(raw, loader, landing_dir, records, previous, digest)


def _load_new(
    raw: RawFile,
    loader: ModuleType,
    landing_dir: Path,
    records: list[LoadRecord],
    previous: LoadRecord | None,
    digest: Future[tuple[int, str]],
) -> FileOutcome:
    started = datetime.now(UTC)
    load_id = new_load_id(started, raw.source_file)
    identity = LoadIdentity(load_id, raw.source, raw.source_file, started)
    staging = layout.staging_dir(landing_dir, load_id)
    try:
        with LoadSink(staging, identity) as sink:
            loader.load(raw, sink)
        size, sha256 = digest.result()
        if size != raw.path.stat().st_size:
            raise WholeFileError(raw.source_file, "file changed while it was being landed")
        # Publish: new partitions first, then the manifest, then archive the old load.
        for table, staged in sink.staged_files().items():
            target = layout.partition_dir(landing_dir, raw.source, table, load_id)
            move_atomic(staged, target / layout.DATA_FILE)
    finally:
        remove_tree(staging)
        prune_empty_dirs(staging.parent, landing_dir)
    record = LoadRecord(
        load_id=load_id,
        source=raw.source,
        source_file=raw.source_file,
        file_bytes=size,
        sha256=sha256,
        tables=tuple(sink.tables()),
        rows_read=sink.rows_read,
        rows_accepted=sink.rows_accepted,
        rows_quarantined=sink.rows_quarantined,
        loader_version=loader.LOADER_VERSION,
        started_at=started,
        finished_at=datetime.now(UTC),
        status=CURRENT,
    )
    records[:] = [r.superseded() if r is previous else r for r in records] + [record]
    write_manifest(landing_dir, records)
    if previous is not None:
        for table in (*previous.tables, layout.QUARANTINE_TABLE):
            _archive_partition(landing_dir, previous.source, table, previous.load_id)
    return FileOutcome(
        raw.source,
        raw.source_file,
        LANDED,
        load_id,
        sink.rows_read,
        sink.rows_accepted,
        sink.rows_quarantined,
    )


def _problem(exc: Exception, source_file: str) -> str:
    """One line saying what went wrong with `source_file` (naming another file it needs)."""
    if isinstance(exc, WholeFileError):
        if exc.source_file != source_file:  # e.g. a broken categories.json beside train.csv
            return f"needs {exc.source_file}, which is unusable: {exc.problem}"
        return exc.problem
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"unexpected {type(exc).__name__} while landing ({first or 'no message'})"


def _record_failure(
    raw: RawFile, landing_dir: Path, records: list[LoadRecord], problem: str
) -> FileOutcome:
    """Write a `failed` manifest row for `raw` (replacing an older failure of the file)."""
    started = datetime.now(UTC)
    try:
        size, sha256 = file_digest(raw.path)
    except OSError:
        size, sha256 = 0, None
    try:
        version = loader_for(raw.source).LOADER_VERSION
    except Exception:  # the loader itself may be what failed to import
        version = "unknown"
    failure = LoadRecord(
        load_id=new_load_id(started, raw.source_file),
        source=raw.source,
        source_file=raw.source_file,
        file_bytes=size,
        sha256=sha256,  # type: ignore[arg-type]
        tables=(),
        rows_read=0,
        rows_accepted=0,
        rows_quarantined=0,
        loader_version=version,
        started_at=started,
        finished_at=started,
        status=FAILED,
        reason=problem,
    )
    records[:] = [r for r in records if not _is_failure_of(r, raw.source_file)] + [failure]
    write_manifest(landing_dir, records)
    # A failure while publishing can leave partitions of a load that never became current.
    sweep_orphans(landing_dir, records)
    message = f"{raw.source_file}: {problem}"
    return FileOutcome(raw.source, raw.source_file, FAILED, failure.load_id, message=message)


def _is_failure_of(record: LoadRecord, source_file: str) -> bool:
    return record.status == FAILED and record.source_file == source_file


def _forget_failure(landing_dir: Path, records: list[LoadRecord], source_file: str) -> None:
    """The file is fine now: drop its failed row, if any."""
    if any(_is_failure_of(r, source_file) for r in records):
        records[:] = [r for r in records if not _is_failure_of(r, source_file)]
        write_manifest(landing_dir, records)


def land_file(raw: RawFile, landing_dir: Path, records: list[LoadRecord]) -> FileOutcome:
    """Land one raw file; never raises for a problem with the file (it is recorded)."""
    try:
        outcome = _land_one(raw, landing_dir, records)
    except Exception as exc:  # one bad file must not stop the files after it
        problem = _problem(exc, raw.source_file)
        if isinstance(exc, WholeFileError):
            log.error("file not landed", extra={"file": raw.source_file, "error": problem})
        else:  # a loader bug or a case no check anticipated: keep the traceback
            log.error("file not landed: %s", problem, extra={"file": raw.source_file}, exc_info=exc)
        return _record_failure(raw, landing_dir, records, problem)
    _forget_failure(landing_dir, records, raw.source_file)
    return outcome


def land(
    raw_dir: Path,
    landing_dir: Path,
    sources: Sequence[str] | None = None,
    progress: bool = False,
) -> list[FileOutcome]:
    """Land every raw file of `sources` (all by default); one outcome per file.

    `progress` shows a bar (bytes of raw files done) when stderr is a terminal.
    """
    chosen = list(sources) if sources else list(SOURCES)
    classifiers = {source: loader_for(source).classify for source in chosen}
    landing_dir.mkdir(parents=True, exist_ok=True)
    records = read_manifest(landing_dir)
    sweep_orphans(landing_dir, records)
    found = discover(raw_dir, classifiers)
    sizes = [_size(raw.path) for raw in found]
    outcomes: list[FileOutcome] = []
    with tqdm(
        total=sum(sizes),
        unit="B",
        unit_scale=True,
        desc="land",
        disable=None if progress else True,  # None: only on a terminal
    ) as bar:
        for raw, size in zip(found, sizes, strict=True):
            bar.set_postfix_str(raw.source_file, refresh=False)
            outcome = land_file(raw, landing_dir, records)
            bar.update(size)
            log.info(
                "file %s",
                outcome.status,
                extra={
                    "file": raw.source_file,
                    "read": outcome.rows_read,
                    "accepted": outcome.rows_accepted,
                    "quarantined": outcome.rows_quarantined,
                },
            )
            outcomes.append(outcome)
    return outcomes


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def check_file(path: Path, source_file: str) -> FileOutcome:
    """Run the loader on `path` as if it were raw file `source_file`, writing nothing.

    API uploads use this before a file is moved into raw_dir, so the API accepts exactly
    the files `land` can land. Raises WholeFileError (one line naming `source_file`) for
    a file that would fail, whatever the cause; rows that would be quarantined are only
    counted.
    """
    source, _, inner = source_file.partition("/")
    try:
        loader = loader_for(source)
        raw = RawFile(source, path, source_file, loader.classify(inner))
        if raw.kind is None:
            raise WholeFileError(source_file, f"unknown format (not a {source} raw file)")
        with tempfile.TemporaryDirectory(prefix="supportlens-check-") as scratch:
            identity = LoadIdentity("check", source, source_file, datetime.now(UTC))
            with LoadSink(Path(scratch), identity) as sink:
                loader.load(raw, sink)
    except WholeFileError:
        raise
    except Exception as exc:
        raise WholeFileError(source_file, _problem(exc, source_file)) from exc
    return FileOutcome(
        source, source_file, LANDED, None, sink.rows_read, sink.rows_accepted, sink.rows_quarantined
    )
