{#
  Spark has no SupportLens Python UDFs (python_udfs registers them on DuckDB connections
  only): models that call one build their documented empty/NULL fallback, as DuckDB does
  without the plugin (e.g. int_turns__sentiment; see docs/scale-out.md).
#}
{% macro spark__udf_available(function_name) %}
  {%- if execute -%}
    {{ log("Spark target: Python UDF '" ~ function_name ~ "' is DuckDB-only", info=true) }}
  {%- endif -%}
  {{ return(false) }}
{% endmacro %}


{#
  The ML tables of create_ml_tables (one column list, written in DuckDB's types), as
  Spark Parquet tables: each `create table` statement's column types are translated by
  engine_type and the table is stored as Parquet. A Spark cursor runs one statement at a
  time, so each runs here and the hook itself is a no-op.
#}
{% macro spark__create_ml_tables() -%}
  {%- set re = modules.re -%}
  {%- set statements = ['create schema if not exists ' ~ target.schema] -%}
  {%- for statement in default__create_ml_tables().split(';') if statement.strip() -%}
    {%- set head, columns = statement.split('(', 1) -%}
    {%- set columns = columns.strip().rstrip(')') -%}
    {%- set translated = [] -%}
    {%- for column in columns.split(',') -%}
      {%- set name, type_name = column.strip().split(' ', 1) -%}
      {%- do translated.append(name ~ ' ' ~ spark__engine_type(type_name)) -%}
    {%- endfor -%}
    {%- do statements.append(head.strip() ~ ' (' ~ translated | join(', ') ~ ') using parquet') -%}
  {%- endfor -%}
  {%- if execute -%}
    {%- for statement in statements -%}
      {%- do run_query(statement) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return('select 1') }}
{%- endmacro %}
