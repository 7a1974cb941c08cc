{#
  One row per TWCS thread. The company is the brand that answered first (the author of the
  earliest company tweet), or, when no brand answered, the first @mention of the opening
  customer tweet; a thread with no company tweet is 'unanswered'. Other outcomes are not
  observable on Twitter and stay NULL.
#}
with turns as (
  select * from {{ ref('int_twcs__turns') }}
),

first_agent_turn as (
  select conversation_id, author_id as company
  from (
    select
      conversation_id,
      author_id,
      row_number() over (partition by conversation_id order by turn_index) as agent_rank
    from turns
    where speaker = 'agent'
  ) as agent_turns
  where agent_rank = 1
),

threads as (
  select
    conversation_id,
    min(thread_root_tweet_id) as thread_root_tweet_id,
    sum(case when speaker = 'agent' then 1 else 0 end) as agent_turns
  from turns
  group by conversation_id
),

addressed_company as (
  select
    conversation_id,
    nullif(regexp_extract(text, '@([A-Za-z0-9_]+)', 1), '') as company
  from turns
  where turn_index = 0 and speaker = 'customer'
)

select
  threads.conversation_id,
  'twcs' as source,
  cast(threads.thread_root_tweet_id as {{ dbt.type_string() }}) as source_conversation_id,
  'twitter' as channel,
  coalesce(first_agent_turn.company, addressed_company.company) as company,
  cast(null as {{ dbt.type_string() }}) as service,
  case when threads.agent_turns = 0 then 'unanswered' end as outcome,
  cast(null as {{ dbt.type_string() }}) as gold_intent,
  cast(null as {{ dbt.type_string() }}) as intent_label_set
from threads
left join first_agent_turn on first_agent_turn.conversation_id = threads.conversation_id
left join addressed_company on addressed_company.conversation_id = threads.conversation_id
