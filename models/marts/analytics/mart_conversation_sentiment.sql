{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Per conversation: first and last customer sentiment, their change, and the satisfaction
  proxy (docs/analytics.md):

    satisfaction_proxy = 0.5 * resolution + 0.3 * final_mood + 0.2 * speed

    resolution = 1 resolved, 0.5 escalated, 0 failed / abandoned / unanswered
    final_mood = (last customer sentiment score + 1) / 2              (in [0, 1])
    speed      = 1 / (1 + first_response_seconds / 3600), 0 if unanswered; SGD (no
                 timestamps) counts as 1

  The proxy is in [0, 1]; >= 0.6 reads as "satisfied" (predicted_satisfied).
#}
with outcomes as (
  select * from {{ ref('mart_conversation_outcomes') }}
),

sentiment as (
  select * from {{ ref('mart_turn_sentiment') }}
),

first_last as (
  select
    conversation_id,
    max(sentiment_score) filter (where is_first_customer_turn) as first_score,
    max(sentiment_label) filter (where is_first_customer_turn) as first_label,
    max(sentiment_score) filter (where is_last_customer_turn) as last_score,
    max(sentiment_label) filter (where is_last_customer_turn) as last_label
  from sentiment
  group by conversation_id
),

components as (
  select
    outcomes.conversation_id,
    outcomes.source,
    outcomes.company,
    outcomes.intent,
    outcomes.outcome,
    outcomes.activity_date,
    first_last.first_score,
    first_last.first_label,
    first_last.last_score,
    first_last.last_label,
    case outcomes.outcome when 'resolved' then 1.0 when 'escalated' then 0.5 else 0.0 end
      as resolution_component,
    (first_last.last_score + 1.0) / 2.0 as mood_component,
    case
      when outcomes.source = 'sgd' then 1.0
      when outcomes.first_response_seconds is null then 0.0
      else 1.0 / (1.0 + outcomes.first_response_seconds / 3600.0)
    end as speed_component
  from outcomes
  left join first_last on first_last.conversation_id = outcomes.conversation_id
)

select
  cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(source as {{ dbt.type_string() }}) as source,
  cast(company as {{ dbt.type_string() }}) as company,
  cast(intent as {{ dbt.type_string() }}) as intent,
  cast(outcome as {{ dbt.type_string() }}) as outcome,
  cast(activity_date as date) as activity_date,
  cast(first_score as double) as first_customer_sentiment,
  cast(first_label as {{ dbt.type_string() }}) as first_customer_sentiment_label,
  cast(last_score as double) as last_customer_sentiment,
  cast(last_label as {{ dbt.type_string() }}) as last_customer_sentiment_label,
  cast(last_score - first_score as double) as sentiment_change,
  cast(resolution_component as double) as resolution_component,
  cast(mood_component as double) as mood_component,
  cast(speed_component as double) as speed_component,
  cast(0.5 * resolution_component + 0.3 * mood_component + 0.2 * speed_component as double)
    as satisfaction_proxy,
  cast(
    0.5 * resolution_component + 0.3 * mood_component + 0.2 * speed_component >= 0.6 as boolean
  ) as predicted_satisfied
from components
