-- Outcome counts per day, source, company/service and intent.
select
    cast(started_at as date) as day,
    source,
    coalesce(company, service, 'n/a') as company_or_service,
    coalesce(intent, 'unknown') as intent,
    outcome,
    lex_class,
    count(*) as conversations,
    count(*) filter (where is_contained) as contained,
    count(*) filter (where is_escalated) as escalated
from mart_conversation_outcomes
group by all
order by day
