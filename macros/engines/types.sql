{#
  Data types whose spelling differs between the engines. Models and `.yml` files are
  written in DuckDB's spelling (`varchar`, `timestamp with time zone`, `varchar[]`);
  these macros give each engine its own, so a model is written once.
    - type_timestamptz(): an instant. DuckDB `timestamp with time zone`; Spark `timestamp`
      (TIMESTAMP_LTZ, an instant shown in the session time zone).
    - type_array(element): DuckDB `element[]`; Spark `array<element>`.
    - engine_type(name): a DuckDB type name (as declared in sources, contracts and the ML
      tables) translated to the engine's name; used where the name comes from `.yml`.
#}

{% macro type_timestamptz() -%}
  {{ return(adapter.dispatch('type_timestamptz')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
timestamp with time zone
{%- endmacro %}

{% macro spark__type_timestamptz() -%}
timestamp
{%- endmacro %}


{% macro type_array(element_type) -%}
  {{ return(adapter.dispatch('type_array')(element_type)) }}
{%- endmacro %}

{% macro default__type_array(element_type) -%}
{{ element_type }}[]
{%- endmacro %}

{% macro spark__type_array(element_type) -%}
array<{{ element_type }}>
{%- endmacro %}


{% macro engine_type(duckdb_type) -%}
  {{ return(adapter.dispatch('engine_type')(duckdb_type)) }}
{%- endmacro %}

{% macro default__engine_type(duckdb_type) -%}
  {{ return(duckdb_type) }}
{%- endmacro %}

{% macro spark__engine_type(duckdb_type) -%}
  {%- set name = duckdb_type | trim | lower -%}
  {%- if name.endswith('[]') -%}
    {{ return('array<' ~ spark__engine_type(name[:-2]) ~ '>') }}
  {%- endif -%}
  {%- set names = {
    'varchar': 'string', 'text': 'string', 'integer': 'int',
    'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp',
  } -%}
  {{ return(names.get(name, name)) }}
{%- endmacro %}


{#
  Contracts on Spark: dbt casts NULL to each declared data_type and compares the result
  with the model's columns. The declared names are DuckDB's, so translate them first; the
  comparison itself is dbt's own (same column names, same types, same order).
#}
{% macro spark__get_empty_schema_sql(columns) -%}
  {%- set translated = {} -%}
  {%- for name, column in columns.items() -%}
    {%- set copy = {} -%}
    {%- do copy.update(column) -%}
    {%- if copy.get('data_type') -%}
      {%- do copy.update({'data_type': spark__engine_type(copy['data_type'])}) -%}
    {%- endif -%}
    {%- do translated.update({name: copy}) -%}
  {%- endfor -%}
  {{ return(default__get_empty_schema_sql(translated)) }}
{%- endmacro %}
