{#
  Run history lives in a DuckDB file of its own (supportlens/ops/store.py), written by
  the `supportlens` commands, never by dbt. The ops models copy it into the warehouse so
  the snapshot carries it. The file is attached read-only by each ops model's pre-hook;
  when it does not exist yet (a clean clone, plain `dbt build`), or the target is not
  DuckDB, or SQLMesh loads the project, the source reads as an empty, typed relation
  (empty_source_select), so the DAG is the same on every engine.
#}

{% macro ops_db_path() -%}
{{ env_var('SUPPORTLENS_PATHS_OPS_DB', '') or 'data/ops/ops.duckdb' }}
{%- endmacro %}


{% macro ops_db_exists() -%}
  {#- Not DuckDB, or SQLMesh (which cannot run queries while it loads): no run history. -#}
  {%- if target.type != 'duckdb' or not var('check_landed_files', true) -%}
    {{- return(false) -}}
  {%- endif -%}
  {%- set result = run_query("select count(*) from glob('" ~ ops_db_path() ~ "')") -%}
  {{- return(result.columns[0].values()[0] > 0) -}}
{%- endmacro %}


{% macro attach_ops() -%}
  {%- if execute and ops_db_exists() -%}
attach if not exists '{{ ops_db_path() }}' as ops (read_only)
  {%- else -%}
select 1 as no_ops_file
  {%- endif -%}
{%- endmacro %}


{% macro ops_source(table_name) -%}
  {%- set relation = source('ops', table_name) -%}
  {%- if execute and not ops_db_exists() -%}
    {{ empty_source_select('ops', table_name) }}
  {%- else -%}
    {{ relation }}
  {%- endif -%}
{%- endmacro %}


{#
  Tables another stage writes into the warehouse and that may not exist yet (the GX
  results before the first `supportlens quality`): the relation, or an empty typed one.
#}
{% macro relation_or_empty(source_name, table_name) -%}
  {%- set relation = source(source_name, table_name) -%}
  {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
    {{ empty_source_select(source_name, table_name) }}
  {%- else -%}
    {{ relation }}
  {%- endif -%}
{%- endmacro %}
