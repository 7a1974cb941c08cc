-- Reply delay of agent messages by company and hour of day (UTC), the 12 busiest companies.
-- Medians of several sources of one company are weighted by their reply counts.
with replies as (
    select
        company,
        hour_of_day,
        agent_reply_count,
        reply_delay_median_seconds,
        reply_delay_p90_seconds
    from mart_response_times
    where company is not null and agent_reply_count > 0
),

busiest as (
    select company from replies group by company order by sum(agent_reply_count) desc limit 12
)

select
    company,
    hour_of_day,
    sum(agent_reply_count) as replies,
    round(sum(reply_delay_median_seconds * agent_reply_count) / sum(agent_reply_count) / 60, 1)
        as median_reply_min,
    round(sum(reply_delay_p90_seconds * agent_reply_count) / sum(agent_reply_count) / 60, 1)
        as p90_reply_min
from replies
inner join busiest using (company)
group by all
order by company, hour_of_day
