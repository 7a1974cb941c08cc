{#
  One row per synthetic conversation with the generator's ground truth (intent, outcome),
  taken from its first message (the generator repeats them on every message).
#}
with turns as (
  select * from {{ ref('stg_synthetic__turns') }}
),

first_turn as (
  select *
  from (
    select
      turns.*,
      row_number() over (partition by conversation_id order by turn_index) as turn_rank
    from turns
  ) as ranked
  where turn_rank = 1
)

select
  'synthetic:' || conversation_id as conversation_id,
  'synthetic' as source,
  conversation_id as source_conversation_id,
  channel,
  company,
  cast(null as {{ dbt.type_string() }}) as service,
  outcome,
  intent as gold_intent,
  case when intent is not null then 'banking77' end as intent_label_set
from first_turn
