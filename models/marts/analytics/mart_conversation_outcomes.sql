{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  One row per multi-turn conversation (SGD, TWCS, synthetic) with its observed outcome.

  outcome (docs/analytics.md):
    - SGD: from the annotations (fct_conversations.outcome: NOTIFY_SUCCESS / answered query
      -> resolved, NOTIFY_FAILURE -> failed, user left -> abandoned).
    - TWCS and synthetic, from the messages themselves, first match wins:
      unanswered (no agent message), escalated (an agent message hands off: transfer,
      specialist, senior agent, private/direct message), abandoned (the conversation ends
      on an agent question nobody answered), failed (the last agent message refuses or
      cannot help), else resolved.
  lex_outcome maps it onto Amazon Lex's classes: success / failed / switched / dropped.
#}
with conversations as (
  select * from {{ ref('fct_conversations') }}
  where source in ('sgd', 'twcs', 'synthetic')
),

turns as (
  select * from {{ ref('fct_turns') }}
  where source in ('sgd', 'twcs', 'synthetic')
),

sgd_switches as (
  select conversation_id, count(*) filter (where intent_changed) - 1 as intent_switch_count
  from {{ ref('int_sgd__turns') }}
  where speaker = 'customer' and {{ array_length('active_intents') }} > 0
  group by conversation_id
),

sgd_first_segment as (
  -- did the first intent complete before the user switched (Lex "switched")?
  select conversation_id, segment_class
  from {{ ref('mart_intent_segments') }}
  where segment_number = 1
),

message_signals as (
  -- aggregates, not row_number() windows: the last message and the last agent message
  -- come from max_by (turn_index is unique within a conversation), and the patterns run
  -- only on the messages they are about (full-scale model: 9.1 s -> 4.2 s).
  select
    conversation_id,
    count(*) filter (where speaker = 'agent') as agent_messages,
    coalesce(
      bool_or(
        {{ regex_contains(
          'lower(text)',
          'transfer|specialist|senior agent|hand (this|it|you) over|escalat|private message|direct message|\\bdms?\\b'
        ) }}
      ) filter (where speaker = 'agent'),
      false
    ) as has_handoff,
    max_by(speaker, turn_index) as last_speaker,
    max_by(text, turn_index) as last_text,
    max_by(text, turn_index) filter (where speaker = 'agent') as last_agent_text,
    max(turn_index) filter (where speaker = 'agent') as last_agent_turn_index,
    max(turn_index) as last_turn_index
  from turns
  group by conversation_id
),

first_intent as (
  -- the conversation's intent: gold where the source has one, else the prediction
  select conversation_id, intent, intent_origin
  from {{ ref('mart_conversation_intents') }}
),

classified as (
  select
    conversations.conversation_id,
    conversations.source,
    coalesce(conversations.service, conversations.company) as service,
    conversations.company,
    conversations.channel,
    first_intent.intent,
    first_intent.intent_origin,
    cast(conversations.started_at as date) as activity_date,
    conversations.turn_count,
    conversations.customer_turn_count,
    conversations.agent_turn_count,
    conversations.first_response_seconds,
    conversations.outcome as recorded_outcome,
    case
      when conversations.source = 'sgd' then conversations.outcome
      when message_signals.agent_messages = 0 then 'unanswered'
      when message_signals.has_handoff then 'escalated'
      when message_signals.last_speaker = 'agent'
        and {{ regex_contains('trim(message_signals.last_text)', '\\?\\s*$') }} then 'abandoned'
      when {{ regex_contains(
        'lower(message_signals.last_agent_text)',
        "unfortunately|can''t|cannot|not possible|isn''t possible|unable to|rejected|nothing more"
      ) }} then 'failed'
      else 'resolved'
    end as outcome,
    coalesce(sgd_switches.intent_switch_count, 0) as intent_switch_count,
    sgd_first_segment.segment_class as first_intent_segment_class,
    message_signals.last_turn_index
  from conversations
  left join message_signals on message_signals.conversation_id = conversations.conversation_id
  left join sgd_switches on sgd_switches.conversation_id = conversations.conversation_id
  left join sgd_first_segment on sgd_first_segment.conversation_id = conversations.conversation_id
  left join first_intent on first_intent.conversation_id = conversations.conversation_id
)

select
  cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(source as {{ dbt.type_string() }}) as source,
  cast(service as {{ dbt.type_string() }}) as service,
  cast(company as {{ dbt.type_string() }}) as company,
  cast(channel as {{ dbt.type_string() }}) as channel,
  cast(coalesce(intent, 'unknown') as {{ dbt.type_string() }}) as intent,
  cast(coalesce(intent_origin, 'none') as {{ dbt.type_string() }}) as intent_origin,
  cast(activity_date as date) as activity_date,
  cast(coalesce(outcome, 'unknown') as {{ dbt.type_string() }}) as outcome,
  cast(recorded_outcome as {{ dbt.type_string() }}) as recorded_outcome,
  cast(
    case
      when first_intent_segment_class = 'switched' then 'switched'
      when outcome = 'resolved' then 'success'
      when outcome in ('failed', 'escalated', 'unanswered') then 'failed'
      when outcome = 'abandoned' then 'dropped'
    end as {{ dbt.type_string() }}
  ) as lex_outcome,
  cast(outcome = 'resolved' as boolean) as is_success,
  cast(outcome = 'escalated' as boolean) as is_escalated,
  -- contained: answered and handled without a hand-off (contact-centre containment)
  cast(outcome in ('resolved', 'failed', 'abandoned') as boolean) as is_contained,
  cast(intent_switch_count as integer) as intent_switch_count,
  cast(turn_count as integer) as turn_count,
  cast(customer_turn_count as integer) as customer_turn_count,
  cast(agent_turn_count as integer) as agent_turn_count,
  cast(case when outcome = 'resolved' then turn_count end as integer) as turns_to_resolution,
  cast(first_response_seconds as bigint) as first_response_seconds,
  cast(last_turn_index as integer) as last_turn_index
from classified
