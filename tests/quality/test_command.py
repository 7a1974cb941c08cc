"""`supportlens quality` through the real CLI: exit codes and the failure summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from quality_cli import point_cli_at

from supportlens.cli import main as cli_main
from supportlens.commands.run import Stage as JobStage
from supportlens.commands.run import _execute
from supportlens.config import Settings


def test_error_exits_non_zero_naming_suite_expectation_and_column(
    settings: Settings,
    landed: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(settings, monkeypatch)
    landed("synthetic", "turns", "select * replace (null::varchar as text) from base")
    code = cli_main(["quality", "--stage", "landing", "--suite", "landing_synthetic_turns"])
    out = capsys.readouterr().out
    assert code == 1
    line = next(ln for ln in out.splitlines() if "expect_column_values_to_not_be_null" in ln)
    assert "ERROR" in line
    assert "suite=landing_synthetic_turns" in line
    assert "column=text" in line
    assert "FAILED" in out and "landing_synthetic_turns" in out.splitlines()[-1]


def test_clean_data_exits_zero_and_shows_warnings(
    settings: Settings,
    landed: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(settings, monkeypatch)
    # Make the distribution warning fire: one intent dominates (a warning, not an error).
    landed("synthetic", "turns", "select * replace ('card_arrival' as intent) from base")
    code = cli_main(["quality", "--stage", "landing", "--suite", "landing_synthetic_turns"])
    out = capsys.readouterr().out
    assert code == 0
    assert "WARNING suite=landing_synthetic_turns" in out
    assert "column=dq_intent_share" in out
    assert (settings.paths.gx_docs_dir / "index.html").is_file()


def test_error_stops_the_main_job(
    settings: Settings,
    landed: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The job runner stops at the failing quality stage; later stages never run."""
    point_cli_at(settings, monkeypatch)
    landed("twcs", "tweets", "select * exclude (author_id) from base")
    calls: list[list[str]] = []

    def call(argv: list[str]) -> int:
        calls.append(argv)
        return cli_main(argv)

    stages = [
        JobStage(
            "quality (landing)",
            ["quality", "--stage", "landing", "--no-docs", "--suite", "landing_twcs_tweets"],
        ),
        JobStage("publish", ["publish"]),
    ]
    code, _timings = _execute(stages, call)
    out = capsys.readouterr().out
    assert code == 1
    assert [argv[0] for argv in calls] == ["quality"]
    assert "expectation=expect_table_columns_to_match_set column=author_id" in out
    assert "stage 'quality (landing)' failed (exit 1); stopped." in out


def test_unknown_suite_is_a_usage_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    point_cli_at(settings, monkeypatch)
    assert cli_main(["quality", "--suite", "no_such_suite"]) == 2
    assert "unknown suite(s) ['no_such_suite']" in capsys.readouterr().out


def test_nothing_landed_fails(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    point_cli_at(settings, monkeypatch)
    assert (
        cli_main(["quality", "--stage", "landing", "--no-docs", "--suite", "landing_twcs_tweets"])
        == 1
    )
    assert "nothing to validate" in capsys.readouterr().out
