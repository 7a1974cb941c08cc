{#
  Contract constraints on Spark. DuckDB enforces the contracted marts' not_null
  constraints at insert; dbt-spark can only ALTER them onto Delta tables, and these are
  Parquet tables (Spark's default source), where that ALTER fails. So on a non-Delta
  table the constraint is checked after the build instead: a NULL in a not_null column
  fails the model with the column's name, as DuckDB's insert would.
#}
{% macro spark__persist_constraints(relation, model) %}
  {%- set contract_config = config.get('contract') -%}
  {%- if not contract_config.enforced -%}
    {{ return('') }}
  {%- endif -%}
  {%- if config.get('file_format') in ['delta', 'iceberg'] -%}
    {% do alter_table_add_constraints(relation, model.constraints) %}
    {% do alter_column_set_constraints(relation, model.columns) %}
    {{ return('') }}
  {%- endif -%}
  {%- set not_null_columns = [] -%}
  {%- for name, column in model.columns.items() -%}
    {%- for constraint in column.get('constraints', []) if constraint.type == 'not_null' -%}
      {%- do not_null_columns.append(name) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- if not_null_columns and execute -%}
    {%- set checks = [] -%}
    {%- for name in not_null_columns -%}
      {%- do checks.append("sum(case when " ~ name ~ " is null then 1 else 0 end) as " ~ name) -%}
    {%- endfor -%}
    {%- set result = run_query("select " ~ checks | join(", ") ~ " from " ~ relation) -%}
    {%- set violations = [] -%}
    {%- for name in not_null_columns -%}
      {%- set nulls = result.columns[loop.index0].values()[0] -%}
      {%- if nulls and nulls > 0 -%}
        {%- do violations.append(name ~ " (" ~ nulls ~ " NULL rows)") -%}
      {%- endif -%}
    {%- endfor -%}
    {%- if violations -%}
      {{ exceptions.raise_compiler_error("not_null constraint violated in " ~ relation ~ ": " ~ violations | join(", ")) }}
    {%- endif -%}
  {%- endif -%}
{% endmacro %}
