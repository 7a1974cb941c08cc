-- Sentiment per day, source and company: sums and counts so the page can average exactly.
-- A conversation's mean sentiment is taken as the mean of its first and last customer turn.
select
    cast(activity_date as date) as day,
    source,
    coalesce(company, 'n/a') as company,
    count(*) as conversations,
    sum((first_customer_sentiment + last_customer_sentiment) / 2) as mean_sentiment_sum,
    sum(first_customer_sentiment) as first_sentiment_sum,
    sum(last_customer_sentiment) as last_sentiment_sum,
    sum(satisfaction_proxy) as satisfaction_sum,
    count(*) filter (where sentiment_change > 0.05) as improved,
    count(*) filter (where sentiment_change < -0.05) as worsened
from mart_conversation_sentiment
where activity_date is not null
    and first_customer_sentiment is not null
    and last_customer_sentiment is not null
group by all
order by day
