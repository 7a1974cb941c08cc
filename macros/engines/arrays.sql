{#
  Array (DuckDB: list) expressions whose spelling differs between the engines. Functions
  both engines spell alike are used directly in the models: array_sort, array_distinct,
  array_agg (DuckDB keeps NULL elements, Spark drops them; every use here is followed by
  array_distinct, which drops NULLs on DuckDB), flatten, filter(arr, x -> ...),
  array_contains, max_by.
#}

{# An empty array literal of the given element type. #}
{% macro empty_array(element_type) -%}
  {{ return(adapter.dispatch('empty_array')(element_type)) }}
{%- endmacro %}

{% macro default__empty_array(element_type) -%}
cast([] as {{ type_array(element_type) }})
{%- endmacro %}

{% macro spark__empty_array(element_type) -%}
cast(array() as {{ type_array(element_type) }})
{%- endmacro %}


{# Number of elements; NULL for a NULL array (Spark's size() would say -1). #}
{% macro array_length(array) -%}
  {{ return(adapter.dispatch('array_length')(array)) }}
{%- endmacro %}

{% macro default__array_length(array) -%}
len({{ array }})
{%- endmacro %}

{% macro spark__array_length(array) -%}
array_size({{ array }})
{%- endmacro %}


{# The element at a 1-based position; NULL past the end. #}
{% macro array_item(array, position) -%}
  {{ return(adapter.dispatch('array_item')(array, position)) }}
{%- endmacro %}

{% macro default__array_item(array, position) -%}
{{ array }}[{{ position }}]
{%- endmacro %}

{% macro spark__array_item(array, position) -%}
try_element_at({{ array }}, {{ position }})
{%- endmacro %}


{#
  Aggregate: the values of `expression` in the order of `order_by` (a list of
  expressions, ascending), optionally over the rows matching `filter_where`. Spark's collect_list has no order: collect (keys..., value)
  structs, sort them, keep the values.
#}
{% macro array_agg_ordered(expression, order_by, filter_where=none) -%}
  {{ return(adapter.dispatch('array_agg_ordered')(expression, order_by, filter_where)) }}
{%- endmacro %}

{% macro default__array_agg_ordered(expression, order_by, filter_where=none) -%}
list({{ expression }} order by {{ order_by | join(', ') }})
{%- if filter_where %} filter (where {{ filter_where }}){% endif %}
{%- endmacro %}

{% macro spark__array_agg_ordered(expression, order_by, filter_where=none) -%}
transform(
  array_sort(collect_list(named_struct(
    {%- for key in order_by %}'k{{ loop.index }}', {{ key }}, {% endfor -%}
    'v', {{ expression }}))
    {%- if filter_where %} filter (where {{ filter_where }}){% endif %}),
  item -> item.v)
{%- endmacro %}


{# The elements joined into one string. #}
{% macro array_join_text(array, separator) -%}
  {{ return(adapter.dispatch('array_join_text')(array, separator)) }}
{%- endmacro %}

{% macro default__array_join_text(array, separator) -%}
array_to_string({{ array }}, {{ separator }})
{%- endmacro %}

{% macro spark__array_join_text(array, separator) -%}
array_join({{ array }}, {{ separator }})
{%- endmacro %}


{# One output row per element (in a select list); no row for an empty or NULL array. #}
{% macro explode_array(array) -%}
  {{ return(adapter.dispatch('explode_array')(array)) }}
{%- endmacro %}

{% macro default__explode_array(array) -%}
unnest({{ array }})
{%- endmacro %}

{% macro spark__explode_array(array) -%}
explode({{ array }})
{%- endmacro %}


{# The keys of a JSON object text, as an array of strings; NULL for NULL. #}
{% macro json_object_keys(json_text) -%}
  {{ return(adapter.dispatch('json_object_keys')(json_text)) }}
{%- endmacro %}

{% macro default__json_object_keys(json_text) -%}
json_keys({{ json_text }})
{%- endmacro %}

{% macro spark__json_object_keys(json_text) -%}
json_object_keys({{ json_text }})
{%- endmacro %}


{#
  An array literal: `array_of([1, 2], "bigint")`, `array_of(["a"], "varchar")` (element
  type in DuckDB's spelling, see engine_type; used by the unit-test fixtures, which are
  written once for both engines and rendered where dbt's own macros are not in scope).
#}
{% macro array_of(items, element_type) -%}
  {%- set literals = [] -%}
  {%- for item in items -%}
    {%- do literals.append("'" ~ item ~ "'" if item is string else item | string) -%}
  {%- endfor -%}
  {{ return(adapter.dispatch('array_of')(literals | join(', '), element_type)) }}
{%- endmacro %}

{% macro default__array_of(literals, element_type) -%}
cast([{{ literals }}] as {{ engine_type(element_type ~ '[]') }})
{%- endmacro %}

{% macro spark__array_of(literals, element_type) -%}
cast(array({{ literals }}) as {{ engine_type(element_type ~ '[]') }})
{%- endmacro %}


{# The n-th smallest value of a group (aggregate); NULL when the group has fewer. #}
{% macro nth_smallest(expression, n) -%}
  {{ return(adapter.dispatch('nth_smallest')(expression, n)) }}
{%- endmacro %}

{% macro default__nth_smallest(expression, n) -%}
min({{ expression }}, {{ n }})[{{ n }}]
{%- endmacro %}

{% macro spark__nth_smallest(expression, n) -%}
try_element_at(array_sort(collect_list({{ expression }})), {{ n }})
{%- endmacro %}
