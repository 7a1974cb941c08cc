{#
  The ML stage writes these tables (docs/contracts.md); creating them empty when missing
  lets a fresh `dbt build` succeed before any model is trained, and lets marts that read
  predictions (tag:uses_predictions) build with zero predictions.
  The body of default__create_ml_tables is generated from ml/tables.py (ML_TABLES, the
  one definition, also used by ML itself): edit that dict, then run
  `python -m supportlens.ml.tables`.
  tests/ml/test_tables.py fails while this file differs.
#}
{% macro create_ml_tables() -%}
  {{- return(adapter.dispatch('create_ml_tables')()) -}}
{%- endmacro %}

{% macro default__create_ml_tables() -%}
create table if not exists {{ target.schema }}.ml_models (
  model_version varchar, label_set varchar, model_type varchar, base_model varchar,
  path varchar, created_at timestamp with time zone, is_active boolean,
  train_rows bigint, val_accuracy double, card_json varchar
);
create table if not exists {{ target.schema }}.ml_predictions (
  turn_id varchar, model_version varchar, label_set varchar, label varchar,
  confidence double, top_labels varchar[], top_scores double[],
  predicted_at timestamp with time zone
);
create table if not exists {{ target.schema }}.ml_model_metrics (
  model_version varchar, label_set varchar, split varchar, metric varchar, value double,
  evaluated_at timestamp with time zone
);
create table if not exists {{ target.schema }}.ml_per_class_metrics (
  model_version varchar, label_set varchar, split varchar, label varchar,
  precision double, recall double, f1 double, support bigint
);
create table if not exists {{ target.schema }}.ml_confusion_matrix (
  model_version varchar, label_set varchar, split varchar, true_label varchar,
  predicted_label varchar, n bigint
);
create table if not exists {{ target.schema }}.ml_runs (
  run_id varchar, experiment varchar, model_version varchar, params_json varchar,
  metrics_json varchar, duration_s double, artefact_path varchar,
  started_at timestamp with time zone, status varchar
);
create table if not exists {{ target.schema }}.ml_calibration (
  model_version varchar, label_set varchar, split varchar, bin_index integer,
  bin_lower double, bin_upper double, n bigint, mean_confidence double, accuracy double
);
create table if not exists {{ target.schema }}.ml_intent_clusters (
  run_id varchar, discovered_at timestamp with time zone, embedding_model varchar,
  label_set varchar, turn_id varchar, source varchar, text varchar, confidence double,
  predicted_label varchar, cluster_id integer, cluster_label varchar,
  top_terms varchar[], representative_rank integer, similarity_to_centroid double
)
{%- endmacro %}
