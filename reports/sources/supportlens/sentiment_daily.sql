-- Sentiment per day, source and company: sums and counts so the page can average exactly.
select
    cast(started_at as date) as day,
    source,
    coalesce(company, 'n/a') as company,
    count(*) as conversations,
    sum(mean_sentiment) as mean_sentiment_sum,
    sum(first_sentiment) as first_sentiment_sum,
    sum(last_sentiment) as last_sentiment_sum,
    sum(satisfaction_proxy) as satisfaction_sum,
    count(*) filter (where sentiment_change > 0.05) as improved,
    count(*) filter (where sentiment_change < -0.05) as worsened
from mart_conversation_sentiment
group by all
order by day
