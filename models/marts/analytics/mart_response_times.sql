{{ config(tags=['analytics']) }}
{#
  Response times per source, company and hour of day (UTC hour of the conversation's first
  message): first-response seconds (first customer message -> first agent reply), agent
  reply delays (every agent message answering a customer message), turns to resolution.
  Sources without timestamps (SGD, labelled utterances) are left out.
#}
with outcomes as (
  select * from {{ ref('mart_conversation_outcomes') }}
  where source in ('twcs', 'synthetic')
),

conversations as (
  select conversation_id, started_at from {{ ref('fct_conversations') }}
),

turns as (
  select * from {{ ref('fct_turns') }} where source in ('twcs', 'synthetic')
),

agent_replies as (
  select agent.conversation_id, agent.reply_delay_seconds
  from turns as agent
  inner join turns as parent on parent.turn_id = agent.parent_turn_id
  where agent.speaker = 'agent' and parent.speaker = 'customer'
    and agent.reply_delay_seconds is not null
),

with_hour as (
  select
    outcomes.*,
    cast({{ hour_utc('conversations.started_at') }} as integer) as hour_of_day
  from outcomes
  inner join conversations on conversations.conversation_id = outcomes.conversation_id
),

conversation_stats as (
  select
    source,
    coalesce(company, 'unknown') as company,
    hour_of_day,
    count(*) as conversation_count,
    count(*) filter (where outcome = 'unanswered') as unanswered_count,
    count(first_response_seconds) as answered_count,
    avg(first_response_seconds) as first_response_mean_seconds,
    {{ quantile_continuous('first_response_seconds', 0.5) }} as first_response_median_seconds,
    {{ quantile_continuous('first_response_seconds', 0.9) }} as first_response_p90_seconds,
    avg(turns_to_resolution) as turns_to_resolution_mean,
    {{ quantile_continuous('turns_to_resolution', 0.5) }} as turns_to_resolution_median
  from with_hour
  group by all
),

reply_stats as (
  select
    with_hour.source,
    coalesce(with_hour.company, 'unknown') as company,
    with_hour.hour_of_day,
    count(*) as agent_reply_count,
    {{ quantile_continuous('agent_replies.reply_delay_seconds', 0.5) }} as reply_delay_median_seconds,
    {{ quantile_continuous('agent_replies.reply_delay_seconds', 0.9) }} as reply_delay_p90_seconds
  from agent_replies
  inner join with_hour on with_hour.conversation_id = agent_replies.conversation_id
  group by all
)

select
  cast(conversation_stats.source as {{ dbt.type_string() }}) as source,
  cast(conversation_stats.company as {{ dbt.type_string() }}) as company,
  cast(conversation_stats.hour_of_day as integer) as hour_of_day,
  cast(conversation_stats.conversation_count as bigint) as conversation_count,
  cast(conversation_stats.answered_count as bigint) as answered_count,
  cast(conversation_stats.unanswered_count as bigint) as unanswered_count,
  cast(conversation_stats.first_response_mean_seconds as double) as first_response_mean_seconds,
  cast(conversation_stats.first_response_median_seconds as double)
    as first_response_median_seconds,
  cast(conversation_stats.first_response_p90_seconds as double) as first_response_p90_seconds,
  cast(coalesce(reply_stats.agent_reply_count, 0) as bigint) as agent_reply_count,
  cast(reply_stats.reply_delay_median_seconds as double) as reply_delay_median_seconds,
  cast(reply_stats.reply_delay_p90_seconds as double) as reply_delay_p90_seconds,
  cast(conversation_stats.turns_to_resolution_mean as double) as turns_to_resolution_mean,
  cast(conversation_stats.turns_to_resolution_median as double) as turns_to_resolution_median
from conversation_stats
left join reply_stats
  on reply_stats.source = conversation_stats.source
  and reply_stats.company = conversation_stats.company
  and reply_stats.hour_of_day = conversation_stats.hour_of_day
