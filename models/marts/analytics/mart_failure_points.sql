{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Where conversations break down: one row per conversation and failure signal.
    notify_failure        - SGD: the first NOTIFY_FAILURE (turn of the system message);
    ended_failed / ended_abandoned / ended_escalated - the step at which a failed,
                            abandoned or escalated conversation ended (its last turn);
    unanswered_last_message - TWCS / synthetic: the customer's last message got no agent
                            reply after it (the turn of that customer message);
    repeated_request      - the customer sent the same normalised text twice, or SGD's
                            system (not the user) requested the same slot again (second
                            occurrence);
    negative_ending       - the customer's last message reads negative (sentiment UDF).
#}
with outcomes as (
  select * from {{ ref('mart_conversation_outcomes') }}
),

turns as (
  select * from {{ ref('fct_turns') }} where source in ('sgd', 'twcs', 'synthetic')
),

sentiment as (
  select conversation_id, turn_index, is_last_customer_turn, sentiment_label
  from {{ ref('mart_turn_sentiment') }}
),

notify_failures as (
  select conversation_id, min(notify_failure_turn_index) as turn_index
  from {{ ref('mart_intent_segments') }}
  where notify_failure_turn_index is not null
  group by conversation_id
),

ended as (
  select conversation_id, 'ended_' || outcome as failure_kind, last_turn_index as turn_index
  from outcomes
  where outcome in ('failed', 'abandoned', 'escalated')
),

unanswered_last as (
  -- the conversation's last message is the customer's (outcomes' last turn is the
  -- customer's last turn in mart_turn_sentiment), so nobody replied after it
  select sentiment.conversation_id, sentiment.turn_index
  from sentiment
  inner join outcomes on outcomes.conversation_id = sentiment.conversation_id
  where sentiment.is_last_customer_turn
    and sentiment.turn_index = outcomes.last_turn_index
    and outcomes.source in ('twcs', 'synthetic')
    and outcomes.outcome <> 'resolved'
),

repeated_texts as (
  -- the second time a customer sends the same (normalised) text; min(x, 2) keeps the two
  -- earliest turns of each text (ties included), cheaper than numbering every turn with
  -- a window
  select conversation_id, min(second_turn_index) as turn_index
  from (
    select conversation_id, {{ nth_smallest('turn_index', 2) }} as second_turn_index
    from turns
    where speaker = 'customer' and length(text_normalized) > 10
    group by conversation_id, text_normalized
    having count(*) >= 2
  ) as texts_sent_twice
  group by conversation_id
),

system_turns as (
  -- SGD actions carry no speaker: a user's REQUEST act asks for a slot's value (a
  -- customer question), not the system asking for the slot again
  select dialogue_id, turn_index
  from {{ ref('stg_sgd__turns') }}
  where speaker = 'SYSTEM'
),

repeated_slot_requests as (
  -- the same for SGD: the system requests a slot a second time
  select 'sgd:' || dialogue_id as conversation_id, min(second_turn_index) as turn_index
  from (
    select actions.dialogue_id, {{ nth_smallest('actions.turn_index', 2) }} as second_turn_index
    from {{ ref('stg_sgd__actions') }} as actions
    inner join system_turns
      on system_turns.dialogue_id = actions.dialogue_id
      and system_turns.turn_index = actions.turn_index
    where actions.act = 'REQUEST' and actions.slot is not null and actions.slot <> ''
    group by actions.dialogue_id, actions.slot
    having count(*) >= 2
  ) as slots_requested_twice
  group by dialogue_id
),

repeated as (
  select conversation_id, min(turn_index) as turn_index
  from (select * from repeated_texts union all select * from repeated_slot_requests) as both_kinds
  group by conversation_id
),

negative_endings as (
  select conversation_id, turn_index
  from sentiment
  where is_last_customer_turn and sentiment_label = 'negative'
),

signals as (
  select conversation_id, 'notify_failure' as failure_kind, turn_index from notify_failures
  union all
  select conversation_id, failure_kind, turn_index from ended
  union all
  select conversation_id, 'unanswered_last_message', turn_index from unanswered_last
  union all
  select conversation_id, 'repeated_request', turn_index from repeated
  union all
  select conversation_id, 'negative_ending', turn_index from negative_endings
)

select
  cast(signals.conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(outcomes.source as {{ dbt.type_string() }}) as source,
  cast(outcomes.service as {{ dbt.type_string() }}) as service,
  cast(outcomes.intent as {{ dbt.type_string() }}) as intent,
  cast(outcomes.outcome as {{ dbt.type_string() }}) as outcome,
  cast(signals.failure_kind as {{ dbt.type_string() }}) as failure_kind,
  cast(signals.turn_index as integer) as turn_index,
  cast(turns.speaker as {{ dbt.type_string() }}) as speaker,
  cast(
    case
      when turns.acts is not null and {{ array_length('turns.acts') }} > 0
        then turns.speaker || ':' || {{ array_join_text('array_sort(array_distinct(turns.acts))', "'+'") }}
      else turns.speaker
    end as {{ dbt.type_string() }}
  ) as step,
  cast(turns.text as {{ dbt.type_string() }}) as text,
  cast(outcomes.activity_date as date) as activity_date
from signals
inner join outcomes on outcomes.conversation_id = signals.conversation_id
left join turns
  on turns.conversation_id = signals.conversation_id
  and turns.turn_index = signals.turn_index
