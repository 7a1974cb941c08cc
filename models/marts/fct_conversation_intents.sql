{{ config(tags=['uses_predictions']) }}
{#
  The intent of every conversation, one row each: the gold intent where the source has
  one, else the active model's latest prediction for the conversation's first customer
  turn (int_predictions__active_latest decides which prediction counts), else 'unknown'.
  The one place this rule lives: mart_intent_distribution counts these rows and the API
  reads them. Rebuilt after `supportlens predict` (tag uses_predictions).
#}
with conversations as (
  select
    conversation_id, source, company, service, started_at, gold_intent, intent_label_set
  from {{ ref('fct_conversations') }}
),

first_customer_turns as (
  select conversation_id, turn_id
  from (
    select
      conversation_id,
      turn_id,
      row_number() over (partition by conversation_id order by turn_index) as customer_rank
    from {{ ref('fct_turns') }}
    where speaker = 'customer'
  ) as ranked
  where customer_rank = 1
),

scoring_label_sets as (
  select turn_id, label_set from {{ ref('ml_scoring_inputs') }}
),

latest_predictions as (
  select turn_id, label_set, label, confidence from {{ ref('int_predictions__active_latest') }}
),

conversation_intents as (
  select
    conversations.conversation_id,
    conversations.source,
    conversations.company,
    conversations.service,
    conversations.started_at,
    first_customer_turns.turn_id as first_customer_turn_id,
    case
      when conversations.gold_intent is not null then 'gold'
      when latest_predictions.label is not null then 'predicted'
      else 'none'
    end as intent_origin,
    coalesce(conversations.intent_label_set, latest_predictions.label_set) as label_set,
    coalesce(conversations.gold_intent, latest_predictions.label, 'unknown') as intent,
    case when conversations.gold_intent is null then latest_predictions.confidence end
      as confidence
  from conversations
  left join first_customer_turns
    on first_customer_turns.conversation_id = conversations.conversation_id
  left join scoring_label_sets
    on scoring_label_sets.turn_id = first_customer_turns.turn_id
  -- A gold intent wins in the coalesces above, so predictions join unconditionally: a
  -- filter on the left side inside this ON clause would make it a nested-loop join.
  left join latest_predictions
    on latest_predictions.turn_id = first_customer_turns.turn_id
    and latest_predictions.label_set = scoring_label_sets.label_set
)

select
  cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(source as {{ dbt.type_string() }}) as source,
  cast(company as {{ dbt.type_string() }}) as company,
  cast(service as {{ dbt.type_string() }}) as service,
  cast(started_at as {{ type_timestamptz() }}) as started_at,
  cast(first_customer_turn_id as {{ dbt.type_string() }}) as first_customer_turn_id,
  cast(label_set as {{ dbt.type_string() }}) as label_set,
  cast(intent as {{ dbt.type_string() }}) as intent,
  cast(intent_origin as {{ dbt.type_string() }}) as intent_origin,
  cast(confidence as double) as confidence
from conversation_intents
