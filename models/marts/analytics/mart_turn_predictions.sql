{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  The active model's latest prediction for every scored customer turn (ml_scoring_inputs),
  with the turn's source, conversation, day and text: the base of the intent analytics on
  unlabelled traffic. Empty until `supportlens predict` has run.
#}
with latest_predictions as (
  select * from {{ ref('int_predictions__active_latest') }}
),

scoring_inputs as (
  select turn_id, label_set, text from {{ ref('ml_scoring_inputs') }}
),

turns as (
  select turn_id, conversation_id, source, turn_index, sent_at from {{ ref('fct_turns') }}
)

select
  cast(scoring_inputs.turn_id as {{ dbt.type_string() }}) as turn_id,
  cast(turns.conversation_id as {{ dbt.type_string() }}) as conversation_id,
  cast(turns.source as {{ dbt.type_string() }}) as source,
  cast(turns.turn_index as integer) as turn_index,
  cast(turns.sent_at as date) as activity_date,
  cast(scoring_inputs.label_set as {{ dbt.type_string() }}) as label_set,
  cast(scoring_inputs.text as {{ dbt.type_string() }}) as text,
  cast(latest_predictions.model_version as {{ dbt.type_string() }}) as model_version,
  cast(latest_predictions.label as {{ dbt.type_string() }}) as label,
  cast(latest_predictions.confidence as double) as confidence
from scoring_inputs
inner join latest_predictions
  on latest_predictions.turn_id = scoring_inputs.turn_id
  and latest_predictions.label_set = scoring_inputs.label_set
inner join turns on turns.turn_id = scoring_inputs.turn_id
