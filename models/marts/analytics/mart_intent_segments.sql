{{ config(tags=['analytics']) }}
{#
  SGD per intent segment (the user turns from one change of active intent to the next)
  with Amazon Lex's intent outcome classes:
    success  - NOTIFY_SUCCESS, or a service call that returned results, in the segment;
    failed   - NOTIFY_FAILURE in the segment (the last notification wins);
    switched - no completion and the user moved on to another intent;
    dropped  - no completion and the dialogue ended.
#}
with turns as (
  select * from {{ ref('int_sgd__turns') }}
),

actions as (
  select dialogue_id, turn_index, frame_index, action_index, act
  from {{ ref('stg_sgd__actions') }}
  where act in ('NOTIFY_SUCCESS', 'NOTIFY_FAILURE')
),

answered_calls as (
  select distinct dialogue_id, turn_index
  from {{ ref('stg_sgd__frames') }}
  where service_call_method is not null
    and coalesce(trim(service_results_json), '[]') not in ('', '[]', 'null')
),

segment_starts as (
  select
    dialogue_id,
    conversation_id,
    turn_index as start_turn_index,
    {{ array_item('active_intents', 1) }} as intent,
    {{ array_item('services', 1) }} as service,
    row_number() over (partition by dialogue_id order by turn_index) as segment_number,
    lead(turn_index) over (partition by dialogue_id order by turn_index) as next_start_turn_index
  from turns
  where speaker = 'customer' and intent_changed and {{ array_length('active_intents') }} > 0
),

dialogue_ends as (
  select dialogue_id, max(turn_index) as last_turn_index from turns group by dialogue_id
),

segment_notifications as (
  select
    segment_starts.dialogue_id,
    segment_starts.segment_number,
    max_by(actions.act, actions.turn_index * 10000 + actions.frame_index * 100 + actions.action_index)
      as last_notification,
    min(actions.turn_index) filter (where actions.act = 'NOTIFY_FAILURE') as notify_failure_turn_index
  from segment_starts
  inner join actions
    on actions.dialogue_id = segment_starts.dialogue_id
    and actions.turn_index > segment_starts.start_turn_index
    and actions.turn_index < coalesce(segment_starts.next_start_turn_index, 1000000)
  group by segment_starts.dialogue_id, segment_starts.segment_number
),

segment_answers as (
  select segment_starts.dialogue_id, segment_starts.segment_number, count(*) as answered_calls
  from segment_starts
  inner join answered_calls
    on answered_calls.dialogue_id = segment_starts.dialogue_id
    and answered_calls.turn_index > segment_starts.start_turn_index
    and answered_calls.turn_index < coalesce(segment_starts.next_start_turn_index, 1000000)
  group by segment_starts.dialogue_id, segment_starts.segment_number
)

select
  cast(segment_starts.conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(segment_starts.segment_number as integer) as segment_number,
  cast(segment_starts.intent as {{ dbt.type_string() }}) as intent,
  cast(segment_starts.service as {{ dbt.type_string() }}) as service,
  cast(segment_starts.start_turn_index as integer) as start_turn_index,
  cast(
    coalesce(segment_starts.next_start_turn_index - 1, dialogue_ends.last_turn_index) as integer
  ) as end_turn_index,
  cast(
    case
      when segment_notifications.last_notification = 'NOTIFY_SUCCESS' then 'success'
      when segment_notifications.last_notification = 'NOTIFY_FAILURE' then 'failed'
      when segment_answers.answered_calls > 0 then 'success'
      when segment_starts.next_start_turn_index is not null then 'switched'
      else 'dropped'
    end as {{ dbt.type_string() }}
  ) as segment_class,
  cast(segment_notifications.notify_failure_turn_index as integer) as notify_failure_turn_index
from segment_starts
inner join dialogue_ends on dialogue_ends.dialogue_id = segment_starts.dialogue_id
left join segment_notifications
  on segment_notifications.dialogue_id = segment_starts.dialogue_id
  and segment_notifications.segment_number = segment_starts.segment_number
left join segment_answers
  on segment_answers.dialogue_id = segment_starts.dialogue_id
  and segment_answers.segment_number = segment_starts.segment_number
