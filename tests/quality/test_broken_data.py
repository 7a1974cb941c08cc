"""Deliberately broken data: the right expectation fails with the right severity, and the
outcome lands in the warehouse tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
from quality_fixtures import write_marts

from supportlens.config import Settings
from supportlens.quality.results import ERROR, PASSED, WARNING, ExpectationOutcome, SuiteOutcome
from supportlens.quality.runner import run_quality
from supportlens.quality.spec import Severity, Stage

Landed = Callable[..., Path]


def _run(settings: Settings, suite: str, stage: Stage = Stage.LANDING) -> SuiteOutcome:
    report = run_quality(settings, [stage], [suite], build_docs=False)
    (outcome,) = report.outcomes
    return outcome


def _failed(outcome: SuiteOutcome) -> list[ExpectationOutcome]:
    return [e for e in outcome.expectations if not e.success]


def _the_failure(outcome: SuiteOutcome, expectation_type: str, column: str) -> ExpectationOutcome:
    matches = [
        e
        for e in _failed(outcome)
        if e.expectation_type == expectation_type and e.column_name == column
    ]
    assert matches, f"{expectation_type} on {column} did not fail; failures: {_failed(outcome)}"
    return matches[0]


def test_good_fixture_data_passes(settings: Settings, landed: Landed) -> None:
    outcome = _run(settings, "landing_synthetic_turns")
    assert outcome.status == PASSED, _failed(outcome)
    assert outcome.row_count == 200
    assert outcome.load_ids == ["L1"]


def test_dropped_column_is_a_schema_error(settings: Settings, landed: Landed) -> None:
    landed("synthetic", "turns", "select * exclude (channel) from base")
    outcome = _run(settings, "landing_synthetic_turns")
    failure = _the_failure(outcome, "expect_table_columns_to_match_set", "channel")
    assert failure.severity is Severity.ERROR
    assert failure.dimension == "schema"
    assert outcome.status == ERROR


def test_half_the_rows_vs_previous_run_is_a_volume_error(
    settings: Settings, landed: Landed
) -> None:
    first = _run(settings, "landing_banking77_utterances")
    assert first.status == PASSED and first.row_count == 308
    landed("banking77", "utterances", "select * from base where _record % 2 = 0")
    second = _run(settings, "landing_banking77_utterances")
    assert second.previous_row_count == 308 and second.row_count == 154
    (volume,) = [
        e for e in _failed(second) if e.expectation_type == "expect_table_row_count_to_be_between"
    ]
    assert volume.severity is Severity.ERROR and volume.dimension == "volume"
    assert second.status == ERROR
    # A failed run does not become the new baseline: the next run compares with 308 again.
    third = _run(settings, "landing_banking77_utterances")
    assert third.previous_row_count == 308 and third.status == ERROR


def test_unknown_intent_is_an_error_in_banking77(settings: Settings, landed: Landed) -> None:
    landed(
        "banking77",
        "utterances",
        "select * replace (case when _record % 10 = 0 then 'crypto_wallet_hack' else intent end"
        " as intent) from base",
    )
    outcome = _run(settings, "landing_banking77_utterances")
    failure = _the_failure(outcome, "expect_column_values_to_be_in_set", "intent")
    assert failure.severity is Severity.ERROR
    assert "crypto_wallet_hack" in (failure.partial_unexpected or "")
    assert outcome.status == ERROR


def test_unknown_intent_beyond_the_planted_share_is_a_warning_in_synthetic(
    settings: Settings, landed: Landed
) -> None:
    landed(
        "synthetic",
        "turns",
        "select * replace (case when conversation_id like '%1' or conversation_id like '%2' "
        "then 'crypto_wallet_hack' else intent end as intent) from base",
    )
    outcome = _run(settings, "landing_synthetic_turns")
    failure = _the_failure(outcome, "expect_column_values_to_be_in_set", "intent")
    assert failure.severity is Severity.WARNING
    assert outcome.status == WARNING  # recorded and shown, does not stop the pipeline


def test_null_text_is_a_completeness_error(settings: Settings, landed: Landed) -> None:
    landed(
        "synthetic",
        "turns",
        "select * replace (case when turn_index = 1 then null else text end as text) from base",
    )
    outcome = _run(settings, "landing_synthetic_turns")
    failure = _the_failure(outcome, "expect_column_values_to_not_be_null", "text")
    assert failure.severity is Severity.ERROR
    assert failure.unexpected_percent == 25.0
    assert outcome.completeness is not None and outcome.completeness < 1.0


def test_replies_before_their_parent_are_a_consistency_error(
    settings: Settings, landed: Landed
) -> None:
    landed(
        "twcs",
        "tweets",
        "select * replace (case when not inbound then created_at - interval 1 hour "
        "else created_at end as created_at) from base",
    )
    outcome = _run(settings, "landing_twcs_tweets")
    failure = _the_failure(outcome, "expect_column_values_to_be_in_set", "dq_reply_after_parent")
    assert failure.severity is Severity.ERROR and failure.dimension == "consistency"
    assert outcome.consistency == 0.5  # every reply (half the tweets) is inconsistent


def test_turn_order_gap_is_a_consistency_error(settings: Settings, landed: Landed) -> None:
    landed(
        "sgd", "turns", "select * from base where not (dialogue_id = '1_00003' and turn_index = 2)"
    )
    outcome = _run(settings, "landing_sgd_turns")
    failure = _the_failure(
        outcome, "expect_column_values_to_be_in_set", "dq_turn_index_follows_previous"
    )
    assert failure.severity is Severity.ERROR
    assert failure.unexpected_count == 1


def test_replies_before_parent_in_fct_turns(settings: Settings) -> None:
    write_marts(
        settings,
        {"fct_turns": "select * replace (-reply_delay_seconds as reply_delay_seconds) from base"},
    )
    outcome = _run(settings, "marts_fct_turns", Stage.MARTS)
    failure = _the_failure(outcome, "expect_column_values_to_be_in_set", "dq_reply_after_parent")
    assert failure.severity is Severity.ERROR
    assert outcome.status == ERROR


def test_results_and_scores_per_load_land_in_the_warehouse(
    settings: Settings, landed: Landed
) -> None:
    # Two loads in one table: the second one has no text at all.
    landed("synthetic", "turns", "select * from base", load_id="L1")
    second = settings.paths.landing_dir / "synthetic" / "turns" / "load_id=L2"
    second.mkdir()
    with duckdb.connect() as conn:
        good = settings.paths.landing_dir / "synthetic" / "turns" / "load_id=L1" / "data.parquet"
        conn.execute(
            f"copy (select * replace ('L2' as _load_id, null::varchar as text, "
            f"'conv2-' || conversation_id as conversation_id) "
            f"from read_parquet('{good}', hive_partitioning = false)) "
            f"to '{second / 'data.parquet'}' (format parquet)"
        )
    report = run_quality(settings, [Stage.LANDING], ["landing_synthetic_turns"], build_docs=False)
    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as conn:
        run = conn.execute(
            "select status, row_count, load_ids, failed_errors from dq_validation_runs "
            "where run_id = ?",
            [report.run_id],
        ).fetchall()
        results = conn.execute(
            "select severity, column_name from dq_expectation_results "
            "where run_id = ? and not success",
            [report.run_id],
        ).fetchall()
        scores = dict(
            conn.execute(
                "select load_id, completeness from dq_load_scores where run_id = ? "
                "and source = 'synthetic'",
                [report.run_id],
            ).fetchall()
        )
        total = conn.execute(
            "select count(*) from dq_expectation_results where run_id = ?", [report.run_id]
        ).fetchone()
    assert results == [("error", "text")], results
    assert run == [("error", 400, ["L1", "L2"], 1)]
    assert scores["L1"] == 1.0
    assert 0.8 < scores["L2"] < 1.0  # one of the nine completeness columns is empty
    assert total is not None and total[0] == len(report.outcomes[0].expectations)


def test_wrong_column_type_is_a_schema_error(settings: Settings, landed: Landed) -> None:
    landed("sgd", "turns", "select * replace (turn_index::bigint as turn_index) from base")
    outcome = _run(settings, "landing_sgd_turns")
    failure = _the_failure(outcome, "expect_column_values_to_be_in_set", "turn_index")
    assert failure.severity is Severity.ERROR and failure.dimension == "schema"
    assert "turn_index is BIGINT, expected INTEGER" in (failure.partial_unexpected or "")
