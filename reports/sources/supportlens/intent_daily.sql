-- Intent volume per day, source and category (gold labels, or predictions where the
-- source has none: see intent_origin in mart_intent_distribution).
select
    cast(activity_date as date) as day,
    source,
    intent,
    coalesce(category, 'uncategorised') as category,
    conversation_count as n_utterances
from mart_intent_distribution
where activity_date is not null
order by day, source, intent
