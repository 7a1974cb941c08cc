"""On generated data with known truth (`_truth/`), the analytics marts recover it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytestmark = pytest.mark.slow

Query = Callable[[str], list[tuple]]


def test_outcomes_equal_truth_for_every_sgd_and_synthetic_conversation(query: Query) -> None:
    total, wrong = query("""
        with truth as (
          select 'synthetic:' || conversation_id as conversation_id, outcome
          from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true)
          union all
          select 'sgd:' || dialogue_id, outcome
          from read_csv('{truth}/sgd_dialogues.csv', all_varchar = true)
        )
        select count(*), count(*) filter (where o.outcome is distinct from truth.outcome)
        from truth left join mart_conversation_outcomes as o using (conversation_id)
    """)[0]
    assert total > 400 and wrong == 0, f"{wrong} of {total} outcomes differ from the truth"
    # every outcome class of the generator occurs, so the rules were each exercised
    classes = {row[0] for row in query("select distinct outcome from mart_conversation_outcomes")}
    assert {"resolved", "failed", "abandoned", "escalated", "unanswered"} <= classes


def test_twcs_unanswered_threads_equal_truth(query: Query) -> None:
    total, wrong = query("""
        select count(*),
               count(*) filter (where (o.outcome = 'unanswered') <> (t.unanswered = 'true'))
        from read_csv('{truth}/twcs_threads.csv', all_varchar = true) as t
        left join mart_conversation_outcomes as o
          on o.conversation_id = 'twcs:' || t.thread_root_tweet_id
    """)[0]
    assert total > 0 and wrong == 0


def test_success_rates_add_up_to_the_conversation_outcomes(query: Query) -> None:
    rows = query("""
        select source, sum(conversation_count), sum(resolved_count),
               sum(resolved_count + failed_count + abandoned_count + escalated_count
                   + unanswered_count),
               sum(lex_success_count + lex_failed_count + lex_switched_count + lex_dropped_count)
        from mart_success_rates group by source order by source
    """)
    truth = dict(
        query("""
        select 'synthetic', count(*) filter (where outcome = 'resolved')
        from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true)
        union all
        select 'sgd', count(*) filter (where outcome = 'resolved')
        from read_csv('{truth}/sgd_dialogues.csv', all_varchar = true)
    """)
    )
    for source, conversations, resolved, by_outcome, by_lex in rows:
        assert conversations == by_outcome == by_lex, source
        if source in truth:
            assert resolved == truth[source], source


def test_first_response_seconds_equal_truth_per_conversation(query: Query) -> None:
    total, wrong = query("""
        with truth as (
          select 'synthetic:' || conversation_id as conversation_id,
                 cast(nullif(first_response_seconds, '') as bigint) as seconds
          from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true)
          union all
          select 'twcs:' || thread_root_tweet_id,
                 cast(nullif(first_response_seconds, '') as bigint)
          from read_csv('{truth}/twcs_threads.csv', all_varchar = true)
        )
        select count(*), count(*) filter (where o.first_response_seconds is distinct from seconds)
        from truth left join mart_conversation_outcomes as o using (conversation_id)
    """)[0]
    assert total > 300 and wrong == 0


def test_response_time_percentiles_by_company_and_hour_equal_truth(query: Query) -> None:
    compared, wrong = query("""
        with truth as (
          select 'synthetic' as source, company, started_at,
                 cast(nullif(first_response_seconds, '') as bigint) as seconds
          from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true)
          union all
          select 'twcs', company, started_at, cast(nullif(first_response_seconds, '') as bigint)
          from read_csv('{truth}/twcs_threads.csv', all_varchar = true)
        ),
        expected as (
          select source, company,
                 cast(extract(hour from timezone('UTC', cast(started_at as timestamptz)))
                   as integer) as hour_of_day,
                 count(*) as conversations,
                 quantile_cont(seconds, 0.5) as median, quantile_cont(seconds, 0.9) as p90
          from truth group by all
        )
        select count(*),
               count(*) filter (where m.conversation_count is distinct from e.conversations
                 or abs(coalesce(m.first_response_median_seconds, -1) - coalesce(e.median, -1))
                    > 1e-6
                 or abs(coalesce(m.first_response_p90_seconds, -1) - coalesce(e.p90, -1)) > 1e-6)
        from expected as e
        left join mart_response_times as m
          on m.source = e.source and m.company = e.company and m.hour_of_day = e.hour_of_day
    """)[0]
    assert compared > 20 and wrong == 0, f"{wrong} of {compared} company-hours differ"


def test_reply_delays_equal_truth(query: Query) -> None:
    # every TWCS company reply to a customer tweet, from the tweet-level truth
    expected, actual = query("""
        with truth as (
          select * from read_csv('{truth}/twcs_tweets.csv', all_varchar = true)
        ),
        replies as (
          select agent.reply_delay_seconds
          from fct_turns as agent
          inner join fct_turns as parent on parent.turn_id = agent.parent_turn_id
          where agent.source = 'twcs' and agent.speaker = 'agent' and parent.speaker = 'customer'
        )
        select
          (select quantile_cont(cast(t.reply_delay_seconds as bigint), 0.5)
           from truth as t
           inner join fct_turns as agent on agent.turn_id = 'twcs:' || t.tweet_id
           inner join fct_turns as parent on parent.turn_id = agent.parent_turn_id
           where t.inbound = 'false' and parent.speaker = 'customer'),
          (select quantile_cont(reply_delay_seconds, 0.5) from replies)
    """)[0]
    assert expected is not None and expected == actual
    counted = query("""
        select sum(agent_reply_count) from mart_response_times where source = 'twcs'
    """)[0][0]
    replies = query("""
        select count(*) from fct_turns as agent
        inner join fct_turns as parent on parent.turn_id = agent.parent_turn_id
        where agent.source = 'twcs' and agent.speaker = 'agent' and parent.speaker = 'customer'
    """)[0][0]
    assert counted == replies > 0


def test_failure_points_equal_truth(query: Query) -> None:
    # SGD: the first NOTIFY_FAILURE turn of every dialogue, and no failure where there is none
    total, wrong = query("""
        select count(*),
               count(*) filter (where f.turn_index is distinct from
                                cast(nullif(t.first_notify_failure_turn, '') as integer))
        from read_csv('{truth}/sgd_dialogues.csv', all_varchar = true) as t
        left join mart_failure_points as f
          on f.conversation_id = 'sgd:' || t.dialogue_id and f.failure_kind = 'notify_failure'
    """)[0]
    assert total > 0 and wrong == 0
    notify_failures = query(
        "select count(*) from mart_failure_points where failure_kind = 'notify_failure'"
    )
    assert notify_failures[0][0] > 0
    # synthetic: failed / abandoned / escalated conversations end at the truth's last turn,
    # unanswered ones at the customer's unanswered last message
    total, wrong = query("""
        with truth as (
          select 'synthetic:' || conversation_id as conversation_id, outcome,
                 cast(last_turn_index as integer) as last_turn_index
          from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true)
          where outcome <> 'resolved'
        )
        select count(*), count(*) filter (where f.turn_index is distinct from last_turn_index)
        from truth
        left join mart_failure_points as f
          on f.conversation_id = truth.conversation_id
          and f.failure_kind = case truth.outcome when 'unanswered'
            then 'unanswered_last_message' else 'ended_' || truth.outcome end
    """)[0]
    assert total > 50 and wrong == 0
    # TWCS: every never-answered thread is an unanswered-last-message failure point
    missing = query("""
        select count(*)
        from read_csv('{truth}/twcs_threads.csv', all_varchar = true) as t
        left join mart_failure_points as f
          on f.conversation_id = 'twcs:' || t.thread_root_tweet_id
          and f.failure_kind = 'unanswered_last_message'
        where t.unanswered = 'true' and f.conversation_id is null
    """)[0][0]
    assert missing == 0


def test_intent_segments_and_dialogue_state_match_the_switches(query: Query) -> None:
    total, wrong = query("""
        with segments as (
          select conversation_id, count(*) - 1 as switches from mart_intent_segments group by 1
        ),
        state as (
          select conversation_id, count(*) filter (where is_intent_switch) as switches
          from mart_dialogue_state group by 1
        )
        select count(*),
               count(*) filter (where s.switches is distinct from cast(t.intent_switches as int)
                                or d.switches is distinct from cast(t.intent_switches as int)
                                or o.intent_switch_count <> cast(t.intent_switches as int))
        from read_csv('{truth}/sgd_dialogues.csv', all_varchar = true) as t
        left join segments as s on s.conversation_id = 'sgd:' || t.dialogue_id
        left join state as d on d.conversation_id = 'sgd:' || t.dialogue_id
        left join mart_conversation_outcomes as o on o.conversation_id = 'sgd:' || t.dialogue_id
    """)[0]
    assert total > 0 and wrong == 0
    # resolved segments filled all their required slots before completing
    unfilled = query("""
        select count(*) from mart_intent_segments as s
        where s.segment_class = 'success' and not exists (
          select 1 from mart_dialogue_state as d
          where d.conversation_id = s.conversation_id and d.intent = s.intent
            and d.turn_index between s.start_turn_index and s.end_turn_index
            and d.required_missing_count = 0)
    """)[0][0]
    assert unfilled == 0


def test_flows_start_and_end_once_per_conversation(query: Query) -> None:
    rows = query("""
        with flows as (
          select source, sum(edge_count) filter (where from_step = 'start') as starts,
                 sum(edge_count) filter (where to_step = 'end') as ends,
                 sum(edge_count) as edges
          from mart_conversation_flows group by source
        ),
        conversations as (
          select source, count(*) as n, sum(turn_count) as turns
          from fct_conversations where source in ('sgd', 'twcs', 'synthetic') group by source
        )
        select flows.source, starts, ends, edges, n, turns
        from flows inner join conversations using (source) order by 1
    """)
    assert {row[0] for row in rows} == {"sgd", "synthetic", "twcs"}
    for source, starts, ends, edges, conversations, turns in rows:
        assert starts == ends == conversations, source
        assert edges == turns + conversations, source  # one edge into every turn, one to end
    unscored = query("""
        select count(*) from mart_conversation_flows where to_step = 'customer:unscored'
          and source = 'synthetic'
    """)[0][0]
    assert unscored == 0, "synthetic customer steps should carry predicted intents"


def test_sentiment_first_and_last_customer_turn_equal_truth(query: Query) -> None:
    total, wrong = query("""
        select count(*),
               count(*) filter (where s.first_customer_sentiment_label
                                  is distinct from t.first_customer_sentiment
                                or s.last_customer_sentiment_label
                                  is distinct from t.last_customer_sentiment)
        from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true) as t
        left join mart_conversation_sentiment as s
          on s.conversation_id = 'synthetic:' || t.conversation_id
    """)[0]
    assert total > 0 and wrong == 0, (
        f"{wrong} of {total} differ (is supportlens.python_udfs.plugin enabled in profiles.yml?)"
    )
    trends = query("select count(*), sum(customer_message_count) from mart_sentiment_trends")[0]
    messages = query("""
        select count(*) from fct_turns
        where speaker = 'customer' and source in ('twcs', 'synthetic') and sent_at is not null
    """)[0][0]
    assert trends[0] > 0 and trends[1] == messages


def test_satisfaction_proxy_agrees_with_the_truth(query: Query) -> None:
    # truth: satisfied = the conversation was resolved and the customer ended positive
    agreement = query("""
        select avg(case when s.predicted_satisfied
                          = (t.outcome = 'resolved' and t.last_customer_sentiment = 'positive')
                        then 1.0 else 0.0 end)
        from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true) as t
        inner join mart_conversation_sentiment as s
          on s.conversation_id = 'synthetic:' || t.conversation_id
    """)[0][0]
    assert agreement is not None and agreement >= 0.9, agreement


def test_planted_intent_is_discovered_as_a_pure_cluster(query: Query) -> None:
    best = query("""
        with truth as (
          select 'synthetic:' || conversation_id || ':0' as turn_id, intent
          from read_csv('{truth}/synthetic_conversations.csv', all_varchar = true)
        ),
        members as (
          select m.cluster_id, truth.intent = 'crypto_staking' as planted
          from mart_intent_cluster_members as m left join truth using (turn_id)
          where m.cluster_id >= 0
        )
        select cluster_id, count(*) filter (where planted) as planted, count(*) as size,
               (select count(*) from truth where intent = 'crypto_staking') as planted_total
        from members group by cluster_id order by planted desc limit 1
    """)[0]
    cluster_id, planted, size, planted_total = best
    assert planted / size >= 0.8, f"purity {planted}/{size}"
    assert planted / planted_total >= 0.8, f"recall {planted}/{planted_total}"
    terms, examples = query(
        f"select top_terms, representative_examples from mart_intent_discovery "
        f"where cluster_id = {cluster_id}"
    )[0]
    assert "staking" in terms
    assert examples and "staking" in examples[0].lower()


def test_missed_utterances_and_confidence_histogram_cover_the_predictions(query: Query) -> None:
    low, total = query("""
        select count(*) filter (where confidence < 0.5), count(*) from mart_turn_predictions
    """)[0]
    missed = query("select sum(occurrences) from mart_missed_utterances")[0][0]
    histogram = query("select sum(message_count), sum(share) from mart_confidence_histogram")[0]
    assert total > 0 and missed == low
    assert histogram[0] == total and abs(histogram[1] - 1.0) < 1e-9


def test_drift_measures_are_in_range_and_flag_by_the_threshold(query: Query) -> None:
    rows = query("select psi, js_distance, drifted, psi_threshold from mart_intent_drift")
    assert rows
    for psi, js, drifted, threshold in rows:
        assert psi >= 0 and 0 <= js <= 1
        assert drifted == (psi > threshold)
