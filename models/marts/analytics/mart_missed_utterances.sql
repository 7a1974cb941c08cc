{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Amazon Lex's "missed utterances": customer messages the active model labels with
  confidence below var missed_confidence_threshold (0.5), grouped by normalised text, with
  how often each was sent, the model's best guess and the discovery cluster (if any).
#}
with predictions as (
  select * from {{ ref('mart_turn_predictions') }}
  where confidence < {{ var('missed_confidence_threshold', 0.5) }}
),

clusters as (
  select turn_id, cluster_id from {{ ref('mart_intent_cluster_members') }}
)

select
  cast(predictions.source as {{ dbt.type_string() }}) as source,
  cast(predictions.label_set as {{ dbt.type_string() }}) as label_set,
  cast(predictions.text as {{ dbt.type_string() }}) as text,
  cast(count(*) as bigint) as occurrences,
  cast(mode(predictions.label) as {{ dbt.type_string() }}) as best_guess_intent,
  cast(avg(predictions.confidence) as double) as mean_confidence,
  cast(min(predictions.activity_date) as date) as first_seen,
  cast(max(predictions.activity_date) as date) as last_seen,
  cast(mode(clusters.cluster_id) as integer) as cluster_id
from predictions
left join clusters on clusters.turn_id = predictions.turn_id
group by predictions.source, predictions.label_set, predictions.text
