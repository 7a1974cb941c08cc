{{ config(tags=['uses_predictions']) }}
{#
  Conversations by source, intent, category and day. The intent is the gold intent where
  the source has one, else the active model's prediction for the conversation's first
  customer turn (rows marked intent_origin = 'predicted'); conversations with neither are
  counted under intent 'unknown' (the rule lives in fct_conversation_intents). Sources
  without timestamps have activity_date NULL.
  Rebuilt after `supportlens predict` (tag uses_predictions).
#}
with conversation_intents as (
  -- The rule (gold, else the first customer turn's active prediction) lives there.
  select source, label_set, intent, intent_origin, cast(started_at as date) as activity_date
  from {{ ref('fct_conversation_intents') }}
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
