"""The whole malformed corpus in one raw folder, landed by one `supportlens land`.

Every case of `test_malformed.CASES` (one broken file each, all five formats, the four
inputs of issue 20 item 4 among them) is placed in the same raw tree under its own name,
beside the clean fixtures. One run must then account for everything:

- every good row of every file is live, under its own record number;
- every bad row is in the quarantine (exactly the planted record), every unusable file
  is a `failed` manifest row with its reason and has no live rows;
- per file, rows read = accepted + quarantined, where "read" is counted here
  independently of the loaders;
- the command exits non-zero and names every failed file, and a later run still lands
  new files (one bad file never stops the others).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections import Counter
from pathlib import Path, PurePosixPath

import pyarrow.parquet as pq
import pytest
from landing_helpers import FIXTURE_RAW, manifest_rows
from test_malformed import CASES, Case, on_disk

from supportlens.cli import main

FOUR_OF_ITEM_4 = {
    "sgd-span-beyond-int32",
    "sgd-value-nested-100000-deep",
    "twcs-full-width-id",
    "syn-superscript-turn-index",
}


def corpus_path(case: Case, number: int) -> str:
    """Where the case's broken file sits in the shared tree (a name no other case uses)."""
    tag = f"c{number:02d}"
    path = PurePosixPath(case.file)
    source, suffix = path.parts[0], path.suffix
    if "\\x" in case.file:  # a name that is not UTF-8 must stay so
        return f"{source}/{tag}-{path.name}"
    if source in {"bitext", "synthetic"} or (source == "banking77" and suffix == ".csv"):
        return f"{source}/{tag}{suffix}"  # these loaders take any top-level file name
    if source == "sgd":
        return f"sgd/{tag}/{path.name}"  # the folder is the split
    return f"{source}/{tag}/{path.name}"  # twcs.csv, categories.json, notes.txt


def shown(relative: Path) -> str:
    """A relative path as lineage records it (bytes that are not UTF-8 as `\\xNN`)."""
    return os.fsencode(relative.as_posix()).decode("utf-8", "backslashreplace")


def records_in(path: Path) -> list[int]:
    """Record numbers of a raw file, counted without the project's loaders."""
    if path.suffix == ".json":
        try:
            return list(range(len(json.loads(path.read_bytes()))))
        except (ValueError, RecursionError):
            return []
    if path.suffix == ".parquet":
        try:
            return list(range(1, pq.read_metadata(path).num_rows + 1))
        except Exception:
            return []
    # latin-1 maps every byte to one character, so quoting and line ends parse as bytes do.
    text = path.read_bytes().decode("latin-1").removeprefix("ï»¿")
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    return list(range(1, len(rows)))


def live_records(landing: Path, source: str) -> Counter[tuple[str, int]]:
    """(source_file, record) of every live row of every table of a source's main table."""
    found: Counter[tuple[str, int]] = Counter()
    main_tables = {"banking77": ("utterances", "categories"), "bitext": ("utterances",),
                   "sgd": ("dialogues", "schema_services"), "twcs": ("tweets",),
                   "synthetic": ("turns",)}  # fmt: skip
    for table in main_tables[source]:
        for path in (landing / source / table).glob("*/data.parquet"):
            rows = pq.read_table(path, columns=["_source_file", "_record"]).to_pylist()
            found.update((row["_source_file"], row["_record"]) for row in rows)
    return found


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, dict[str, Case]]:
    raw, landing = tmp_path / "raw", tmp_path / "landing"
    shutil.copytree(FIXTURE_RAW, raw)  # the clean files land beside the broken ones
    placed: dict[str, Case] = {}
    for number, case in enumerate(CASES):
        scratch = tmp_path / "scratch" / case.name
        shutil.copytree(FIXTURE_RAW, scratch)
        case.mutate(scratch)
        target = Path(os.fsdecode(os.fsencode(raw) + b"/" + on_disk(corpus_path(case, number))))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(os.fsdecode(os.fsencode(scratch) + b"/" + on_disk(case.file)), target)
        placed[corpus_path(case, number)] = case
    monkeypatch.setenv("SUPPORTLENS_PATHS_RAW_DIR", str(raw))
    monkeypatch.setenv("SUPPORTLENS_PATHS_LANDING_DIR", str(landing))
    return raw, landing, placed


def test_one_land_accounts_for_every_row_and_file_of_the_corpus(
    corpus: tuple[Path, Path, dict[str, Case]], capsys: pytest.CaptureFixture[str]
) -> None:
    raw, landing, placed = corpus
    assert len(placed) >= 40 and {c.name for c in placed.values()} >= FOUR_OF_ITEM_4

    code = main(["-q", "land"])
    err = capsys.readouterr().err
    assert code == 1

    manifest = manifest_rows(landing)
    failed = {r["source_file"]: r for r in manifest if r["status"] == "failed"}
    current = {r["source_file"]: r for r in manifest if r["status"] == "current"}
    whole_file = {path for path, case in placed.items() if case.record is None}
    assert set(failed) == whole_file
    for path in whole_file:
        assert placed[path].reason in failed[path]["reason"], path
        assert f"error: {path}: " in err, path  # the command names the file

    quarantined: Counter[tuple[str, int]] = Counter()
    for path in (landing / "_quarantine").glob("*/*/data.parquet"):
        rows = pq.read_table(path, columns=["source_file", "record"]).to_pylist()
        quarantined.update((row["source_file"], row["record"]) for row in rows)
    live: Counter[tuple[str, int]] = Counter()
    for source in ("banking77", "bitext", "sgd", "twcs", "synthetic"):
        live += live_records(landing, source)

    every_file = sorted(shown(p.relative_to(raw)) for p in raw.rglob("*") if p.is_file())
    totals = Counter[str]()
    for path in every_file:
        if path in whole_file:
            assert not [key for key in live if key[0] == path], path
            totals["failed files"] += 1
            continue
        entry = current[path]
        records = records_in(raw / path)
        bad = {placed[path].record} if path in placed else set()
        assert {r for f, r in quarantined if f == path} == bad, path
        good = [r for r in records if r not in bad]
        assert sorted(r for f, r in live if f == path) == good, path  # each once, none lost
        assert entry["rows_read"] == len(records), path
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"], path
        assert entry["rows_quarantined"] == len(bad), path
        totals["landed files"] += 1
        totals["good rows"] += len(good)
        totals["quarantined rows"] += len(bad)
    assert totals["failed files"] == len(whole_file) and totals["quarantined rows"] > 20
    print(dict(totals))  # the report quotes these


def test_later_lands_still_land_new_files_and_keep_naming_the_bad_ones(
    corpus: tuple[Path, Path, dict[str, Case]], capsys: pytest.CaptureFixture[str]
) -> None:
    raw, landing, placed = corpus
    assert main(["-q", "land"]) == 1
    capsys.readouterr()
    fresh = raw / "synthetic" / "fresh.csv"
    shutil.copyfile(FIXTURE_RAW / "synthetic" / "conversations.csv", fresh)

    assert main(["-q", "land"]) == 1
    err = capsys.readouterr().err
    manifest = manifest_rows(landing)
    assert [r["status"] for r in manifest if r["source_file"] == "synthetic/fresh.csv"] == [
        "current"
    ]
    failures = Counter(r["source_file"] for r in manifest if r["status"] == "failed")
    whole_file = {path for path, case in placed.items() if case.record is None}
    assert set(failures) == whole_file and set(failures.values()) == {1}  # latest only
    assert all(f"error: {path}: " in err for path in whole_file)
