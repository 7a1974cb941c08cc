{#
  Aggregates, regular expressions and time parts whose spelling differs between engines.
#}

{# Interpolated quantile (DuckDB quantile_cont, Spark percentile: the same definition). #}
{% macro quantile_continuous(expression, fraction) -%}
  {{ return(adapter.dispatch('quantile_continuous')(expression, fraction)) }}
{%- endmacro %}

{% macro default__quantile_continuous(expression, fraction) -%}
quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__quantile_continuous(expression, fraction) -%}
percentile({{ expression }}, {{ fraction }})
{%- endmacro %}


{#
  True when the text contains a match of the pattern (RE2 / Java regex, same syntax for
  the patterns used here). `pattern` is the regex itself, not an SQL literal (single
  quotes doubled as in SQL): Spark's string literals read a backslash as an escape, so
  Spark's literal doubles each one; DuckDB's literals take it verbatim.
#}
{% macro regex_contains(text, pattern) -%}
  {{ return(adapter.dispatch('regex_contains')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_contains(text, pattern) -%}
regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_contains(text, pattern) -%}
regexp_like({{ text }}, '{{ pattern | replace("\\", "\\\\") }}')
{%- endmacro %}


{# Hour of the day (0-23) of an instant, in UTC. #}
{% macro hour_utc(instant) -%}
  {{ return(adapter.dispatch('hour_utc')(instant)) }}
{%- endmacro %}

{% macro default__hour_utc(instant) -%}
extract(hour from timezone('UTC', {{ instant }}))
{%- endmacro %}

{% macro spark__hour_utc(instant) -%}
hour(to_utc_timestamp({{ instant }}, current_timezone()))
{%- endmacro %}
