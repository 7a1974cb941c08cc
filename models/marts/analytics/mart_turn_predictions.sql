{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  The active model's latest prediction for every scored customer turn (ml_scoring_inputs),
  with the turn's source, conversation, day and text: the base of the intent analytics on
  unlabelled traffic. Empty until `supportlens predict` has run.
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
),

scoring_inputs as (
  select turn_id, label_set, text from {{ ref('ml_scoring_inputs') }}
),

turns as (
  select turn_id, conversation_id, source, turn_index, sent_at from {{ ref('fct_turns') }}
)

select
  cast(scoring_inputs.turn_id as varchar) as turn_id,
  cast(turns.conversation_id as varchar) as conversation_id,
  cast(turns.source as varchar) as source,
  cast(turns.turn_index as integer) as turn_index,
  cast(turns.sent_at as date) as activity_date,
  cast(scoring_inputs.label_set as varchar) as label_set,
  cast(scoring_inputs.text as varchar) as text,
  cast(ranked_predictions.model_version as varchar) as model_version,
  cast(ranked_predictions.label as varchar) as label,
  cast(ranked_predictions.confidence as double) as confidence
from scoring_inputs
inner join ranked_predictions
  on ranked_predictions.turn_id = scoring_inputs.turn_id
  and ranked_predictions.label_set = scoring_inputs.label_set
  and ranked_predictions.recency = 1
inner join turns on turns.turn_id = scoring_inputs.turn_id
