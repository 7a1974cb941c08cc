{{ config(tags=['analytics']) }}
{#
  SGD dialogue-state tracking, one row per user turn: active intent, slots filled so far
  vs required by the intent (schema), slots the user requested, slots newly filled, intent
  switches, and the number of user turns the current intent segment took to fill all its
  required slots (NULL until they are all filled).
#}
with turns as (
  select * from {{ ref('int_sgd__turns') }} where speaker = 'customer'
),

schema_intents as (
  select intent_name, min(required_slots) as required_slots
  from {{ ref('stg_sgd__schema_intents') }}
  group by intent_name
),

segmented as (
  select
    turns.*,
    sum(case when turns.intent_changed and {{ array_length('turns.active_intents') }} > 0 then 1 else 0 end)
      over (partition by turns.dialogue_id order by turns.turn_index) as segment_number
  from turns
),

with_required as (
  select
    segmented.*,
    {{ array_item('segmented.active_intents', 1) }} as intent,
    coalesce(schema_intents.required_slots, {{ empty_array(dbt.type_string()) }}) as required_slots,
    row_number() over (
      partition by segmented.dialogue_id, segmented.segment_number order by segmented.turn_index
    ) as turn_in_segment
  from segmented
  left join schema_intents on schema_intents.intent_name = {{ array_item('segmented.active_intents', 1) }}
),

filled as (
  select
    *,
    {{ array_length(
      "filter(required_slots, slot -> array_contains(coalesce(filled_slots, " ~ empty_array(dbt.type_string()) ~ "), slot))"
    ) }}
      as required_filled_count
  from with_required
),

first_complete as (
  select dialogue_id, segment_number, min(turn_in_segment) as turns_to_fill_required
  from filled
  where required_filled_count = {{ array_length('required_slots') }}
  group by dialogue_id, segment_number
)

select
  cast(filled.turn_id as {{ dbt.type_string() }}) as turn_id,
  cast(filled.conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(filled.turn_index as integer) as turn_index,
  cast(filled.segment_number as integer) as segment_number,
  cast(filled.intent as {{ dbt.type_string() }}) as intent,
  cast(filled.active_intents as {{ type_array(dbt.type_string()) }}) as active_intents,
  cast(coalesce(filled.intent_changed, false) and filled.segment_number > 1 as boolean)
    as is_intent_switch,
  cast(filled.required_slots as {{ type_array(dbt.type_string()) }}) as required_slots,
  cast(filled.filled_slots as {{ type_array(dbt.type_string()) }}) as filled_slots,
  cast(filled.newly_filled_slots as {{ type_array(dbt.type_string()) }}) as newly_filled_slots,
  cast(filled.requested_slots as {{ type_array(dbt.type_string()) }}) as requested_slots,
  cast({{ array_length('filled.filled_slots') }} as integer) as filled_slot_count,
  cast({{ array_length('filled.requested_slots') }} as integer) as requested_slot_count,
  cast(filled.required_filled_count as integer) as required_filled_count,
  cast({{ array_length('filled.required_slots') }} - filled.required_filled_count as integer)
    as required_missing_count,
  cast(filled.turn_in_segment as integer) as turn_in_segment,
  cast(first_complete.turns_to_fill_required as integer) as turns_to_fill_required
from filled
left join first_complete
  on first_complete.dialogue_id = filled.dialogue_id
  and first_complete.segment_number = filled.segment_number
