{{ config(tags=['uses_predictions']) }}
{#
  The active model's latest prediction per scored turn and label set: the one place that
  decides which prediction counts, shared by the intent distribution and the analytics.
  Empty until `supportlens predict` has run.
#}
with active_models as (
  select model_version, label_set
  from {{ source('ml', 'ml_models') }}
  where is_active
),

ranked_predictions as (
  select
    predictions.turn_id,
    predictions.model_version,
    predictions.label_set,
    predictions.label,
    predictions.confidence,
    predictions.predicted_at,
    row_number() over (
      partition by predictions.turn_id, predictions.label_set
      order by predictions.predicted_at desc, predictions.model_version desc
    ) as recency
  from {{ source('ml', 'ml_predictions') }} as predictions
  inner join active_models
    on active_models.model_version = predictions.model_version
    and active_models.label_set = predictions.label_set
)

select turn_id, model_version, label_set, label, confidence, predicted_at
from ranked_predictions
where recency = 1
