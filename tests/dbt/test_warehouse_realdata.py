"""`dbt build` on the real BANKING77 and SGD files in ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from supportlens_cli import REAL_DATA
from warehouse_build import assert_built, build, open_warehouse, supportlens

pytestmark = [
    pytest.mark.slow,
    pytest.mark.realdata,
    pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"real data folder {REAL_DATA} is absent"),
]


def test_real_data_builds_with_zero_test_failures(tmp_path: Path) -> None:
    paths = {"raw_dir": REAL_DATA.resolve(), "landing_dir": tmp_path / "landing",
             "warehouse": tmp_path / "warehouse" / "supportlens.duckdb"}  # fmt: skip
    landed = supportlens(["land"], paths)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    # the whole project, analytics marts included: zero failures on real data
    assert_built(build(tmp_path, tmp_path / "landing", core_only=False))
    with open_warehouse(tmp_path) as conn:
        conversations = dict(
            conn.execute("select source, count(*) from fct_conversations group by 1").fetchall()
        )
        turns = conn.execute("select count(*) from fct_turns where source = 'sgd'").fetchone()
        intents = conn.execute(
            "select count(distinct label) from ml_training_examples where label_set = 'banking77'"
        ).fetchone()
        outcomes = conn.execute(
            "select count(*) from fct_conversations where source = 'sgd' and outcome is null"
        ).fetchone()
    assert conversations == {"banking77": 10_003, "sgd": 1_280}
    assert turns == (21_026,)
    assert intents == (77,)
    assert outcomes == (0,)
