{#
  True when a Python UDF of that name is registered on dbt's connection (the
  supportlens.python_udfs.plugin in profiles.yml registers them). Models that call a UDF check first
  so a run without the plugin builds NULL columns and says why, instead of failing.
  At parse time (execute = false) nothing can be queried: answer false.
#}
{% macro udf_available(function_name) %}
  {{- return(adapter.dispatch('udf_available')(function_name)) -}}
{% endmacro %}

{% macro default__udf_available(function_name) %}
  {%- if not execute -%}
    {{ return(false) }}
  {%- endif -%}
  {%- set probe = run_query(
    "select count(*) from duckdb_functions() where function_name = '" ~ function_name ~ "'"
  ) -%}
  {{ return(probe.columns[0].values()[0] > 0) }}
{% endmacro %}
