-- Overview KPIs per day and source. Medians cannot be re-aggregated across days, so the
-- page weights daily medians by volume; sums and counts are kept for exact means.
with conversations as (
    select
        cast(started_at as date) as day,
        source,
        outcome,
        first_response_seconds
    from fct_conversations
),

sentiment as (
    select
        cast(activity_date as date) as day,
        source,
        sum(mean_sentiment * customer_message_count) as sentiment_sum,
        sum(customer_message_count) as sentiment_n
    from mart_sentiment_trends
    where mean_sentiment is not null
    group by all
),

daily as (
    select
        day,
        source,
        count(*) as conversations,
        count(outcome) as with_outcome,
        count(*) filter (where outcome = 'resolved') as resolved,
        count(*) filter (where outcome in ('failed', 'abandoned', 'unanswered')) as failed,
        median(first_response_seconds) as first_response_median_s,
        count(first_response_seconds) as first_response_n
    from conversations
    where day is not null
    group by all
)

select
    daily.*,
    coalesce(sentiment.sentiment_sum, 0) as sentiment_sum,
    coalesce(sentiment.sentiment_n, 0) as sentiment_n
from daily
left join sentiment using (day, source)
order by day, source
