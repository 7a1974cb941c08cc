{{ config(tags=['analytics']) }}
{#
  Sentiment of every customer message in conversational sources (TWCS, synthetic, SGD),
  with its place in the conversation. The scores come from fct_turns (VADER through the
  python_udfs `sentiment` functions, scored once per distinct text in
  int_turns__sentiment); they are NULL when dbt ran without the plugin.
#}
with turns as (
  select
    turn_id, conversation_id, source, turn_index, sent_at, sentiment_score, sentiment_label
  from {{ ref('fct_turns') }}
  where speaker = 'customer' and source in ('twcs', 'synthetic', 'sgd')
),

conversations as (
  select conversation_id, company, service from {{ ref('fct_conversations') }}
),

ordered as (
  select
    turns.*,
    row_number() over (partition by turns.conversation_id order by turns.turn_index)
      as customer_turn_number,
    count(*) over (partition by turns.conversation_id) as customer_turn_count
  from turns
)

select
  cast(ordered.turn_id as {{ dbt.type_string() }}) as turn_id,
  cast(ordered.conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(ordered.source as {{ dbt.type_string() }}) as source,
  cast(coalesce(conversations.company, conversations.service) as {{ dbt.type_string() }}) as company,
  cast(ordered.turn_index as integer) as turn_index,
  cast(ordered.customer_turn_number as integer) as customer_turn_number,
  cast(ordered.customer_turn_number = 1 as boolean) as is_first_customer_turn,
  cast(ordered.customer_turn_number = ordered.customer_turn_count as boolean)
    as is_last_customer_turn,
  cast(ordered.sent_at as date) as activity_date,
  cast(ordered.sentiment_score as double) as sentiment_score,
  cast(ordered.sentiment_label as {{ dbt.type_string() }}) as sentiment_label
from ordered
left join conversations on conversations.conversation_id = ordered.conversation_id
