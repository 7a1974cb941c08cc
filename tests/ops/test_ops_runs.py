"""Run history: the CLI records runs, `run` records stages, killed runs show as killed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from supportlens import cli
from supportlens.commands.run import Stage, _execute
from supportlens.config import Settings
from supportlens.ops import runs


def _rows(settings: Settings, sql: str) -> list[tuple]:
    assert settings.paths.ops_db is not None
    with duckdb.connect(str(settings.paths.ops_db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_a_data_changing_command_is_recorded_with_its_failure(ops_settings: Settings) -> None:
    # publish without a warehouse fails: the run must say so, not vanish.
    assert cli.main(["publish"]) == 1
    (run_id, command, args, status, error, cpu, rss, version, ended) = _rows(
        ops_settings,
        "select run_id, command, args, status, error, cpu_seconds, peak_rss_mib, version, "
        "ended_at from ops_runs",
    )[0]
    assert (command, args, status, error) == ("publish", "publish", "failed", "exit 1")
    assert cpu >= 0 and rss > 10 and version and ended is not None
    assert run_id in {r["run_id"] for r in runs.list_runs(runs.store_for(ops_settings))}


def test_an_exception_is_recorded_with_its_message(ops_settings: Settings) -> None:
    with pytest.raises(RuntimeError), runs.recorded(ops_settings, "train", ["train"]):
        raise RuntimeError("label set 'nope' has no training examples")
    assert _rows(ops_settings, "select status, exit_code, error from ops_runs") == [
        ("failed", 1, "RuntimeError: label set 'nope' has no training examples")
    ]


def test_read_only_commands_are_not_recorded(ops_settings: Settings, capsys) -> None:
    assert cli.main(["runs"]) == 0
    assert "no runs recorded yet" in capsys.readouterr().out
    assert not ops_settings.paths.ops_db.exists()


def test_run_stages_nest_inside_one_run(ops_settings: Settings) -> None:
    """`supportlens run` calls the dispatcher per stage: one run row, one row per stage."""
    calls: list[list[str]] = []

    def fake_stage(argv: list[str]) -> int:
        calls.append(argv)
        # A nested dispatch (as `run` does) must become part of this stage, not a run.
        with runs.recorded(ops_settings, argv[0], argv) as outcome:
            outcome.exit_code = 0 if argv[0] != "discover" else 2
        return outcome.exit_code

    stages = [
        Stage("generate", ["generate"]),
        Stage("discover", ["discover"], frozenset({0, 2})),
        Stage("publish", ["publish"]),
    ]
    with runs.recorded(ops_settings, "run", ["run"]) as outcome:
        outcome.exit_code, _ = _execute(stages, fake_stage)
    assert _rows(ops_settings, "select command, status from ops_runs") == [("run", "succeeded")]
    assert _rows(
        ops_settings, "select stage_index, stage, status, exit_code from ops_run_stages order by 1"
    ) == [
        (1, "generate", "succeeded", 0),
        (2, "discover", "succeeded", 2),  # exit 2 is an ok code of this stage
        (3, "publish", "succeeded", 0),
    ]


def test_failing_stage_names_itself_in_the_run(ops_settings: Settings) -> None:
    stages = [Stage("land", ["land"]), Stage("dbt build", ["build"]), Stage("publish", ["x"])]
    with runs.recorded(ops_settings, "run", ["run"]) as outcome:
        outcome.exit_code, _ = _execute(stages, lambda argv: 1 if argv == ["build"] else 0)
    assert _rows(ops_settings, "select status, error from ops_runs") == [
        ("failed", "stage 'dbt build': exit 1")
    ]
    assert _rows(ops_settings, "select stage, status from ops_run_stages order by 1") == [
        ("dbt build", "failed"),
        ("land", "succeeded"),
    ]


def test_dbt_node_results_are_stored_with_their_stage(ops_settings: Settings) -> None:
    target = ops_settings.project_root / "unused"
    results = {
        "metadata": {"invocation_id": "inv-1"},
        "results": [
            {
                "unique_id": "model.supportlens.fct_turns",
                "status": "success",
                "execution_time": 2.5,
                "adapter_response": {"rows_affected": 120},
                "timing": [{"name": "execute", "completed_at": "2026-11-25T10:00:00Z"}],
                "message": "OK",
            },
            {"unique_id": "test.supportlens.not_null_x", "status": "fail", "execution_time": 0.1},
        ],
    }

    def dbt_stage(argv: list[str]) -> int:
        with runs.recorded(ops_settings, "build", argv, dbt_target=dbt_dir) as outcome:
            (dbt_dir / "run_results.json").write_text(json.dumps(results))
            outcome.exit_code = 0
        return 0

    dbt_dir = Path(os.environ["SUPPORTLENS_PATHS_OPS_DB"]).parent.parent / "target"
    dbt_dir.mkdir(parents=True)
    with runs.recorded(ops_settings, "run", ["run"], dbt_target=target) as outcome:
        outcome.exit_code, _ = _execute([Stage("dbt build", ["build"])], dbt_stage)
    nodes = _rows(
        ops_settings,
        "select stage_index, unique_id, resource_type, status, execution_seconds, "
        "rows_affected from ops_dbt_nodes order by unique_id",
    )
    assert nodes == [
        (1, "model.supportlens.fct_turns", "model", "success", 2.5, 120),
        (1, "test.supportlens.not_null_x", "test", "fail", 0.1, None),
    ]
    assert _rows(ops_settings, "select rows_out from ops_run_stages") == [(120,)]


def test_a_killed_run_is_listed_as_killed(ops_settings: Settings, data_dir: Path) -> None:
    script = textwrap.dedent(
        """
        import os, signal
        from supportlens.config import load_settings
        from supportlens.ops import runs
        with runs.recorded(load_settings(), "build", ["build"]):
            with runs.stage("dbt build"):
                os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=120)
    assert done.returncode == -9
    # The row says `running` until someone looks; then the dead pid makes it `killed`.
    assert _rows(ops_settings, "select status from ops_runs") == [("running",)]
    listed = runs.list_runs(runs.store_for(ops_settings))
    assert [r["status"] for r in listed] == ["killed"]
    assert "killed" in listed[0]["error"]
    assert _rows(ops_settings, "select status from ops_run_stages") == [("killed",)]


def test_a_live_running_run_is_not_marked_killed(ops_settings: Settings) -> None:
    with runs.recorded(ops_settings, "land", ["land"]) as outcome:
        listed = runs.list_runs(runs.store_for(ops_settings))
        assert [r["status"] for r in listed] == ["running"]
        outcome.exit_code = 0
    assert [r["status"] for r in runs.list_runs(runs.store_for(ops_settings))] == ["succeeded"]


def test_runs_command_lists_runs_and_stages(ops_settings: Settings, capsys) -> None:
    with runs.recorded(ops_settings, "run", ["run", "--skip-report"]) as outcome:
        outcome.exit_code, _ = _execute([Stage("generate", ["generate"])], lambda argv: 0)
    run_id = _rows(ops_settings, "select run_id from ops_runs")[0][0]
    capsys.readouterr()
    assert cli.main(["runs"]) == 0
    listing = capsys.readouterr().out
    assert run_id in listing and "succeeded" in listing
    assert cli.main(["runs", run_id]) == 0
    assert "generate" in capsys.readouterr().out


def test_history_write_failure_never_fails_the_command(
    ops_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A directory where the ops file should be: every write fails; the command still runs.
    ops_settings.paths.ops_db.mkdir(parents=True)
    with runs.recorded(ops_settings, "land", ["land"]) as outcome:
        outcome.exit_code = 0
    assert outcome.status() == "succeeded"


def test_run_ends_with_alert_delivery_after_publish_and_retention() -> None:
    import argparse

    from supportlens.commands.run import add_arguments, plan

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--skip-quality", "--label-set", "banking77"])
    args.seed, args.scale = 1, "sample"
    stages = plan(args)
    names = [stage.name for stage in stages]
    assert names[-1] == "alerts" and stages[-1].argv == ["alerts", "--deliver"]
    assert names.index("publish") < names.index("retention") < names.index("alerts")
    consumers = next(s for s in stages if s.name == "dbt build (prediction consumers)")
    assert "tag:ops" in consumers.argv  # the snapshot carries the run-history copies


def test_another_invocations_dbt_results_are_not_stored(ops_settings: Settings) -> None:
    """A fresh run_results.json of a different selection (a shared target/) is skipped."""
    target = ops_settings.paths.ops_db.parent.parent / "target"
    target.mkdir(parents=True)
    foreign = {
        "args": {"select": ["tag:ops", "alert_rules"]},
        "results": [{"unique_id": "model.supportlens.mart_alerts", "status": "success"}],
    }
    with runs.recorded(ops_settings, "build", ["-v", "build"], dbt_target=target) as outcome:
        (target / "run_results.json").write_text(json.dumps(foreign))
        outcome.exit_code = 0
    assert _rows(ops_settings, "select count(*) from ops_dbt_nodes") == [(0,)]
    argv = ["build", "--select", "alert_rules", "tag:ops", "--full-refresh"]
    with runs.recorded(ops_settings, "build", argv, dbt_target=target) as outcome:
        (target / "run_results.json").write_text(json.dumps(foreign))
        outcome.exit_code = 0
    assert _rows(ops_settings, "select unique_id from ops_dbt_nodes") == [
        ("model.supportlens.mart_alerts",)
    ]


def test_sys_exit_keeps_its_exit_code(ops_settings: Settings) -> None:
    for code in (0, 3):
        with pytest.raises(SystemExit), runs.recorded(ops_settings, "land", ["land"]):
            sys.exit(code)
    assert _rows(ops_settings, "select status, exit_code from ops_runs order by started_at") == [
        ("succeeded", 0),
        ("failed", 3),
    ]
