{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Outcome counts and rates per source, service (SGD service / company), intent and day.
  success_rate = resolved / conversations; escalation_rate = escalated / conversations;
  containment_rate = conversations answered and handled without a hand-off / conversations.
  Lex-style classes count conversations by lex_outcome (switched: SGD first intent
  abandoned for another).
#}
with outcomes as (
  select * from {{ ref('mart_conversation_outcomes') }}
)

select
  cast(source as {{ dbt.type_string() }}) as source,
  cast(coalesce(service, 'unknown') as {{ dbt.type_string() }}) as service,
  cast(intent as {{ dbt.type_string() }}) as intent,
  cast(intent_origin as {{ dbt.type_string() }}) as intent_origin,
  cast(activity_date as date) as activity_date,
  cast(count(*) as bigint) as conversation_count,
  cast(count(*) filter (where outcome = 'resolved') as bigint) as resolved_count,
  cast(count(*) filter (where outcome = 'failed') as bigint) as failed_count,
  cast(count(*) filter (where outcome = 'abandoned') as bigint) as abandoned_count,
  cast(count(*) filter (where outcome = 'escalated') as bigint) as escalated_count,
  cast(count(*) filter (where outcome = 'unanswered') as bigint) as unanswered_count,
  cast(count(*) filter (where lex_outcome = 'success') as bigint) as lex_success_count,
  cast(count(*) filter (where lex_outcome = 'failed') as bigint) as lex_failed_count,
  cast(count(*) filter (where lex_outcome = 'switched') as bigint) as lex_switched_count,
  cast(count(*) filter (where lex_outcome = 'dropped') as bigint) as lex_dropped_count,
  -- avg of integers: a double on both engines (Spark averages 1.0/0.0 decimals to 5 places)
  cast(avg(case when is_success then 1 else 0 end) as double) as success_rate,
  cast(avg(case when is_escalated then 1 else 0 end) as double) as escalation_rate,
  cast(avg(case when is_contained then 1 else 0 end) as double) as containment_rate
from outcomes
group by all
