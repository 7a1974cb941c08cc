{#
  TWCS thread reconstruction: every tweet -> the root tweet of its thread.

  A tweet's parent is `in_response_to_tweet_id`, or, when that is missing, the tweet whose
  `response_tweet_ids` lists it. A tweet whose parent is absent from the data (deleted,
  outside the sample) or is itself starts a thread. The walk goes down from the roots;
  `twcs_thread_strategy` picks how (see docs/warehouse.md for measurements):
    - recursive: a recursive CTE, one join per thread level;
    - pointer_jumping: root propagation by repeated squaring of the parent pointer,
      log2(depth) self-joins of the whole table.
  Tweets on a reply cycle (never reachable from a root) belong to no thread.
#}
{%- set strategy = var('twcs_thread_strategy', 'recursive') -%}
{%- set max_depth = var('twcs_max_thread_depth') -%}

with recursive tweets as (
  select tweet_id, in_response_to_tweet_id, response_tweet_ids
  from {{ ref('stg_twcs__tweets') }}
),

listed_replies as (
  select
    listed.reply_tweet_id,
    min(listed.tweet_id) as listing_tweet_id
  from (
    select tweet_id, {{ explode_array('response_tweet_ids') }} as reply_tweet_id
    from tweets
    where response_tweet_ids is not null
  ) as listed
  group by listed.reply_tweet_id
),

claimed_parents as (
  select
    tweets.tweet_id,
    coalesce(tweets.in_response_to_tweet_id, listed_replies.listing_tweet_id) as parent_tweet_id
  from tweets
  left join listed_replies on listed_replies.reply_tweet_id = tweets.tweet_id
),

parents as (
  -- keep a parent link only when the parent is present and is not the tweet itself
  select
    claimed_parents.tweet_id,
    case
      when present_parent.tweet_id is not null and claimed_parents.parent_tweet_id <> claimed_parents.tweet_id
        then claimed_parents.parent_tweet_id
    end as parent_tweet_id
  from claimed_parents
  left join tweets as present_parent on present_parent.tweet_id = claimed_parents.parent_tweet_id
),

{%- if strategy == 'recursive' %}

thread_walk (tweet_id, parent_tweet_id, thread_root_tweet_id, depth) as (
  select tweet_id, parent_tweet_id, tweet_id, 0
  from parents
  where parent_tweet_id is null
  union all
  select child.tweet_id, child.parent_tweet_id, walk.thread_root_tweet_id, walk.depth + 1
  from parents as child
  inner join thread_walk as walk on child.parent_tweet_id = walk.tweet_id
  where walk.depth < {{ max_depth }}
),

members as (
  select tweet_id, parent_tweet_id, thread_root_tweet_id, depth from thread_walk
)

{%- elif strategy == 'pointer_jumping' %}
{#- step k: ancestor_k(t) = ancestor_{k-1}(ancestor_{k-1}(t)); hops doubles each step. -#}
{%- set ns = namespace(steps=0) %}
{%- for _ in range(64) if 2 ** ns.steps < max_depth %}{% set ns.steps = ns.steps + 1 %}{% endfor %}
{%- set steps = ns.steps %}

jump_0 as (
  select tweet_id, parent_tweet_id, coalesce(parent_tweet_id, tweet_id) as ancestor_tweet_id,
    case when parent_tweet_id is null then 0 else 1 end as hops
  from parents
),
{%- for step in range(1, steps + 1) %}

jump_{{ step }} as (
  select
    cur.tweet_id,
    cur.parent_tweet_id,
    nxt.ancestor_tweet_id,
    cur.hops + nxt.hops as hops
  from jump_{{ step - 1 }} as cur
  inner join jump_{{ step - 1 }} as nxt on nxt.tweet_id = cur.ancestor_tweet_id
),
{%- endfor %}

members as (
  -- a cycle never reaches a root: its "ancestor" still has a parent
  select final.tweet_id, final.parent_tweet_id, final.ancestor_tweet_id as thread_root_tweet_id, final.hops as depth
  from jump_{{ steps }} as final
  inner join parents as root on root.tweet_id = final.ancestor_tweet_id
  where root.parent_tweet_id is null
)

{%- else %}
{{ exceptions.raise_compiler_error("twcs_thread_strategy must be 'recursive' or 'pointer_jumping', got " ~ strategy) }}
{%- endif %}

select
  tweet_id,
  parent_tweet_id,
  thread_root_tweet_id,
  cast(depth as integer) as depth
from members
