with attributes as (
  select * from {{ ref('int_conversations__attributes') }}
),

timing as (
  select * from {{ ref('int_conversations__timing') }}
)

select
  cast(attributes.conversation_id as varchar) as conversation_id,
  cast(attributes.source as varchar) as source,
  cast(attributes.source_conversation_id as varchar) as source_conversation_id,
  cast(attributes.channel as varchar) as channel,
  cast(attributes.company as varchar) as company,
  cast(attributes.service as varchar) as service,
  cast(timing.started_at as timestamp with time zone) as started_at,
  cast(timing.ended_at as timestamp with time zone) as ended_at,
  cast(coalesce(timing.turn_count, 0) as integer) as turn_count,
  cast(coalesce(timing.customer_turn_count, 0) as integer) as customer_turn_count,
  cast(coalesce(timing.agent_turn_count, 0) as integer) as agent_turn_count,
  cast(timing.first_response_seconds as bigint) as first_response_seconds,
  cast(attributes.outcome as varchar) as outcome,
  cast(attributes.gold_intent as varchar) as gold_intent,
  cast(attributes.intent_label_set as varchar) as intent_label_set,
  cast(
    case when attributes.gold_intent is not null
      then attributes.intent_label_set || ':' || attributes.gold_intent
    end as varchar
  ) as intent_id
from attributes
left join timing on timing.conversation_id = attributes.conversation_id
