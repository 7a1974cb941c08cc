{#
  One row per SGD dialogue.

  Outcome = outcome of the dialogue's final intent segment (the user turns from the last
  change of active intent onwards):
    - the last NOTIFY_SUCCESS / NOTIFY_FAILURE after the segment start -> resolved / failed;
    - otherwise a service call that returned results (a query answered) -> resolved;
    - otherwise the user left before completion -> abandoned;
    - dialogues where the user never activated an intent -> NULL (not observable).
  The gold intent is the first intent the user activated.
#}
with dialogues as (
  select * from {{ ref('stg_sgd__dialogues') }}
),

actions as (
  select * from {{ ref('stg_sgd__actions') }}
),

frames as (
  select * from {{ ref('stg_sgd__frames') }}
),

turns as (
  select * from {{ ref('int_sgd__turns') }}
),

final_segment_start as (
  select dialogue_id, max(turn_index) as turn_index
  from turns
  where speaker = 'customer' and intent_changed and {{ array_length('active_intents') }} > 0
  group by dialogue_id
),

notifications as (
  select
    actions.dialogue_id,
    actions.act,
    row_number() over (
      partition by actions.dialogue_id
      order by actions.turn_index desc, actions.frame_index desc, actions.action_index desc
    ) as recency
  from actions
  inner join final_segment_start
    on final_segment_start.dialogue_id = actions.dialogue_id
    and actions.turn_index > final_segment_start.turn_index
  where actions.act in ('NOTIFY_SUCCESS', 'NOTIFY_FAILURE')
),

last_notification as (
  select dialogue_id, act from notifications where recency = 1
),

answered_queries as (
  select distinct frames.dialogue_id
  from frames
  inner join final_segment_start
    on final_segment_start.dialogue_id = frames.dialogue_id
    and frames.turn_index > final_segment_start.turn_index
  where frames.service_call_method is not null
    and coalesce(trim(frames.service_results_json), '[]') not in ('', '[]', 'null')
),

first_intent as (
  select dialogue_id, {{ array_item('active_intents', 1) }} as gold_intent
  from (
    select
      dialogue_id,
      active_intents,
      row_number() over (partition by dialogue_id order by turn_index) as intent_rank
    from turns
    where {{ array_length('active_intents') }} > 0
  ) as with_intent
  where intent_rank = 1
)

select
  'sgd:' || dialogues.dialogue_id as conversation_id,
  'sgd' as source,
  dialogues.dialogue_id as source_conversation_id,
  'assistant' as channel,
  cast(null as {{ dbt.type_string() }}) as company,
  {{ array_item('dialogues.services', 1) }} as service,
  case
    when last_notification.act = 'NOTIFY_SUCCESS' then 'resolved'
    when last_notification.act = 'NOTIFY_FAILURE' then 'failed'
    when answered_queries.dialogue_id is not null then 'resolved'
    when final_segment_start.dialogue_id is not null then 'abandoned'
  end as outcome,
  first_intent.gold_intent,
  case when first_intent.gold_intent is not null then 'sgd' end as intent_label_set
from dialogues
left join final_segment_start on final_segment_start.dialogue_id = dialogues.dialogue_id
left join last_notification on last_notification.dialogue_id = dialogues.dialogue_id
left join answered_queries on answered_queries.dialogue_id = dialogues.dialogue_id
left join first_intent on first_intent.dialogue_id = dialogues.dialogue_id
