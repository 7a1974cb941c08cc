"""mart_alerts evaluates seeds/alert_rules.csv on a small warehouse with known breaches.

The upstream marts are written by hand (only the columns mart_alerts reads), then dbt
builds the rules seed, the run-history copies and mart_alerts on top of them: first with
no ops file at all (a clean clone), then with a run history holding a failed build and
a two-day-old publish.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from supportlens.commands.build import run_dbt
from supportlens.config import Settings
from supportlens.ops.store import OpsStore

SELECTION = ["--select", "alert_rules", "tag:ops"]

INPUTS = """
create table fct_conversations as
select 'c' || i as conversation_id, 'twcs' as source,
    case when i % 2 = 0 then 'SlowCo' else 'FastCo' end as company,
    timestamptz '2026-09-30 12:00:00+00' - to_hours(i) as started_at,
    case when i % 2 = 0 then 7200.0 else 60.0 end as first_response_seconds,
    'resolved' as outcome
from range(40) t(i);

-- twcs: 80 % resolved in the 28 days before, 50 % in the last 7; sgd stays at 80 %.
create table mart_success_rates as
select source, activity_date, n as conversation_count, resolved as resolved_count
from (values
    ('twcs', date '2026-09-28', 40, 20), ('twcs', date '2026-09-10', 100, 80),
    ('sgd', date '2026-09-28', 40, 32), ('sgd', date '2026-09-10', 100, 80)
) as t(source, activity_date, n, resolved);

create table mart_conversation_sentiment as
select company, 'twcs' as source, activity_date, s as first_customer_sentiment,
    s as last_customer_sentiment
from (values
    ('SlowCo', date '2026-09-29', -0.4), ('SlowCo', date '2026-09-10', 0.3),
    ('FastCo', date '2026-09-29', 0.3), ('FastCo', date '2026-09-10', 0.3)
) as t(company, activity_date, s);

create table mart_intent_drift as
select * from (values
    ('banking77', 'synthetic', date '2026-09-29', 0.05, 0.2),
    ('banking77', 'synthetic', date '2026-09-30', 0.45, 0.2),
    ('bitext', 'twcs', date '2026-09-30', 0.01, 0.2)
) as t(label_set, source, activity_date, psi, psi_threshold);

create table mart_predicted_intents as
select * from (values
    ('banking77', date '2026-09-30', 100, 0.6),
    ('banking77', date '2026-09-01', 1000, 0.0),
    ('bitext', date '2026-09-30', 100, 0.1)
) as t(label_set, activity_date, message_count, missed_share);

create table ml_models (
  model_version varchar, label_set varchar, model_type varchar, base_model varchar,
  path varchar, created_at timestamp with time zone, is_active boolean, train_rows bigint,
  val_accuracy double, card_json varchar
);
insert into ml_models (model_version, label_set, created_at, val_accuracy) values
    ('b77-v1', 'banking77', timestamptz '2026-09-01 00:00:00+00', 0.90),
    ('b77-v2', 'banking77', timestamptz '2026-09-02 00:00:00+00', 0.85),
    ('bx-v1', 'bitext', timestamptz '2026-09-01 00:00:00+00', 0.90),
    ('bx-v2', 'bitext', timestamptz '2026-09-02 00:00:00+00', 0.91);

create table dq_validation_runs as
select * from (values
    ('r1', 'landing_twcs', timestamptz '2026-09-01 00:00:00+00'),
    ('r2', 'landing_twcs', timestamptz '2026-09-02 00:00:00+00'),
    ('r2', 'marts', timestamptz '2026-09-02 00:00:00+00')
) as t(run_id, suite, started_at);

-- The older run of landing_twcs failed; only the latest run of each suite counts.
create table dq_expectation_results as
select * from (values
    ('r1', 'landing_twcs', 'error', false),
    ('r2', 'landing_twcs', 'error', true),
    ('r2', 'landing_twcs', 'warning', false),
    ('r2', 'marts', 'error', false),
    ('r2', 'marts', 'error', false)
) as t(run_id, suite, severity, success);
"""


def breaches(warehouse: Path) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select rule, scope, value from mart_alerts where is_breached"
        ).fetchall()
    return {(rule, scope): round(value, 3) for rule, scope, value in rows}


def scopes(warehouse: Path, rule: str) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute("select scope from mart_alerts where rule = ?", [rule]).fetchall()
    return {r[0] for r in rows}


def record_history(store: OpsStore) -> None:
    now = dt.datetime.now(dt.UTC)
    runs = [
        ("r-land-1", "land", now - dt.timedelta(hours=50), "failed"),
        ("r-land-2", "land", now - dt.timedelta(hours=49), "succeeded"),
        ("r-pub", "publish", now - dt.timedelta(hours=48), "succeeded"),
        ("r-build", "build", now - dt.timedelta(hours=1), "failed"),
        ("r-now", "alerts", now, "running"),
    ]
    with store.write() as conn:
        for run_id, command, started, status in runs:
            conn.execute(
                "insert into ops_runs (run_id, command, started_at, ended_at, status) "
                "values (?, ?, ?, ?, ?)",
                [run_id, command, started, started + dt.timedelta(seconds=5), status],
            )


@pytest.mark.slow
def test_mart_alerts_finds_each_planted_breach(ops_settings: Settings, tmp_path: Path) -> None:
    warehouse = ops_settings.paths.warehouse
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(INPUTS)
    target = tmp_path / "target"

    # 1. No ops file yet (a clean clone): the rules build, the run rules have no rows.
    assert run_dbt(ops_settings, "build", SELECTION, target) == 0
    assert not ops_settings.paths.ops_db.exists()
    expected_data_breaches = {
        ("first_response_time", "SlowCo"): 7200.0,
        ("success_rate_drop", "twcs"): 0.5,
        ("sentiment_drop", "SlowCo"): -0.4,
        ("intent_drift", "banking77 / synthetic"): 0.45,
        ("missed_utterance_share", "banking77"): 0.6,
        ("model_accuracy_drop", "banking77"): 0.85,
        ("dq_error_failures", "marts"): 2.0,
    }
    assert breaches(warehouse) == expected_data_breaches
    assert scopes(warehouse, "dq_error_failures") == {"landing_twcs", "marts"}
    assert scopes(warehouse, "success_rate_drop") == {"twcs", "sgd"}
    assert scopes(warehouse, "failed_run") == set()

    # 2. With run history: a failed build and a publish two days old.
    record_history(OpsStore(ops_settings.paths.ops_db))
    assert run_dbt(ops_settings, "build", SELECTION, target) == 0
    found = breaches(warehouse)
    assert found.pop(("failed_run", "build")) == 1.0
    assert 47.9 < found.pop(("stale_snapshot", "published snapshot")) < 49
    assert found == expected_data_breaches
    # land failed, then succeeded: not breached; a running run is not judged yet.
    assert scopes(warehouse, "failed_run") == {"land", "publish", "build"}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        copied = conn.execute("select count(*) from ops_runs").fetchone()[0]
    assert copied == 5
