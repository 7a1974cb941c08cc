"""Integration: `supportlens generate` → `supportlens land` → `supportlens quality`."""

from __future__ import annotations

import duckdb
import pytest
from quality_cli import point_cli_at

from supportlens.cli import main as cli_main
from supportlens.config import Settings


@pytest.mark.slow
def test_generated_sample_passes_the_landing_checkpoints(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    point_cli_at(settings, monkeypatch)
    assert cli_main(["generate", "--scale", "sample", "--seed", "7"]) == 0
    assert cli_main(["land"]) == 0
    capsys.readouterr()
    code = cli_main(["quality", "--stage", "landing", "--no-docs"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "| error |" not in out and "| skipped |" not in out
    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as conn:
        statuses = dict(conn.execute("select suite, status from dq_validation_runs").fetchall())
        loads = conn.execute(
            "select count(distinct load_id), min(completeness) from dq_load_scores "
            "where stage = 'landing'"
        ).fetchone()
    assert len(statuses) == 14
    assert set(statuses.values()) <= {"passed", "warning"}
    assert loads is not None and loads[0] >= 5 and loads[1] > 0.95
