{#
  Reconciliation: every landed row reaches staging, and staging invents none.
  One row per table whose counts differ (zero rows = pass).
#}
{%- set tables = [
  ('banking77', 'utterances'), ('banking77', 'categories'), ('bitext', 'utterances'),
  ('twcs', 'tweets'), ('synthetic', 'turns'),
  ('sgd', 'dialogues'), ('sgd', 'turns'), ('sgd', 'frames'), ('sgd', 'actions'),
  ('sgd', 'slot_spans'), ('sgd', 'states'), ('sgd', 'schema_services'),
  ('sgd', 'schema_intents'), ('sgd', 'schema_slots'),
] %}

with counts as (
  {%- for source_name, table_name in tables %}
  select
    '{{ source_name }}.{{ table_name }}' as landed_table,
    (select count(*) from {{ landed_source(source_name, table_name) }} as landed) as landed_rows,
    (select count(*) from {{ ref('stg_' ~ source_name ~ '__' ~ table_name) }}) as staged_rows
  {%- if not loop.last %}
  union all
  {%- endif %}
  {%- endfor %}
)

select * from counts where landed_rows <> staged_rows
