-- Gold-labelled intent volume per day, source and category.
select
    cast(day as date) as day,
    source,
    intent,
    coalesce(category, 'uncategorised') as category,
    n_utterances
from mart_intent_distribution
order by day, source, intent
