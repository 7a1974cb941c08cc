-- Predicted intents on unlabelled traffic (active models only), per day and source.
with active_models as (
    select model_version from ml_models where is_active
),

predictions as (
    select
        cast(turns.sent_at as date) as day,
        turns.source,
        predictions.label_set,
        predictions.label as intent,
        predictions.confidence
    from ml_predictions as predictions
    inner join active_models using (model_version)
    inner join fct_turns as turns using (turn_id)
)

select
    day,
    source,
    label_set,
    intent,
    count(*) as predictions,
    count(*) filter (where confidence < 0.5) as low_confidence,
    sum(confidence) as confidence_sum
from predictions
group by all
order by day, source, intent
