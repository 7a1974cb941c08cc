with attributes as (
  select * from {{ ref('int_conversations__attributes') }}
),

timing as (
  select * from {{ ref('int_conversations__timing') }}
)

select
  cast(attributes.conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(attributes.source as {{ dbt.type_string() }}) as source,
  cast(attributes.source_conversation_id as {{ dbt.type_string() }}) as source_conversation_id,
  cast(attributes.channel as {{ dbt.type_string() }}) as channel,
  cast(attributes.company as {{ dbt.type_string() }}) as company,
  cast(attributes.service as {{ dbt.type_string() }}) as service,
  cast(timing.started_at as {{ type_timestamptz() }}) as started_at,
  cast(timing.ended_at as {{ type_timestamptz() }}) as ended_at,
  cast(coalesce(timing.turn_count, 0) as integer) as turn_count,
  cast(coalesce(timing.customer_turn_count, 0) as integer) as customer_turn_count,
  cast(coalesce(timing.agent_turn_count, 0) as integer) as agent_turn_count,
  cast(timing.first_response_seconds as bigint) as first_response_seconds,
  cast(attributes.outcome as {{ dbt.type_string() }}) as outcome,
  cast(attributes.gold_intent as {{ dbt.type_string() }}) as gold_intent,
  cast(attributes.intent_label_set as {{ dbt.type_string() }}) as intent_label_set,
  cast(
    case when attributes.gold_intent is not null
      then attributes.intent_label_set || ':' || attributes.gold_intent
    end as {{ dbt.type_string() }}
  ) as intent_id
from attributes
left join timing on timing.conversation_id = attributes.conversation_id
