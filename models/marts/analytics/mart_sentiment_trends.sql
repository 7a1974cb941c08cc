{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Customer mood per source, company and day: mean customer-message sentiment, share of
  negative messages, mean first-to-last change within conversations started that day, and
  the mean satisfaction proxy.
#}
with messages as (
  select
    source,
    coalesce(company, 'unknown') as company,
    activity_date,
    count(*) as customer_message_count,
    avg(sentiment_score) as mean_sentiment,
    avg(case when sentiment_label = 'negative' then 1 else 0 end) as negative_share,
    avg(case when sentiment_label = 'positive' then 1 else 0 end) as positive_share
  from {{ ref('mart_turn_sentiment') }}
  where activity_date is not null
  group by all
),

conversations as (
  select
    source,
    coalesce(company, 'unknown') as company,
    activity_date,
    count(*) as conversation_count,
    avg(sentiment_change) as mean_sentiment_change,
    avg(satisfaction_proxy) as mean_satisfaction_proxy
  from {{ ref('mart_conversation_sentiment') }}
  where activity_date is not null
  group by all
)

select
  cast(messages.source as {{ dbt.type_string() }}) as source,
  cast(messages.company as {{ dbt.type_string() }}) as company,
  cast(messages.activity_date as date) as activity_date,
  cast(messages.customer_message_count as bigint) as customer_message_count,
  cast(messages.mean_sentiment as double) as mean_sentiment,
  cast(messages.negative_share as double) as negative_share,
  cast(messages.positive_share as double) as positive_share,
  cast(coalesce(conversations.conversation_count, 0) as bigint) as conversations_started,
  cast(conversations.mean_sentiment_change as double) as mean_sentiment_change,
  cast(conversations.mean_satisfaction_proxy as double) as mean_satisfaction_proxy
from messages
left join conversations
  on conversations.source = messages.source
  and conversations.company = messages.company
  and conversations.activity_date = messages.activity_date
