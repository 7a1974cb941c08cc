"""The same project runs under SQLMesh's dbt support (`sqlmesh plan --auto-apply`).

SQLMesh loads dbt_project.yml, the models, seeds and data tests (as audits) and builds
every SQL model into its own warehouse; dbt unit tests are ignored by SQLMesh (dbt runs
them). See docs/warehouse.md for the differences.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from landing_fixture import SGD_TRUTH, TWCS_TRUTH, write_landing
from supportlens_cli import REPO_ROOT

MARTS = (
    "fct_conversations", "fct_turns", "dim_intents", "mart_intent_distribution",
    "ml_training_examples", "ml_scoring_inputs",
)  # fmt: skip


@pytest.mark.slow
def test_sqlmesh_plan_builds_every_mart_with_audits_passing(tmp_path: Path) -> None:
    write_landing(tmp_path / "landing")
    warehouse = tmp_path / "warehouse.duckdb"
    env = dict(os.environ)
    env.update({
        "SUPPORTLENS_PATHS_LANDING_DIR": str(tmp_path / "landing"),
        "SUPPORTLENS_PATHS_WAREHOUSE": str(warehouse),
        # keep SQLMesh's cache out of the repository
        "SQLMESH__CACHE_DIR": str(tmp_path / "sqlmesh_cache"),
    })  # fmt: skip
    sqlmesh = str(Path(sys.executable).with_name("sqlmesh"))
    result = subprocess.run(
        [sqlmesh, "--log-file-dir", str(tmp_path / "logs"), "-p", str(REPO_ROOT),
         "plan", "--auto-apply", "--no-prompts"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "failed" not in result.stdout.lower(), result.stdout[-5000:]
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for mart in MARTS:
            assert conn.execute(f"select count(*) from main.{mart}").fetchone()[0] > 0, mart
        sgd = dict(conn.execute(
            "select source_conversation_id, outcome from main.fct_conversations"
            " where source = 'sgd'"
        ).fetchall())  # fmt: skip
        twcs = dict(conn.execute(
            "select cast(source_conversation_id as bigint), first_response_seconds"
            " from main.fct_conversations where source = 'twcs'"
        ).fetchall())  # fmt: skip
    assert sgd == SGD_TRUTH
    assert twcs == {root: truth[1] for root, truth in TWCS_TRUTH.items()}
