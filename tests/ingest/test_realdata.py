"""Land the real BANKING77 train split and ten real SGD shards (skipped without them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from landing_helpers import live_rows, manifest_rows

from supportlens.ingest.land import LANDED, land

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.slow,
    pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data (real datasets) is absent"),
]


def test_real_banking77_and_sgd_land_completely(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(REAL / "banking77", raw / "banking77")
    shutil.copytree(REAL / "sgd", raw / "sgd")
    landing = tmp_path / "landing"
    outcomes = land(raw, landing)
    assert {o.status for o in outcomes} == {LANDED}
    assert sum(o.rows_quarantined for o in outcomes) == 0
    utterances = live_rows(landing, "banking77", "utterances")
    assert len(utterances) == 10_003
    assert len({u["intent"] for u in utterances}) == 77
    assert len(live_rows(landing, "banking77", "categories")) == 77
    dialogues = live_rows(landing, "sgd", "dialogues")
    turns = live_rows(landing, "sgd", "turns")
    assert len(dialogues) == 1_280 and len(turns) == 21_026
    assert sum(d["turn_count"] for d in dialogues) == 21_026
    assert len({d["dialogue_id"] for d in dialogues}) == 1_280
    frames = live_rows(landing, "sgd", "frames")
    assert any(f["service_call_method"] for f in frames)
    assert {a["act"] for a in live_rows(landing, "sgd", "actions")} >= {
        "OFFER",
        "CONFIRM",
        "NOTIFY_SUCCESS",
        "NOTIFY_FAILURE",
        "REQ_MORE",
        "GOODBYE",
    }
    assert len(live_rows(landing, "sgd", "schema_services")) > 0
    shards = [r for r in manifest_rows(landing) if r["source_file"].startswith("sgd/train/dial")]
    assert len(shards) == 10
