{#
  Turn counts and timing per conversation. First response = seconds from the first
  customer turn to the first agent turn after it (in turn order); NULL when the source has
  no timestamps or nobody answered.
#}
with turns as (
  select * from {{ ref('int_turns__unioned') }}
),

first_customer_turn as (
  select conversation_id, min(turn_index) as turn_index
  from turns
  where speaker = 'customer'
  group by conversation_id
),

first_response as (
  select
    turns.conversation_id,
    min(turns.turn_index) as turn_index
  from turns
  inner join first_customer_turn
    on first_customer_turn.conversation_id = turns.conversation_id
    and turns.turn_index > first_customer_turn.turn_index
  where turns.speaker = 'agent'
  group by turns.conversation_id
),

counts as (
  select
    conversation_id,
    min(sent_at) as started_at,
    max(sent_at) as ended_at,
    count(*) as turn_count,
    sum(case when speaker = 'customer' then 1 else 0 end) as customer_turn_count,
    sum(case when speaker = 'agent' then 1 else 0 end) as agent_turn_count
  from turns
  group by conversation_id
)

select
  counts.conversation_id,
  counts.started_at,
  counts.ended_at,
  cast(counts.turn_count as integer) as turn_count,
  cast(counts.customer_turn_count as integer) as customer_turn_count,
  cast(counts.agent_turn_count as integer) as agent_turn_count,
  cast({{ dbt.datediff('customer_turn.sent_at', 'agent_turn.sent_at', 'second') }} as bigint)
    as first_response_seconds
from counts
left join first_customer_turn on first_customer_turn.conversation_id = counts.conversation_id
left join turns as customer_turn
  on customer_turn.conversation_id = first_customer_turn.conversation_id
  and customer_turn.turn_index = first_customer_turn.turn_index
left join first_response on first_response.conversation_id = counts.conversation_id
left join turns as agent_turn
  on agent_turn.conversation_id = first_response.conversation_id
  and agent_turn.turn_index = first_response.turn_index
