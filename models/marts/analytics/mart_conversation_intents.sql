{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  The intent of each multi-turn conversation: the gold intent where the source has one
  (SGD first active intent, synthetic ground truth is NOT used: synthetic conversations
  are unlabelled traffic here), else the active model's latest prediction for the first
  customer turn, with its confidence.
#}
with conversations as (
  select * from {{ ref('fct_conversations') }}
  where source in ('sgd', 'twcs', 'synthetic')
),

predictions as (
  select * from {{ ref('mart_turn_predictions') }}
),

first_customer_turns as (
  select conversation_id, turn_id
  from (
    select
      conversation_id,
      turn_id,
      row_number() over (partition by conversation_id order by turn_index) as customer_rank
    from {{ ref('fct_turns') }}
    where speaker = 'customer' and source in ('sgd', 'twcs', 'synthetic')
  ) as ranked
  where customer_rank = 1
)

select
  cast(conversations.conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(conversations.source as {{ dbt.type_string() }}) as source,
  cast(
    case when conversations.source = 'sgd' then conversations.gold_intent else predictions.label end
    as {{ dbt.type_string() }}
  ) as intent,
  cast(
    case
      when conversations.source = 'sgd' and conversations.gold_intent is not null then 'gold'
      when conversations.source <> 'sgd' and predictions.label is not null then 'predicted'
      else 'none'
    end as {{ dbt.type_string() }}
  ) as intent_origin,
  cast(case when conversations.source <> 'sgd' then predictions.confidence end as double)
    as confidence,
  cast(first_customer_turns.turn_id as {{ dbt.type_string() }}) as first_customer_turn_id
from conversations
left join first_customer_turns
  on first_customer_turns.conversation_id = conversations.conversation_id
left join predictions on predictions.turn_id = first_customer_turns.turn_id
