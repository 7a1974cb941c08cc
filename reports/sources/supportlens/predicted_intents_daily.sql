-- Predicted intents on unlabelled traffic (active models), per day and source.
select
    cast(activity_date as date) as day,
    source,
    label_set,
    intent,
    message_count as predictions,
    cast(round(missed_share * message_count) as bigint) as low_confidence,
    mean_confidence * message_count as confidence_sum
from mart_predicted_intents
where activity_date is not null
order by day, source, intent
