{#
  Generic tests that dbt_utils would otherwise provide (the dbt hub is unreachable here).
  Each returns the failing rows; zero rows means the test passes.
#}

{% test expression_is_true(model, expression, where_clause=none) %}
select *
from {{ model }}
where not ({{ expression }})
{%- if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}


{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
select {{ column_name }} as out_of_range_value
from {{ model }}
where {{ column_name }} is not null
  and (
    1 = 0
    {%- if min_value is not none %}
    or {{ column_name }} {{ "<" if inclusive else "<=" }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
    or {{ column_name }} {{ ">" if inclusive else ">=" }} {{ max_value }}
    {%- endif %}
  )
{% endtest %}


{% test unique_combination_of_columns(model, combination_of_columns) %}
select
  {{ combination_of_columns | join(", ") }},
  count(*) as duplicate_rows
from {{ model }}
group by {{ combination_of_columns | join(", ") }}
having count(*) > 1
{% endtest %}


{% test equal_row_count(model, compare_model, where_clause=none, compare_where_clause=none) %}
{#- Reconciliation: the two relations must hold the same number of rows. -#}
with model_rows as (
  select count(*) as n from {{ model }}
  {%- if where_clause %} where {{ where_clause }}{% endif %}
),
compare_rows as (
  select count(*) as n from {{ compare_model }}
  {%- if compare_where_clause %} where {{ compare_where_clause }}{% endif %}
)
select model_rows.n as model_rows, compare_rows.n as compare_rows
from model_rows cross join compare_rows
where model_rows.n <> compare_rows.n
{% endtest %}


{% test not_empty_string(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and trim({{ column_name }}) = ''
{% endtest %}
