-- Reply delays in readable buckets, per day and company, for the distribution chart.
with replies as (
    select
        cast(turns.sent_at as date) as day,
        conversations.company,
        turns.reply_delay_seconds as delay
    from fct_turns as turns
    inner join fct_conversations as conversations using (conversation_id)
    where turns.speaker = 'agent'
        and turns.reply_delay_seconds is not null
        and conversations.company is not null
),

busiest as (
    select company from replies group by company order by count(*) desc limit 12
)

select
    day,
    company,
    case
        when delay < 60 then 1
        when delay < 300 then 2
        when delay < 900 then 3
        when delay < 3600 then 4
        when delay < 14400 then 5
        when delay < 86400 then 6
        else 7
    end as bucket_order,
    case
        when delay < 60 then '< 1 min'
        when delay < 300 then '1-5 min'
        when delay < 900 then '5-15 min'
        when delay < 3600 then '15-60 min'
        when delay < 14400 then '1-4 h'
        when delay < 86400 then '4-24 h'
        else '> 1 day'
    end as bucket,
    count(*) as replies
from replies
inner join busiest using (company)
group by all
order by day, company, bucket_order
