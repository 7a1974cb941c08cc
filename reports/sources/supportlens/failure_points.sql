-- Where failed, abandoned and unanswered conversations ended.
select
    cast(activity_date as date) as day,
    source,
    coalesce(service, 'n/a') as service,
    coalesce(intent, 'unknown') as intent,
    failure_kind as failure_type,
    coalesce(step, speaker, 'unknown') as failure_step,
    count(*) as conversations
from mart_failure_points
where activity_date is not null
group by all
order by day
