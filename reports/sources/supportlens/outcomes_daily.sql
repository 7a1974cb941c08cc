-- Outcome counts per day, source, company/service and intent.
select
    cast(activity_date as date) as day,
    source,
    coalesce(company, service, 'n/a') as company_or_service,
    coalesce(intent, 'unknown') as intent,
    outcome,
    coalesce(lex_outcome, 'unknown') as lex_class,
    count(*) as conversations,
    count(*) filter (where is_contained) as contained,
    count(*) filter (where is_escalated) as escalated
from mart_conversation_outcomes
where activity_date is not null and outcome is not null
group by all
order by day
