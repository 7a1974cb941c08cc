{{ config(tags=['uses_predictions', 'analytics']) }}
{#
  The utterances clustered by the latest `supportlens discover` run (ml_intent_clusters,
  ml/discovery.py). The table exists only after discover has run, so this model checks for
  it and builds empty (same columns) until then.
#}
{%- set clusters_relation = adapter.get_relation(
  database=target.database, schema=target.schema, identifier='ml_intent_clusters'
) -%}
{%- set clusters_source = source('ml', 'ml_intent_clusters') -%}
{% if clusters_relation is not none %}
with clusters as (
  select * from {{ clusters_source }}
),

latest_runs as (
  -- discover replaces a label set's previous run; keep only the newest run per label set
  select label_set, max_by(run_id, discovered_at) as run_id
  from clusters
  group by label_set
)

select
  cast(clusters.run_id as {{ dbt.type_string() }}) as run_id,
  cast(clusters.discovered_at as {{ type_timestamptz() }}) as discovered_at,
  cast(clusters.embedding_model as {{ dbt.type_string() }}) as embedding_model,
  cast(clusters.label_set as {{ dbt.type_string() }}) as label_set,
  cast(clusters.turn_id as {{ dbt.type_string() }}) as turn_id,
  cast(clusters.source as {{ dbt.type_string() }}) as source,
  cast(clusters.text as {{ dbt.type_string() }}) as text,
  cast(clusters.confidence as double) as confidence,
  cast(clusters.predicted_label as {{ dbt.type_string() }}) as predicted_label,
  cast(clusters.cluster_id as integer) as cluster_id,
  cast(clusters.cluster_label as {{ dbt.type_string() }}) as cluster_label,
  cast(clusters.top_terms as {{ type_array(dbt.type_string()) }}) as top_terms,
  cast(clusters.representative_rank as integer) as representative_rank,
  cast(clusters.similarity_to_centroid as double) as similarity_to_centroid
from clusters
inner join latest_runs on latest_runs.run_id = clusters.run_id
{% else %}
select
  cast(null as {{ dbt.type_string() }}) as run_id,
  cast(null as {{ type_timestamptz() }}) as discovered_at,
  cast(null as {{ dbt.type_string() }}) as embedding_model,
  cast(null as {{ dbt.type_string() }}) as label_set,
  cast(null as {{ dbt.type_string() }}) as turn_id,
  cast(null as {{ dbt.type_string() }}) as source,
  cast(null as {{ dbt.type_string() }}) as text,
  cast(null as double) as confidence,
  cast(null as {{ dbt.type_string() }}) as predicted_label,
  cast(null as integer) as cluster_id,
  cast(null as {{ dbt.type_string() }}) as cluster_label,
  cast(null as {{ type_array(dbt.type_string()) }}) as top_terms,
  cast(null as integer) as representative_rank,
  cast(null as double) as similarity_to_centroid
where false
{% endif %}
