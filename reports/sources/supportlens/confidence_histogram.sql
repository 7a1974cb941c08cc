-- Confidence distribution of active-model predictions, in tenths.
with active_models as (
    select model_version from ml_models where is_active
)

select
    predictions.label_set,
    least(floor(predictions.confidence * 10), 9) / 10 as bin_lower,
    count(*) as predictions
from ml_predictions as predictions
inner join active_models using (model_version)
group by all
order by label_set, bin_lower
