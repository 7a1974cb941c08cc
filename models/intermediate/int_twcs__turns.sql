{#
  TWCS tweets as conversation turns: thread id = root tweet, turn order by time within the
  thread (tweet id breaks ties), speaker from `inbound`, reply delay = seconds from the
  tweet it answers.
#}
with tweets as (
  select * from {{ ref('stg_twcs__tweets') }}
),

members as (
  select * from {{ ref('int_twcs__thread_members') }}
),

threaded as (
  select
    members.thread_root_tweet_id,
    members.parent_tweet_id,
    members.depth,
    tweets.tweet_id,
    tweets.author_id,
    tweets.is_inbound,
    tweets.created_at,
    tweets.text,
    tweets.text_normalized
  from members
  inner join tweets on tweets.tweet_id = members.tweet_id
),

ordered as (
  select
    threaded.*,
    cast(row_number() over (
      partition by threaded.thread_root_tweet_id order by threaded.created_at, threaded.tweet_id
    ) - 1 as integer) as turn_index,
    parent.created_at as parent_created_at
  from threaded
  left join tweets as parent on parent.tweet_id = threaded.parent_tweet_id
)

select
  'twcs:' || cast(tweet_id as {{ dbt.type_string() }}) as turn_id,
  'twcs:' || cast(thread_root_tweet_id as {{ dbt.type_string() }}) as conversation_id,
  tweet_id,
  thread_root_tweet_id,
  parent_tweet_id,
  depth,
  turn_index,
  case when is_inbound then 'customer' else 'agent' end as speaker,
  author_id,
  created_at as sent_at,
  text,
  text_normalized,
  case when parent_tweet_id is not null then 'twcs:' || cast(parent_tweet_id as {{ dbt.type_string() }}) end
    as parent_turn_id,
  cast({{ dbt.datediff('parent_created_at', 'created_at', 'second') }} as bigint)
    as reply_delay_seconds
from ordered
