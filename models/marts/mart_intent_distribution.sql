{{ config(tags=['uses_predictions']) }}
{#
  Conversations by source, intent, category and day. The intent is the gold intent where
  the source has one, else the active model's prediction for the conversation's first
  customer turn (rows marked intent_origin = 'predicted'); conversations with neither are
  counted under intent 'unknown'. Sources without timestamps have activity_date NULL.
  Rebuilt after `supportlens predict` (tag uses_predictions).
#}
with conversations as (
  select * from {{ ref('fct_conversations') }}
),

turns as (
  select * from {{ ref('fct_turns') }}
),

latest_predictions as (
  select turn_id, label_set, label from {{ ref('int_predictions__active_latest') }}
),

first_customer_turns as (
  select conversation_id, turn_id
  from (
    select
      conversation_id,
      turn_id,
      row_number() over (partition by conversation_id order by turn_index) as customer_rank
    from turns
    where speaker = 'customer'
  ) as ranked
  where customer_rank = 1
),

scoring_label_sets as (
  select turn_id, label_set from {{ ref('ml_scoring_inputs') }}
),

conversation_intents as (
  select
    conversations.conversation_id,
    conversations.source,
    cast(conversations.started_at as date) as activity_date,
    case
      when conversations.gold_intent is not null then 'gold'
      when latest_predictions.label is not null then 'predicted'
      else 'none'
    end as intent_origin,
    coalesce(conversations.intent_label_set, latest_predictions.label_set) as label_set,
    coalesce(conversations.gold_intent, latest_predictions.label, 'unknown') as intent
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
),

counted as (
  select
    source,
    label_set,
    intent,
    intent_origin,
    activity_date,
    count(*) as conversation_count
  from conversation_intents
  group by source, label_set, intent, intent_origin, activity_date
),

intents as (
  select label_set, intent, category from {{ ref('dim_intents') }}
)

select
  cast(counted.source as {{ dbt.type_string() }}) as source,
  cast(counted.label_set as {{ dbt.type_string() }}) as label_set,
  cast(counted.intent as {{ dbt.type_string() }}) as intent,
  cast(coalesce(intents.category, case when counted.intent_origin = 'none' then 'unknown' else 'uncatalogued' end) as {{ dbt.type_string() }})
    as category,
  cast(counted.intent_origin as {{ dbt.type_string() }}) as intent_origin,
  cast(counted.activity_date as date) as activity_date,
  cast(counted.conversation_count as bigint) as conversation_count,
  cast(
    counted.conversation_count * 1.0
    / sum(counted.conversation_count) over (partition by counted.source, counted.activity_date)
    as double
  ) as share_of_source_day,
  cast(
    counted.conversation_count * 1.0
    / sum(counted.conversation_count) over (partition by counted.source)
    as double
  ) as share_of_source
from counted
left join intents
  on intents.label_set = counted.label_set
  and intents.intent = counted.intent
