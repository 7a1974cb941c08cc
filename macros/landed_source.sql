{#
  Landed sources are globs over Parquet files; a source that was never landed (e.g. the
  real-data run has no TWCS) has no files, and read_parquet fails on an empty glob. These
  macros let staging read an absent source as an empty, correctly typed relation, typed
  from the `data_type`s declared on the source's columns, so the rest of the DAG still
  builds. Lineage is unchanged: `source()` is always called.
#}

{% macro landed_glob(source_name, table_name) -%}
{{ env_var('SUPPORTLENS_PATHS_LANDING_DIR', 'data/landing') }}/{{ source_name }}/{{ table_name }}/*/*.parquet
{%- endmacro %}


{% macro landed_files_exist(source_name, table_name) -%}
  {{- return(adapter.dispatch('landed_files_exist')(source_name, table_name)) -}}
{%- endmacro %}


{% macro default__landed_files_exist(source_name, table_name) -%}
  {%- set pattern = landed_glob(source_name, table_name) -%}
  {%- set result = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
  {{- return(result.columns[0].values()[0] > 0) -}}
{%- endmacro %}


{% macro empty_source_select(source_name, table_name) -%}
  {%- set ns = namespace(node=none) -%}
  {%- for node in graph.sources.values() -%}
    {%- if node.source_name == source_name and node.name == table_name -%}
      {%- set ns.node = node -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if ns.node is none or ns.node.columns | length == 0 -%}
    {{ exceptions.raise_compiler_error("source " ~ source_name ~ "." ~ table_name ~ " declares no columns with data_type") }}
  {%- endif -%}
  (select
  {%- for column in ns.node.columns.values() %}
    cast(null as {{ engine_type(column.data_type) }}) as {{ column.name }}{{ "," if not loop.last }}
  {%- endfor %}
  where 1 = 0)
{%- endmacro %}


{% macro landed_source(source_name, table_name) -%}
  {%- set relation = source(source_name, table_name) -%}
  {%- if execute and var('check_landed_files', true)
        and not landed_files_exist(source_name, table_name) -%}
    {%- do log("landing has no files for " ~ source_name ~ "." ~ table_name ~ "; reading it as empty", info=true) -%}
    {{ empty_source_select(source_name, table_name) }}
  {%- else -%}
    {{ landed_relation(source_name, table_name, relation) }}
  {%- endif -%}
{%- endmacro %}
