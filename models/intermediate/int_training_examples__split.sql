{#
  Every gold-labelled customer utterance, with its deterministic split (macros/assign_split).
  Label sets: banking77 and bitext utterances; SGD user turns with exactly one active
  intent. Strata = label set + label. With `respect_source_splits`, rows from an official
  test file stay test and the rest are split train/validation only; a label set with no
  official test rows is split train/validation/test.
#}
with labelled as (
  select
    source || ':' || utterance_id as example_id,
    source,
    intent_label_set as label_set,
    text_normalized as text,
    intent as label,
    source_split
  from {{ ref('int_labelled_utterances') }}
  where intent is not null and text_normalized is not null and text_normalized <> ''
),

sgd as (
  select
    turn_id as example_id,
    'sgd' as source,
    'sgd' as label_set,
    text_normalized as text,
    gold_intent as label,
    cast(null as {{ dbt.type_string() }}) as source_split
  from {{ ref('int_sgd__turns') }}
  where speaker = 'customer' and gold_intent is not null
    and text_normalized is not null and text_normalized <> ''
),

examples as (
  select * from labelled
  union all
  select * from sgd
),

with_official_test as (
  select
    examples.*,
    {% if var('respect_source_splits') -%}
    max(case when source_split = 'test' then 1 else 0 end) over (partition by label_set)
    {%- else -%} 0 {%- endif %} as label_set_has_official_test,
    {% if var('respect_source_splits') -%}
    coalesce(source_split = 'test', false)
    {%- else -%} false {%- endif %} as is_official_test
  from examples
),

positioned as (
  select
    with_official_test.*,
    {{ split_position('example_id', 'label_set, label, is_official_test') }} as split_position
  from with_official_test
)

select
  example_id,
  source,
  label_set,
  text,
  label,
  case
    when is_official_test then 'test'
    when label_set_has_official_test = 1 then {{ split_from_position('split_position', include_test=false) }}
    else {{ split_from_position('split_position') }}
  end as split,
  split_position
from positioned
