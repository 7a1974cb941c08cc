"""The `supportlens build` wrapper: command line, environment and failure report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from supportlens.commands import build
from supportlens.config import load_settings


def test_dbt_command_points_dbt_at_the_project_and_passes_flags_through(tmp_path: Path) -> None:
    settings = load_settings()
    command = build.dbt_command(settings, "build", ["--select", "tag:marts"], tmp_path)
    assert command[1:] == [
        "build",
        "--project-dir",
        str(settings.project_root),
        "--profiles-dir",
        str(settings.project_root),
        "--target-path",
        str(tmp_path),
        "--select",
        "tag:marts",
    ]
    assert Path(command[0]).name == "dbt"


def test_arguments_after_build_reach_dbt_unchanged() -> None:
    parser = argparse.ArgumentParser()
    build.add_arguments(parser)
    args = parser.parse_args(
        ["--select", "tag:uses_predictions+", "fct_turns", "--full-refresh", "--", "--debug"]
    )
    assert build.passthrough_arguments(args) == [
        "--select",
        "tag:uses_predictions+",
        "fct_turns",
        "--full-refresh",
        "--debug",
    ]


def test_failed_nodes_lists_errors_and_counts_skips(tmp_path: Path) -> None:
    results = tmp_path / "run_results.json"
    results.write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.supportlens.a", "status": "success"},
                    {"unique_id": "test.supportlens.b", "status": "fail"},
                    {"unique_id": "model.supportlens.c", "status": "error"},
                    {"unique_id": "model.supportlens.d", "status": "skipped"},
                ]
            }
        )
    )
    failed, skipped = build.failed_nodes(results)
    assert failed == ["model.supportlens.c (error)", "test.supportlens.b (fail)"]
    assert skipped == 1


def test_missing_run_results_gives_no_nodes(tmp_path: Path) -> None:
    assert build.failed_nodes(tmp_path / "absent.json") == ([], 0)


def test_only_node_selection_makes_a_build_selective() -> None:
    """A selective build cannot mend a failed full one (supportlens.build_state)."""
    assert build.is_selective(["--select", "tag:uses_predictions+"])
    assert build.is_selective(["-s", "fct_turns"])
    assert build.is_selective(["--exclude=path:models/marts/analytics"])
    assert not build.is_selective([])
    assert not build.is_selective(["--full-refresh", "--exclude-resource-type", "test"])


def test_only_duckdb_builds_are_recorded_in_the_working_warehouse() -> None:
    assert build.dbt_target(["--select", "x"]) is None
    assert build.dbt_target(["--target", "spark"]) == "spark"
    assert build.dbt_target(["-t", "dev"]) == build.DUCKDB_TARGET
    assert build.dbt_target(["--target=spark"]) == "spark"
