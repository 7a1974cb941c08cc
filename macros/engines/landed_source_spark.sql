{#
  Spark reads the same landed Parquet files as DuckDB, straight from the landing folder
  (the `parquet.`path`` relation); DuckDB reads them through the source's
  `external_location` (dbt-duckdb). Loads that added columns are merged by the profile's
  spark.sql.parquet.mergeSchema.

  Spark SQL cannot list files, so it cannot tell an absent source from a landed one:
  on Spark every source counts as landed unless named in the var `absent_landed_sources`
  (e.g. `--vars '{absent_landed_sources: [twcs.tweets]}'`), which reads it as empty,
  typed from the source's declared columns, as DuckDB does by itself.
#}

{% macro landed_relation(source_name, table_name, relation) -%}
  {{ return(adapter.dispatch('landed_relation')(source_name, table_name, relation)) }}
{%- endmacro %}

{% macro default__landed_relation(source_name, table_name, relation) -%}
{{ relation }}
{%- endmacro %}

{% macro spark__landed_relation(source_name, table_name, relation) -%}
parquet.`{{ landed_glob(source_name, table_name) }}`
{%- endmacro %}


{% macro spark__landed_files_exist(source_name, table_name) -%}
  {{- return((source_name ~ '.' ~ table_name) not in var('absent_landed_sources', [])) -}}
{%- endmacro %}
