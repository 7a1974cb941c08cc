"""End to end with the project generator: every planted corruption is caught, nothing else."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

from supportlens.ingest.generate import corrupt, generate_all
from supportlens.ingest.land import FAILED, LANDED, land


def test_generated_corruptions_are_exactly_the_quarantine(tmp_path: Path) -> None:
    generate_all(tmp_path / "clean", seed=11, scale="sample")
    corrupt(tmp_path / "clean", tmp_path / "raw", seed=11)
    with (tmp_path / "raw" / "_truth" / "corruptions.csv").open() as handle:
        planted = list(csv.DictReader(handle))
    outcomes = {o.source_file: o for o in land(tmp_path / "raw", tmp_path / "landing")}
    whole_file = {p["path"] for p in planted if p["record"] == "-1"}
    assert {f for f, o in outcomes.items() if o.status == FAILED} == whole_file
    assert all(o.status == LANDED for f, o in outcomes.items() if f not in whole_file)
    assert all(o.rows_read == o.rows_accepted + o.rows_quarantined for o in outcomes.values())
    found = {
        (row["source_file"], row["record"]): row
        for path in (tmp_path / "landing" / "_quarantine").glob("*/*/data.parquet")
        for row in pq.read_table(path).to_pylist()
    }
    expected = {(p["path"], int(p["record"])): p for p in planted if p["record"] != "-1"}
    assert set(found) == set(expected)
    for key, plant in expected.items():
        # A row that lost a field is a column-count problem before it is a field problem.
        if plant["kind"] not in {"wrong_column_count", "missing_column"}:
            assert found[key]["field"] == plant["field"], key
