{#
  SGD as one row per turn: speaker role, utterance, the dialogue acts of every frame, the
  services in play, the user's active intents and how the dialogue state changed since
  the user's previous turn (slots newly filled, intent switches).
#}
with turns as (
  select * from {{ ref('stg_sgd__turns') }}
),

frames as (
  select * from {{ ref('stg_sgd__frames') }}
),

actions as (
  select * from {{ ref('stg_sgd__actions') }}
),

states as (
  select * from {{ ref('stg_sgd__states') }}
),

services_per_turn as (
  select
    dialogue_id,
    turn_index,
    {{ array_agg_ordered('service', ['frame_index']) }} as services
  from frames
  group by dialogue_id, turn_index
),

acts_per_turn as (
  select
    dialogue_id,
    turn_index,
    {{ array_agg_ordered('act', ['frame_index', 'action_index']) }} as acts
  from actions
  group by dialogue_id, turn_index
),

state_slots as (
  -- slot names set in each frame's accumulated state
  select
    dialogue_id,
    turn_index,
    frame_index,
    active_intent,
    requested_slots,
    coalesce({{ json_object_keys('slot_values_json') }}, {{ empty_array(dbt.type_string()) }}) as filled_slots
  from states
),

state_per_turn as (
  select
    dialogue_id,
    turn_index,
    coalesce(
      array_sort(array_distinct(array_agg(active_intent) filter (where active_intent is not null))),
      {{ empty_array(dbt.type_string()) }}
    ) as active_intents,
    array_sort(array_distinct(flatten(array_agg(requested_slots)))) as requested_slots,
    array_sort(array_distinct(flatten(array_agg(filled_slots)))) as filled_slots
  from state_slots
  group by dialogue_id, turn_index
),

state_with_previous as (
  select
    state_per_turn.*,
    lag(active_intents) over (partition by dialogue_id order by turn_index) as previous_active_intents,
    lag(filled_slots) over (partition by dialogue_id order by turn_index) as previous_filled_slots
  from state_per_turn
)

select
  'sgd:' || turns.dialogue_id || ':' || cast(turns.turn_index as {{ dbt.type_string() }}) as turn_id,
  'sgd:' || turns.dialogue_id as conversation_id,
  turns.dialogue_id,
  turns.turn_index,
  case when turns.speaker = 'USER' then 'customer' else 'agent' end as speaker,
  turns.text,
  turns.text_normalized,
  coalesce(services_per_turn.services, {{ empty_array(dbt.type_string()) }}) as services,
  coalesce(acts_per_turn.acts, {{ empty_array(dbt.type_string()) }}) as acts,
  case when turns.speaker = 'SYSTEM' then coalesce(acts_per_turn.acts, {{ empty_array(dbt.type_string()) }}) end
    as system_acts,
  state.active_intents,
  state.requested_slots,
  state.filled_slots,
  case when state.dialogue_id is not null then
    filter(
      state.filled_slots,
      slot -> not array_contains(coalesce(state.previous_filled_slots, {{ empty_array(dbt.type_string()) }}), slot)
    )
  end as newly_filled_slots,
  case when state.dialogue_id is not null then
    state.active_intents is distinct from
      coalesce(state.previous_active_intents, {{ empty_array(dbt.type_string()) }})
  end as intent_changed,
  case
    when {{ array_length('state.active_intents') }} = 1 then {{ array_item('state.active_intents', 1) }}
  end as gold_intent
from turns
left join services_per_turn
  on services_per_turn.dialogue_id = turns.dialogue_id
  and services_per_turn.turn_index = turns.turn_index
left join acts_per_turn
  on acts_per_turn.dialogue_id = turns.dialogue_id
  and acts_per_turn.turn_index = turns.turn_index
left join state_with_previous as state
  on state.dialogue_id = turns.dialogue_id
  and state.turn_index = turns.turn_index
