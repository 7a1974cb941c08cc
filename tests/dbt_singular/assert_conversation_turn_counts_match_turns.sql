{# fct_conversations' turn counts equal the turns fct_turns holds for each conversation. #}
with turn_counts as (
  select
    conversation_id,
    count(*) as turns,
    sum(case when speaker = 'customer' then 1 else 0 end) as customer_turns
  from {{ ref('fct_turns') }}
  group by conversation_id
)

select conversations.conversation_id
from {{ ref('fct_conversations') }} as conversations
left join turn_counts on turn_counts.conversation_id = conversations.conversation_id
where conversations.turn_count <> coalesce(turn_counts.turns, 0)
  or conversations.customer_turn_count <> coalesce(turn_counts.customer_turns, 0)
