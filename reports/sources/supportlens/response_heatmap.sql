-- Reply delay of agent turns by company and hour of day (UTC), the 12 busiest companies.
with replies as (
    select
        company,
        extract(hour from sent_at) as hour_of_day,
        reply_delay_seconds
    from fct_turns
    where speaker = 'agent' and reply_delay_seconds is not null and company is not null
),

busiest as (
    select company from replies group by company order by count(*) desc limit 12
)

select
    company,
    hour_of_day,
    count(*) as replies,
    round(median(reply_delay_seconds) / 60, 1) as median_reply_min,
    round(quantile_cont(reply_delay_seconds, 0.9) / 60, 1) as p90_reply_min
from replies
inner join busiest using (company)
group by all
order by company, hour_of_day
