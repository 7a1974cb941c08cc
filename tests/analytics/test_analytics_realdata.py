"""On the real SGD shards in ../shared/data: success/failure rates and failure points from the
annotations (figures quoted in docs/analytics.md). Skipped when the folder is absent."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from analytics_pipeline import ANALYTICS, build, supportlens
from supportlens_cli import REAL_DATA

pytestmark = [
    pytest.mark.slow,
    pytest.mark.realdata,
    pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"real data folder {REAL_DATA} is absent"),
]


def test_real_sgd_success_rates_and_failure_points(tmp_path: Path) -> None:
    paths = {
        "raw_dir": REAL_DATA.resolve(),
        "landing_dir": tmp_path / "landing",
        "warehouse": tmp_path / "warehouse" / "supportlens.duckdb",
        "registry_dir": tmp_path / "models",
    }
    supportlens(["land"], paths)
    build(paths, tmp_path / "target", [f"+{ANALYTICS}"], skip_tests=True)
    build(paths, tmp_path / "target", [ANALYTICS], skip_tests=False)
    conn = duckdb.connect(str(paths["warehouse"]), read_only=True)
    try:
        outcomes = dict(
            conn.execute("""
            select outcome, count(*) from mart_conversation_outcomes
            where source = 'sgd' group by outcome
        """).fetchall()
        )
        segments = dict(
            conn.execute(
                "select segment_class, count(*) from mart_intent_segments group by 1"
            ).fetchall()
        )
        failure_points = dict(
            conn.execute("""
            select failure_kind, count(distinct conversation_id) from mart_failure_points
            where source = 'sgd' group by 1
        """).fetchall()
        )
        # independent count straight from the landed annotations
        landed = paths["landing_dir"] / "sgd" / "actions" / "*" / "*.parquet"
        notify_failure_dialogues = conn.execute(
            f"select count(distinct dialogue_id) from read_parquet('{landed}') "
            "where act = 'NOTIFY_FAILURE'"
        ).fetchone()[0]
        rates = conn.execute("""
            select sum(resolved_count) * 1.0 / sum(conversation_count),
                   sum(failed_count) * 1.0 / sum(conversation_count)
            from mart_success_rates where source = 'sgd'
        """).fetchone()
    finally:
        conn.close()
    dialogues = sum(outcomes.values())
    assert dialogues == 1_280
    assert set(outcomes) <= {"resolved", "failed", "abandoned"}
    assert abs(rates[0] - outcomes.get("resolved", 0) / dialogues) < 1e-12
    assert abs(rates[1] - outcomes.get("failed", 0) / dialogues) < 1e-12
    # every dialogue that ends failed has a NOTIFY_FAILURE failure point; some recover after it
    assert failure_points["notify_failure"] == notify_failure_dialogues > 0
    assert failure_points.get("ended_failed", 0) == outcomes.get("failed", 0)
    assert outcomes.get("failed", 0) <= notify_failure_dialogues
    assert sum(segments.values()) >= dialogues and segments.get("failed", 0) > 0
    print(
        f"\nreal SGD: {dialogues} dialogues, outcomes {outcomes}, segments {segments}, "
        f"failure points (dialogues) {failure_points}"
    )
