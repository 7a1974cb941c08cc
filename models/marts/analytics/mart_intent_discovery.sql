{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  Candidate new intents: one row per cluster of low-confidence utterances found by
  `supportlens discover` (noise, cluster -1, left out), with its label (top terms), size,
  share of the clustered utterances, up to five representative examples (closest to the
  centroid), what the current model guessed most, and the sources and days it covers.
#}
with members as (
  select * from {{ ref('mart_intent_cluster_members') }}
),

clustered as (
  select * from members where cluster_id >= 0
),

activity as (
  select turn_id, activity_date from {{ ref('mart_turn_predictions') }}
)

select
  cast(clustered.run_id as {{ dbt.type_string() }}) as run_id,
  cast(clustered.label_set as {{ dbt.type_string() }}) as label_set,
  cast(clustered.cluster_id as integer) as cluster_id,
  cast(min(clustered.cluster_label) as {{ dbt.type_string() }}) as cluster_label,
  cast(min(clustered.top_terms) as {{ type_array(dbt.type_string()) }}) as top_terms,
  cast(count(*) as bigint) as utterance_count,
  cast(count(*) * 1.0 / sum(count(*)) over (partition by clustered.run_id, clustered.label_set)
    as double) as share_of_clustered,
  cast(
    {{ array_agg_ordered(
      'clustered.text', ['clustered.representative_rank'],
      filter_where='clustered.representative_rank <= 5'
    ) }}
    as {{ type_array(dbt.type_string()) }}
  ) as representative_examples,
  cast(mode(clustered.predicted_label) as {{ dbt.type_string() }}) as most_guessed_intent,
  cast(avg(clustered.confidence) as double) as mean_confidence,
  cast(array_sort(array_distinct(array_agg(clustered.source))) as {{ type_array(dbt.type_string()) }}) as sources,
  cast(min(activity.activity_date) as date) as first_seen,
  cast(max(activity.activity_date) as date) as last_seen,
  cast(min(clustered.embedding_model) as {{ dbt.type_string() }}) as embedding_model
from clustered
left join activity on activity.turn_id = clustered.turn_id
group by clustered.run_id, clustered.label_set, clustered.cluster_id
