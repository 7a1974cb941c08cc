-- Low-confidence ("missed") utterances: the 500 least confident active-model predictions.
with active_models as (
    select model_version from ml_models where is_active
)

select
    cast(turns.sent_at as date) as day,
    turns.source,
    predictions.label_set,
    inputs.text,
    predictions.label as predicted_intent,
    predictions.confidence,
    predictions.top_labels[2] as runner_up
from ml_predictions as predictions
inner join active_models using (model_version)
inner join ml_scoring_inputs as inputs using (turn_id)
inner join fct_turns as turns using (turn_id)
where predictions.confidence < 0.5
order by predictions.confidence
limit 500
