-- Where failed, abandoned and unanswered conversations ended.
select
    cast(conversations.started_at as date) as day,
    failures.source,
    coalesce(failures.service, 'n/a') as service,
    coalesce(failures.intent, 'unknown') as intent,
    failures.failure_type,
    failures.failure_step,
    count(*) as conversations
from mart_failure_points as failures
inner join fct_conversations as conversations using (conversation_id)
group by all
order by day
