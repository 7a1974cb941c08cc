-- Alert rules evaluated on the snapshot. Windows end at the newest conversation in the
-- data (not today), so a historical snapshot still shows its own breaches. Thresholds live
-- in `rules`; the page lists every rule with its current value, breached or not.
with rules as (
    select * from (values
        ('failure_rate', 'Failure rate (7 days) above threshold', 0.25,
         'share of failed/abandoned/unanswered conversations in the last 7 days > 25 % (min 20)'),
        ('sentiment_drop', 'Sentiment drop vs previous 28 days', 0.15,
         'mean sentiment of the last 7 days is more than 0.15 below the 28 days before'),
        ('slow_first_response', 'Median first response above threshold', 3600.0,
         'median first response in the last 7 days > 3600 s'),
        ('intent_drift', 'Intent distribution drift', null,
         'latest daily PSI above the drift threshold of the intent-drift mart'),
        ('data_quality', 'Failing error-severity expectations', 0.0,
         'the latest run of a suite has failing expectations of severity error')
    ) as r(rule_id, rule_name, threshold, rule_text)
),

window_end as (
    select max(started_at) as last_seen from fct_conversations
),

recent_outcomes as (
    select
        coalesce(company, source) as scope,
        count(*) as conversations,
        count(*) filter (where outcome in ('failed', 'abandoned', 'unanswered')) as failed,
        median(first_response_seconds) as median_first_response
    from fct_conversations, window_end
    where outcome is not null and started_at > window_end.last_seen - interval 7 day
    group by all
),

sentiment_windows as (
    select
        coalesce(company, source) as scope,
        avg((first_customer_sentiment + last_customer_sentiment) / 2) filter (
            where activity_date > window_end.last_seen - interval 7 day
        ) as recent,
        avg((first_customer_sentiment + last_customer_sentiment) / 2) filter (
            where activity_date <= window_end.last_seen - interval 7 day
            and activity_date > window_end.last_seen - interval 35 day
        ) as baseline
    from mart_conversation_sentiment, window_end
    group by all
),

latest_drift as (
    select label_set || ' / ' || source as label_set, psi, psi_threshold as threshold
    from mart_intent_drift
    where psi is not null
    qualify row_number() over (partition by label_set, source order by activity_date desc) = 1
),

latest_dq_runs as (
    select run_id, suite as suite_name
    from dq_validation_runs
    qualify row_number() over (partition by suite order by started_at desc) = 1
),

dq_failures as (
    select
        latest_dq_runs.suite_name as scope,
        count(*) filter (where results.severity = 'error' and not results.success) as failing
    from latest_dq_runs
    inner join dq_expectation_results as results using (run_id)
    group by all
),

evaluations as (
    select 'failure_rate' as rule_id, scope, failed / conversations as current_value,
        null::double as baseline_value, null::double as rule_threshold
    from recent_outcomes where conversations >= 20
    union all
    select 'slow_first_response', scope, median_first_response, null, null
    from recent_outcomes where median_first_response is not null
    union all
    select 'sentiment_drop', scope, recent, baseline, null
    from sentiment_windows where recent is not null and baseline is not null
    union all
    select 'intent_drift', label_set, psi, null, threshold from latest_drift
    union all
    select 'data_quality', scope, failing, null, null from dq_failures
)

select
    rules.rule_id,
    rules.rule_name,
    evaluations.scope,
    evaluations.current_value,
    evaluations.baseline_value,
    coalesce(evaluations.rule_threshold, rules.threshold) as threshold,
    case rules.rule_id
        when 'sentiment_drop' then evaluations.baseline_value - evaluations.current_value
            > rules.threshold
        else evaluations.current_value > coalesce(evaluations.rule_threshold, rules.threshold)
    end as breached,
    rules.rule_text,
    cast((select last_seen from window_end) as date) as window_end
from evaluations
inner join rules using (rule_id)
order by breached desc, rules.rule_id, evaluations.scope
