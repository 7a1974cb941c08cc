{#
  Deterministic, stratified split assignment.

  Within each stratum (e.g. label set + label) rows are ordered by the hash of
  salt || stable key, and the row at 0-based rank r of n takes the split whose cumulative
  ratio first exceeds (r + 0.5) / n. The same rows therefore always get the same splits,
  on any machine and engine (dbt.hash is md5 on every adapter), and every stratum is
  split in the configured proportions to within one row.
  `fixed_split_column` (optional): rows whose value there is 'test' stay in test and the
  others share train/validation in the configured train:validation proportion.
#}
{% macro split_position(key_column, partition_by) -%}
  (
    cast(row_number() over (
      partition by {{ partition_by }}
      order by {{ dbt.hash("'" ~ var('split_salt') ~ "' || " ~ key_column) }}, {{ key_column }}
    ) as double) - 0.5
  ) / cast(count(*) over (partition by {{ partition_by }}) as double)
{%- endmacro %}


{% macro split_from_position(position_column, include_test=true) -%}
  {%- set ratios = var('split_ratios') -%}
  {%- set total = ratios['train'] + ratios['validation'] + (ratios['test'] if include_test else 0) -%}
  {%- set train_edge = ratios['train'] / total -%}
  {%- set validation_edge = (ratios['train'] + ratios['validation']) / total -%}
  case
    when {{ position_column }} < {{ train_edge }} then 'train'
    when {{ position_column }} < {{ validation_edge }} then 'validation'
    else 'test'
  end
{%- endmacro %}
