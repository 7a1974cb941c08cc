{{ config(tags=['ops', 'uses_predictions']) }}
{#
  One row per alert rule and scope: the measured value, the threshold that applies and
  whether it is breached. Thresholds, severities and channels come from the seed
  alert_rules: the `*` row of a rule, unless a row names the scope itself.

  Data windows end at the newest conversation in the data (not today), so a historical
  data set still shows its own breaches. The two operational rules are measured when
  this model is built: hours since the last successful publish, and the status of the
  latest finished run of each command (run history, models/marts/ops/ops_runs).
  `supportlens alerts` rebuilds this model (tag:ops) before it notifies.

  The rules are written in DuckDB SQL (windows, FILTER, QUALIFY, intervals); on another
  engine the model keeps its place in the DAG but builds empty (see the end of the file).
#}
{% if target.type == 'duckdb' %}
with rules as (
  select * from {{ ref('alert_rules') }}
),

conversations as (
  select * from {{ ref('fct_conversations') }}
),

window_end as (
  select max(started_at) as last_seen from conversations
),

first_responses as (
  select
    coalesce(company, source) as scope,
    median(first_response_seconds) as value
  from conversations, window_end
  where started_at > window_end.last_seen - interval 7 day
    and first_response_seconds is not null
  group by all
),

success_windows as (
  select
    source as scope,
    sum(resolved_count) filter (where activity_date > cast(last_seen as date) - 7) as recent_resolved,
    sum(conversation_count) filter (where activity_date > cast(last_seen as date) - 7) as recent_n,
    sum(resolved_count) filter (
      where activity_date <= cast(last_seen as date) - 7
        and activity_date > cast(last_seen as date) - 35
    ) as baseline_resolved,
    sum(conversation_count) filter (
      where activity_date <= cast(last_seen as date) - 7
        and activity_date > cast(last_seen as date) - 35
    ) as baseline_n
  from {{ ref('mart_success_rates') }}, window_end
  group by all
),

sentiment_windows as (
  select
    coalesce(company, source) as scope,
    avg((first_customer_sentiment + last_customer_sentiment) / 2) filter (
      where activity_date > cast(last_seen as date) - 7
    ) as recent,
    avg((first_customer_sentiment + last_customer_sentiment) / 2) filter (
      where activity_date <= cast(last_seen as date) - 7
        and activity_date > cast(last_seen as date) - 35
    ) as baseline
  from {{ ref('mart_conversation_sentiment') }}, window_end
  group by all
),

latest_drift as (
  select label_set || ' / ' || source as scope, psi, psi_threshold
  from {{ ref('mart_intent_drift') }}
  where psi is not null
  qualify row_number() over (partition by label_set, source order by activity_date desc) = 1
),

predicted as (
  select
    *,
    max(activity_date) over (partition by label_set) as last_day
  from {{ ref('mart_predicted_intents') }}
),

missed as (
  select
    label_set as scope,
    sum(missed_share * message_count) / nullif(sum(message_count), 0) as value
  from predicted
  where activity_date > last_day - 7
  group by all
),

model_versions as (
  select
    label_set,
    model_version,
    val_accuracy,
    lag(val_accuracy) over (partition by label_set order by created_at) as previous_accuracy,
    row_number() over (partition by label_set order by created_at desc) as newest_first
  from {{ source('ml', 'ml_models') }}
  where val_accuracy is not null
),

latest_dq_runs as (
  select run_id, suite
  from {{ relation_or_empty('quality', 'dq_validation_runs') }}
  qualify row_number() over (partition by suite order by started_at desc) = 1
),

dq_failures as (
  select
    latest_dq_runs.suite as scope,
    count(*) filter (where results.severity = 'error' and not results.success) as value
  from latest_dq_runs
  inner join {{ relation_or_empty('quality', 'dq_expectation_results') }} as results
    on results.run_id = latest_dq_runs.run_id and results.suite = latest_dq_runs.suite
  group by all
),

runs as (
  select * from {{ ref('ops_runs') }}
),

stages as (
  select * from {{ ref('ops_run_stages') }}
),

publishes as (
  select ended_at from runs where command = 'publish' and status = 'succeeded'
  union all
  select ended_at from stages where stage = 'publish' and status = 'succeeded'
),

snapshot_age as (
  select
    'published snapshot' as scope,
    (epoch(current_timestamp) - epoch(max(ended_at))) / 3600.0 as value
  from publishes
  having max(ended_at) is not null
),

latest_runs as (
  select
    command as scope,
    -- Ctrl-C (interrupted) is a person's choice, not a failure; stale_snapshot still notices.
    case when status in ('failed', 'killed') then 1.0 else 0.0 end as value
  from runs
  where status <> 'running'
  qualify row_number() over (partition by command order by started_at desc) = 1
),

evaluations as (
  select 'first_response_time' as rule, scope, value, null::double as baseline_value,
    null::double as own_threshold
  from first_responses
  union all
  select 'success_rate_drop', scope, recent_resolved / recent_n, baseline_resolved / baseline_n,
    null
  from success_windows where recent_n >= 20 and baseline_n >= 20
  union all
  select 'sentiment_drop', scope, recent, baseline, null
  from sentiment_windows where recent is not null and baseline is not null
  union all
  select 'intent_drift', scope, psi, null, psi_threshold from latest_drift
  union all
  select 'missed_utterance_share', scope, value, null, null from missed where value is not null
  union all
  select 'model_accuracy_drop', label_set, val_accuracy, previous_accuracy, null
  from model_versions where newest_first = 1 and previous_accuracy is not null
  union all
  select 'dq_error_failures', scope, value, null, null from dq_failures
  union all
  select 'stale_snapshot', scope, value, null, null from snapshot_age
  union all
  select 'failed_run', scope, value, null, null from latest_runs
),

-- The rule row naming the scope wins over the rule's `*` row.
matched as (
  select
    evaluations.*,
    coalesce(own.threshold, every.threshold, evaluations.own_threshold) as threshold,
    coalesce(own.severity, every.severity) as severity,
    coalesce(own.channels, every.channels) as channels,
    every.description
  from evaluations
  inner join rules as every
    on every.rule = evaluations.rule and every.scope = '*'
  left join rules as own
    on own.rule = evaluations.rule and own.scope = evaluations.scope
)

select
  cast(rule as varchar) as rule,
  cast(scope as varchar) as scope,
  cast(severity as varchar) as severity,
  cast(channels as varchar) as channels,
  cast(value as double) as value,
  cast(baseline_value as double) as baseline_value,
  cast(threshold as double) as threshold,
  cast(
    coalesce(
      case
        when rule in ('success_rate_drop', 'sentiment_drop', 'model_accuracy_drop')
          then baseline_value - value > threshold
        else value > threshold
      end,
      false
    ) as boolean
  ) as is_breached,
  cast(description as varchar) as description,
  cast((select last_seen from window_end) as date) as data_window_end,
  current_timestamp as evaluated_at
from matched
{% else %}
select
  {%- for name, type in [('rule', 'varchar'), ('scope', 'varchar'), ('severity', 'varchar'),
      ('channels', 'varchar'), ('value', 'double'), ('baseline_value', 'double'),
      ('threshold', 'double'), ('is_breached', 'boolean'), ('description', 'varchar'),
      ('data_window_end', 'date'), ('evaluated_at', 'timestamp with time zone')] %}
  cast(null as {{ engine_type(type) }}) as {{ name }}{{ "," if not loop.last }}
  {%- endfor %}
where 1 = 0
{% endif %}
