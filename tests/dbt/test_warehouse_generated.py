"""On generated data with known ground truth, the marts equal the generator's `_truth/` files.

Runs the real pipeline stages (`supportlens generate`, `land`, `build`) at the sample scale.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from warehouse_build import assert_built, build, open_warehouse, supportlens


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("dbt_generated")
    paths = {"raw_dir": tmp / "raw", "landing_dir": tmp / "landing",
             "warehouse": tmp / "warehouse" / "supportlens.duckdb"}  # fmt: skip
    for step in (["generate", "--out", str(tmp / "raw"), "--scale", "sample"], ["land"]):
        result = supportlens(step, paths)
        assert result.returncode == 0, f"{step[0]} failed:\n{result.stdout}\n{result.stderr}"
    assert_built(build(tmp, tmp / "landing"))
    return tmp


def _mismatches(tmp: Path, sql: str) -> list[tuple]:
    truth = tmp / "raw" / "_truth"
    with open_warehouse(tmp) as conn:
        return conn.execute(sql.replace("{truth}", str(truth))).fetchall()


@pytest.mark.slow
def test_twcs_threads_turn_order_and_reply_delays_equal_truth(generated: Path) -> None:
    counts = _mismatches(
        generated,
        """
        with truth as (select * from read_csv('{truth}/twcs_tweets.csv', all_varchar = true))
        select
          count(*),
          count(*) filter (where turns.turn_id is null
            or turns.conversation_id <> 'twcs:' || truth.thread_root_tweet_id
            or turns.turn_index <> cast(truth.turn_index as integer)
            or (turns.speaker = 'customer') <> (truth.inbound = 'true')
            or turns.reply_delay_seconds is distinct from
               cast(nullif(truth.reply_delay_seconds, '') as bigint))
        from truth
        left join fct_turns as turns on turns.turn_id = 'twcs:' || truth.tweet_id
    """,
    )
    total, wrong = counts[0]
    assert total > 0 and wrong == 0, f"{wrong} of {total} tweets differ from the truth"


@pytest.mark.slow
def test_twcs_first_response_company_and_unanswered_equal_truth(generated: Path) -> None:
    total, wrong = _mismatches(
        generated,
        """
        with truth as (select * from read_csv('{truth}/twcs_threads.csv', all_varchar = true))
        select
          count(*),
          count(*) filter (where c.conversation_id is null
            or c.first_response_seconds is distinct from
               cast(nullif(truth.first_response_seconds, '') as bigint)
            or c.company is distinct from truth.company
            or (coalesce(c.outcome, '') = 'unanswered') <> (truth.unanswered = 'true')
            or c.turn_count <> cast(truth.tweet_count as integer)
            or c.customer_turn_count <> cast(truth.customer_tweets as integer))
        from truth
        left join fct_conversations as c
          on c.conversation_id = 'twcs:' || truth.thread_root_tweet_id
    """,
    )[0]
    assert total > 0 and wrong == 0, f"{wrong} of {total} threads differ from the truth"
    with open_warehouse(generated) as conn:
        extra = conn.execute(
            "select count(*) from fct_conversations where source = 'twcs'"
        ).fetchone()
    assert extra == (total,)


@pytest.mark.slow
def test_sgd_outcomes_and_first_intents_equal_truth(generated: Path) -> None:
    total, wrong = _mismatches(
        generated,
        """
        with truth as (select * from read_csv('{truth}/sgd_dialogues.csv', all_varchar = true))
        select
          count(*),
          count(*) filter (where c.outcome is distinct from truth.outcome
            or c.gold_intent is distinct from split_part(truth.intents, '|', 1)
            or c.turn_count <> cast(truth.turn_count as integer))
        from truth
        left join fct_conversations as c on c.conversation_id = 'sgd:' || truth.dialogue_id
    """,
    )[0]
    assert total > 0 and wrong == 0, f"{wrong} of {total} dialogues differ from the truth"


@pytest.mark.slow
def test_synthetic_outcomes_and_first_response_equal_truth(generated: Path) -> None:
    total, wrong = _mismatches(
        generated,
        """
        with truth as (
          select * from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true)
        )
        select
          count(*),
          count(*) filter (where c.conversation_id is null
            or c.outcome is distinct from truth.outcome
            or c.first_response_seconds is distinct from
               cast(nullif(truth.first_response_seconds, '') as bigint)
            or c.turn_count <> cast(truth.turn_count as integer)
            or c.customer_turn_count <> cast(truth.customer_turns as integer)
            or c.agent_turn_count <> cast(truth.agent_turns as integer)
            or c.gold_intent is distinct from truth.intent
            or c.company is distinct from truth.company
            or c.started_at <> cast(truth.started_at as timestamptz)
            or c.ended_at <> cast(truth.ended_at as timestamptz))
        from truth
        left join fct_conversations as c
          on c.conversation_id = 'synthetic:' || truth.conversation_id
    """,
    )[0]
    assert total > 0 and wrong == 0, f"{wrong} of {total} conversations differ from the truth"


@pytest.mark.slow
def test_every_source_reaches_the_ml_inputs(generated: Path) -> None:
    with open_warehouse(generated) as conn:
        examples = dict(
            conn.execute(
                "select label_set, count(distinct split) from ml_training_examples group by 1"
            ).fetchall()
        )
        scoring = dict(
            conn.execute("select source, label_set from ml_scoring_inputs group by all").fetchall()
        )
    assert examples == {"banking77": 3, "bitext": 3, "sgd": 3}
    assert scoring == {"twcs": "bitext", "synthetic": "banking77"}
