"""Generated data lands through the same `supportlens land` as real data (contract layout).

Clean output must land with nothing quarantined; the corrupted copies must quarantine
exactly the records `corrupt` lists, and the truncated SGD shard must be refused whole.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from supportlens.cli import main
from supportlens.ingest.generate import corrupt, generate_all


def _land(raw: Path, landing: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("SUPPORTLENS_PATHS_RAW_DIR", str(raw))
    monkeypatch.setenv("SUPPORTLENS_PATHS_LANDING_DIR", str(landing))
    return main(["-q", "land"])


def _manifest(landing: Path) -> pd.DataFrame:
    return duckdb.sql(
        f"select * from read_parquet('{landing / '_manifest' / 'loads.parquet'}')"
    ).df()


def test_generated_sample_lands_without_quarantine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, landing = tmp_path / "raw", tmp_path / "landing"
    written = generate_all(raw, 11, "sample")
    assert _land(raw, landing, monkeypatch) == 0
    manifest = _manifest(landing)
    landed = dict(zip(manifest.source_file, manifest.rows_accepted, strict=True))
    assert set(landed) == set(written)  # `_truth/` is not a source and is not landed
    for path, records in written.items():
        assert landed[path] == records, path
    assert (manifest.rows_quarantined == 0).all()


def test_corrupted_copies_quarantine_exactly_the_listed_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, bad, landing = tmp_path / "raw", tmp_path / "bad", tmp_path / "landing"
    generate_all(raw, 11, "sample")
    log = corrupt(raw, bad)
    (bad / "_truth" / "corruptions.csv").rename(tmp_path / "corruptions.csv")
    _land(bad, landing, monkeypatch)  # non-zero: the truncated shard fails as a whole
    quarantined = duckdb.sql(
        f"select source_file, record from read_parquet('{landing}/_quarantine/*/*/*.parquet')"
    ).fetchall()
    expected_rows = {(c.path, c.record) for c in log if c.record >= 0}
    assert set(quarantined) == expected_rows
    manifest = _manifest(landing)
    whole_file = {c.path for c in log if c.record < 0}
    failed = manifest[manifest.status == "failed"]
    assert whole_file and set(failed.source_file) == whole_file  # recorded, with a reason
    assert failed.reason.str.contains("truncated or invalid JSON").all()
    landed = manifest[manifest.status == "current"]
    assert not whole_file & set(landed.source_file)
    assert (manifest.rows_read == manifest.rows_accepted + manifest.rows_quarantined).all()
