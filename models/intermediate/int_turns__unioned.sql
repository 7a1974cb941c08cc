{{ config(materialized='view') }}
{#
  Every message of every source in one shape; fct_turns publishes it under a contract.
  A view: it only stacks the per-source turn tables, and writing 3 M rows out a second
  time before fct_turns writes them again cost 12 s of the full-scale build.
#}
with twcs as (
  select
    turn_id,
    conversation_id,
    'twcs' as source,
    turn_index,
    speaker,
    author_id,
    sent_at,
    text,
    text_normalized,
    parent_turn_id,
    reply_delay_seconds,
    cast(null as {{ dbt.type_string() }}) as gold_intent,
    cast(null as {{ dbt.type_string() }}) as intent_label_set,
    cast(null as {{ dbt.type_string() }}) as gold_sentiment,
    cast(null as {{ type_array(dbt.type_string()) }}) as acts,
    cast(null as {{ type_array(dbt.type_string()) }}) as services
  from {{ ref('int_twcs__turns') }}
),

sgd as (
  select
    turn_id,
    conversation_id,
    'sgd' as source,
    turn_index,
    speaker,
    cast(null as {{ dbt.type_string() }}) as author_id,
    cast(null as {{ type_timestamptz() }}) as sent_at,
    text,
    text_normalized,
    case when turn_index > 0 then conversation_id || ':' || cast(turn_index - 1 as {{ dbt.type_string() }}) end
      as parent_turn_id,
    cast(null as bigint) as reply_delay_seconds,
    gold_intent,
    case when gold_intent is not null then 'sgd' end as intent_label_set,
    cast(null as {{ dbt.type_string() }}) as gold_sentiment,
    acts,
    services
  from {{ ref('int_sgd__turns') }}
),

labelled as (
  select
    turn_id,
    conversation_id,
    source,
    0 as turn_index,
    'customer' as speaker,
    cast(null as {{ dbt.type_string() }}) as author_id,
    cast(null as {{ type_timestamptz() }}) as sent_at,
    text,
    text_normalized,
    cast(null as {{ dbt.type_string() }}) as parent_turn_id,
    cast(null as bigint) as reply_delay_seconds,
    intent as gold_intent,
    intent_label_set,
    cast(null as {{ dbt.type_string() }}) as gold_sentiment,
    cast(null as {{ type_array(dbt.type_string()) }}) as acts,
    cast(null as {{ type_array(dbt.type_string()) }}) as services
  from {{ ref('int_labelled_utterances') }}
),

synthetic_ordered as (
  select
    turns.*,
    lag(turn_index) over (partition by conversation_id order by turn_index) as previous_turn_index,
    lag(sent_at) over (partition by conversation_id order by turn_index) as previous_sent_at
  from {{ ref('stg_synthetic__turns') }} as turns
),

synthetic as (
  select
    'synthetic:' || conversation_id || ':' || cast(turn_index as {{ dbt.type_string() }}) as turn_id,
    'synthetic:' || conversation_id as conversation_id,
    'synthetic' as source,
    turn_index,
    speaker,
    cast(null as {{ dbt.type_string() }}) as author_id,
    sent_at,
    text,
    text_normalized,
    case when previous_turn_index is not null
      then 'synthetic:' || conversation_id || ':' || cast(previous_turn_index as {{ dbt.type_string() }})
    end as parent_turn_id,
    cast({{ dbt.datediff('previous_sent_at', 'sent_at', 'second') }} as bigint)
      as reply_delay_seconds,
    case when speaker = 'customer' then intent end as gold_intent,
    case when speaker = 'customer' and intent is not null then 'banking77' end as intent_label_set,
    sentiment as gold_sentiment,
    cast(null as {{ type_array(dbt.type_string()) }}) as acts,
    cast(null as {{ type_array(dbt.type_string()) }}) as services
  from synthetic_ordered
)

select * from twcs
union all
select * from sgd
union all
select * from labelled
union all
select * from synthetic
