"""Uploaded raw files: check name and format, then place them where `supportlens land`
discovers them (the raw layout of docs/contracts.md).

An upload is written to a hidden temporary name beside its target (`land` skips hidden
names) and checked there: first the cheap structural checks with precise messages, then
the file's own loader runs on it into a scratch folder, so the API accepts exactly the
files `land` can land. Only an accepted upload is moved into place (`PendingUpload.commit`),
and the route commits only once it knows no landing job is reading raw files: a refused
upload never replaces the file that was there.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from supportlens.api.errors import InvalidUpload
from supportlens.ingest.land import check_file
from supportlens.ingest.landing.csv_lines import open_quote_at_end
from supportlens.ingest.landing.errors import WholeFileError
from supportlens.ingest.loaders import loader_for

SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def required_columns(source: str) -> tuple[frozenset[str], ...]:
    """The column sets the source's own loader accepts (extra columns are allowed), so an
    upload the API accepts is one `supportlens land` accepts too."""
    return tuple(frozenset(option) for option in loader_for(source).HEADER_OPTIONS)


SGD_SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class StoredUpload:
    path: Path
    relative: str
    bytes: int
    rows: int


def target_for(source: str, filename: str, split: str | None) -> Path:
    """Where the raw layout wants this file, relative to raw_dir; rejects other names."""
    if not SAFE_NAME.match(filename) or filename.startswith("."):
        raise InvalidUpload(
            f"file name {filename!r}: use letters, digits, '.', '_' or '-' (at most 100)"
        )
    lower = filename.lower()
    if source == "banking77":
        if lower not in {"train.csv", "test.csv", "categories.json"}:
            raise InvalidUpload("banking77 files are train.csv, test.csv or categories.json")
        return Path("banking77") / lower
    if source == "bitext":
        if not lower.endswith((".csv", ".parquet")):
            raise InvalidUpload(f"bitext file {filename!r}: expected .csv or .parquet")
        return Path("bitext") / filename
    if source == "twcs":
        if lower != "twcs.csv":
            raise InvalidUpload("the twcs file is twcs.csv (the Kaggle export)")
        return Path("twcs") / "twcs.csv"
    if source == "synthetic":
        if lower != "conversations.csv":
            raise InvalidUpload("the synthetic file is conversations.csv")
        return Path("synthetic") / "conversations.csv"
    if source == "sgd":
        if split not in SGD_SPLITS:
            raise InvalidUpload(f"sgd uploads need split in {SGD_SPLITS}, got {split!r}")
        if not (re.match(r"^dialogues_\d+\.json$", lower) or lower == "schema.json"):
            raise InvalidUpload("sgd files are dialogues_NNN.json or schema.json")
        return Path("sgd") / split / lower
    raise InvalidUpload(f"unknown source {source!r}")


def _csv_rows(path: Path, source: str, filename: str) -> int:
    required = required_columns(source)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise InvalidUpload(f"{filename}: empty file (expected a CSV header)")
            columns = {h.strip().lstrip("\ufeff") for h in header}
            if not any(option <= columns for option in required):
                wanted = " or ".join(",".join(sorted(o)) for o in required)
                raise InvalidUpload(
                    f"{filename}: header lacks columns; needs {wanted}",
                    extra={"header": header[:50]},
                )
            rows = 0
            last: list[str] = []
            # reader.line_num is the line a record ends on; an editor needs where it starts.
            starts_on = reader.line_num + 1
            for record in reader:
                # Blank lines are no record, for `land` (Arrow) as here: not counted.
                if record:
                    rows += 1
                    last = record
                    if len(record) != len(header):
                        raise InvalidUpload(
                            f"{filename}: line {starts_on} has {len(record)} fields, "
                            f"header has {len(header)}"
                        )
                starts_on = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise InvalidUpload(f"{filename}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise InvalidUpload(f"{filename}: not valid CSV ({exc})") from exc
    # Like Arrow, the csv module reads a quote left open in the last column as one value
    # running to the end of the file. Only a last value holding a line end can be one.
    if last and ("\n" in last[-1] or "\r" in last[-1]):
        open_quote = open_quote_at_end(path)
        if open_quote is not None and open_quote.lines_after:
            raise InvalidUpload(f"{filename}: {open_quote.problem}")
    return rows


def _json_rows(path: Path, source: str, filename: str) -> int:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidUpload(f"{filename}: not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise InvalidUpload(f"{filename}: JSON nested too deeply (over ~1,000 levels)") from exc
    if source == "banking77":
        if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
            raise InvalidUpload(f"{filename}: expected a JSON list of category names")
        return len(data)
    key = "service_name" if filename.lower() == "schema.json" else "dialogue_id"
    if not isinstance(data, list) or not all(isinstance(x, dict) and key in x for x in data):
        raise InvalidUpload(f"{filename}: expected a JSON list of objects with {key!r}")
    return len(data)


def _parquet_rows(path: Path, source: str, filename: str) -> int:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
        columns = set(meta.schema.names)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise InvalidUpload(f"{filename}: not a readable Parquet file ({exc})") from exc
    required = required_columns(source)
    if not any(option <= columns for option in required):
        raise InvalidUpload(f"{filename}: Parquet columns lack {sorted(required[0] - columns)}")
    return int(meta.num_rows)


def validate(path: Path, source: str, filename: str) -> int:
    """Rows (records) in a valid file; raises InvalidUpload naming what is wrong."""
    lower = filename.lower()
    if path.stat().st_size == 0:
        raise InvalidUpload(f"{filename}: empty file")
    if lower.endswith(".json"):
        return _json_rows(path, source, filename)
    if lower.endswith(".parquet"):
        return _parquet_rows(path, source, filename)
    return _csv_rows(path, source, filename)


@dataclass(frozen=True)
class PendingUpload:
    """A checked upload under a hidden temporary name, not yet in raw_dir's layout."""

    tmp: Path
    target: Path
    relative: str
    bytes: int
    rows: int

    def commit(self) -> StoredUpload:
        """Move the upload into place with one rename (the old file, if any, is replaced)."""
        os.replace(self.tmp, self.target)
        return StoredUpload(self.target, self.relative, self.bytes, self.rows)

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


def prepare(
    raw_dir: Path, source: str, filename: str, split: str | None, content: bytes
) -> PendingUpload:
    """Write an upload beside its target and check it (blocking: run in a thread).

    Raises InvalidUpload (nothing left behind) for a name or content `land` would refuse.
    """
    relative = target_for(source, filename, split)
    target = raw_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        rows = validate(tmp, source, filename)
        try:
            check_file(tmp, relative.as_posix())
        except WholeFileError as exc:
            raise InvalidUpload(f"{filename}: {exc.problem}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return PendingUpload(tmp, target, relative.as_posix(), len(content), rows)
