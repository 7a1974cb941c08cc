{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Edges between consecutive steps of conversations, per source and service, ready for a
  Sankey or path chart. A step is:
    - SGD: the speaker and the message's dialogue acts ("customer:INFORM+INFORM_INTENT",
      "agent:REQUEST"); the conversation's intent is the first active intent;
    - TWCS / synthetic: "customer:<predicted intent>" for customer messages (the active
      model's prediction, "customer:unscored" before predictions exist) and "agent".
  Every path starts at "start" and ends at "end". drop_off_rate of a step = share of the
  conversations passing through it that end right after it.
#}
with turns as (
  select * from {{ ref('fct_turns') }} where source in ('sgd', 'twcs', 'synthetic')
),

conversations as (
  select conversation_id, source, service, company from {{ ref('fct_conversations') }}
),

predictions as (
  select turn_id, label from {{ ref('mart_turn_predictions') }}
),

steps as (
  select
    turns.conversation_id,
    turns.turn_index,
    case
      when turns.source = 'sgd' and {{ array_length('turns.acts') }} > 0
        then turns.speaker || ':' || {{ array_join_text('array_sort(array_distinct(turns.acts))', "'+'") }}
      when turns.source = 'sgd' then turns.speaker
      when turns.speaker = 'customer' then 'customer:' || coalesce(predictions.label, 'unscored')
      else 'agent'
    end as step
  from turns
  left join predictions on predictions.turn_id = turns.turn_id
),

edges as (
  select
    conversation_id,
    coalesce(lag(step) over (partition by conversation_id order by turn_index), 'start')
      as from_step,
    step as to_step
  from steps
  union all
  select conversation_id, max_by(step, turn_index) as from_step, 'end' as to_step
  from steps
  group by conversation_id
),

counted as (
  select
    conversations.source,
    coalesce(conversations.service, conversations.company, 'unknown') as service,
    edges.from_step,
    edges.to_step,
    count(*) as edge_count,
    count(distinct edges.conversation_id) as conversation_count
  from edges
  inner join conversations on conversations.conversation_id = edges.conversation_id
  group by all
)

select
  cast(source as {{ dbt.type_string() }}) as source,
  cast(service as {{ dbt.type_string() }}) as service,
  cast(from_step as {{ dbt.type_string() }}) as from_step,
  cast(to_step as {{ dbt.type_string() }}) as to_step,
  cast(edge_count as bigint) as edge_count,
  cast(conversation_count as bigint) as conversation_count,
  cast(edge_count * 1.0 / sum(edge_count) over (partition by source, service, from_step) as double)
    as share_of_from_step,
  cast(
    sum(case when to_step = 'end' then edge_count else 0 end)
      over (partition by source, service, from_step) * 1.0
    / sum(edge_count) over (partition by source, service, from_step)
    as double
  ) as from_step_drop_off_rate
from counted
